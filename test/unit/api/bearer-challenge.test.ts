/**
 * When does `tokendesk request` get a new token and retry? Only when the API
 * refused the token itself: RFC 6750 `Bearer error="invalid_token"` in any
 * legal spelling of the WWW-Authenticate field, or Myfox's JSON body.
 */
import { describe, expect, it } from 'vitest';
import { isInvalidTokenAnswer, parseAuthenticateChallenges } from '../../../main/core/api/bearer-challenge.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('parseAuthenticateChallenges', () => {
  it('reads schemes, token68 and auth-params (quoted, escaped or bare, any case of names, bad whitespace)', () => {
    expect(parseAuthenticateChallenges('Basic realm="api", BEARER realm=x, ERROR = invalid_token, Negotiate abc+/de==, Newauth, DPoP algs="ES256 \\"PS256\\""')).toEqual([
      { scheme: 'basic', params: { realm: 'api' } },
      { scheme: 'bearer', params: { realm: 'x', error: 'invalid_token' } },
      { scheme: 'negotiate', params: {}, token68: 'abc+/de==' },
      { scheme: 'newauth', params: {} },
      { scheme: 'dpop', params: { algs: 'ES256 "PS256"' } },
    ]);
  });

  it('keeps the first of a repeated parameter and stops at a malformed part', () => {
    expect(parseAuthenticateChallenges('Bearer error="a", error="b"')).toEqual([{ scheme: 'bearer', params: { error: 'a' } }]);
    expect(parseAuthenticateChallenges('Bearer realm="x" error="invalid_token"')).toEqual([{ scheme: 'bearer', params: { realm: 'x' } }]);
    expect(parseAuthenticateChallenges('Bearer error="unterminated')).toEqual([{ scheme: 'bearer', params: {} }]);
    expect(parseAuthenticateChallenges('')).toEqual([]);
    expect(parseAuthenticateChallenges('"quoted"')).toEqual([]);
  });
});

describe('isInvalidTokenAnswer', () => {
  it('is true for a 401 whose Bearer challenge says invalid_token, in every spelling', () => {
    for (const header of [
      'Bearer error="invalid_token"',
      'Bearer realm="example", error="invalid_token", error_description="The access token expired"',
      'bearer error=invalid_token',
      'Basic realm="x", Bearer error="invalid_token"',
      'Basic realm="x, Bearer error=no", Bearer error="invalid_token"',
    ]) {
      expect(isInvalidTokenAnswer(401, header, undefined), header).toBe(true);
    }
  });

  it('is true for a 401 with Myfox\'s body', () => {
    expect(isInvalidTokenAnswer(401, null, bytes('{"status":"KO","timestamp":1569310000,"error":"invalid_token","error_description":"The access token provided is invalid"}'))).toBe(true);
  });

  it('is false for other 401s, other statuses, and look-alikes', () => {
    const cases: [number, string | null, string | undefined][] = [
      [401, 'Bearer error="insufficient_scope", error_description="invalid_token"', undefined],
      [401, 'Bearer error_description="invalid_token"', undefined],
      [401, 'Newauth error="invalid_token"', undefined],
      [401, 'Basic realm="error=\\"invalid_token\\""', undefined],
      [401, 'Bearer error="INVALID_TOKEN"', undefined],
      [401, null, '{"status":"KO","error":"insufficient_scope"}'],
      [401, null, '{"message":"invalid_token"}'],
      [401, null, '["invalid_token"]'],
      [401, null, 'error=invalid_token'],
      [401, null, undefined],
      [403, 'Bearer error="invalid_token"', '{"error":"invalid_token"}'],
      [400, 'Bearer error="invalid_token"', '{"error":"invalid_token"}'],
    ];
    for (const [status, header, body] of cases) expect(isInvalidTokenAnswer(status, header, body === undefined ? undefined : bytes(body)), `${status} ${header} ${body}`).toBe(false);
  });
});
