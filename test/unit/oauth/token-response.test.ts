/** Lenient token-response parsing: every dialect of the seeds, and the strict parts. */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { AuthServerError, TransportError } from '../../../main/core/errors.js';
import { parseErrorResponse, parseTokenResponse, processTokenResponse } from '../../../main/core/oauth/token-response.js';

const NOW = 1_700_000_000_000;

describe('parseTokenResponse', () => {
  it('reads a Netrex response without token_type as Bearer', () => {
    const t = parseTokenResponse({ access_token: 'ACCESS_TOKEN', expires_in: 3600, refresh_token: '1234' }, NOW);
    expect(t).toEqual({ accessToken: 'ACCESS_TOKEN', tokenType: 'Bearer', expiresAt: NOW + 3_600_000, refreshToken: '1234', obtainedAt: NOW });
  });

  it('normalises Vyopta\'s lower-case "bearer" and keeps Keycloak extras out of the way', () => {
    const t = parseTokenResponse(
      { access_token: 'eyJhb', expires_in: 300, refresh_expires_in: 1800, refresh_token: 'r', token_type: 'bearer', 'not-before-policy': 1533920635, session_state: 'dad914da', scope: 'email profile' },
      NOW,
    );
    expect(t.tokenType).toBe('Bearer');
    expect(t.refreshExpiresAt).toBe(NOW + 1_800_000);
    expect(t.scope).toBe('email profile');
  });

  it('reads Myfox "scope": null as no scope', () => {
    expect(parseTokenResponse({ access_token: 'a', expires_in: 3600, token_type: 'Bearer', scope: null, refresh_token: 'r' }, NOW).scope).toBeUndefined();
  });

  it('ignores refresh_expires_in 0 (myfiber: "does not expire")', () => {
    expect(parseTokenResponse({ access_token: 'a', expires_in: 300, refresh_expires_in: 0, refresh_token: 'r' }, NOW).refreshExpiresAt).toBeUndefined();
  });

  it('accepts expires_in as a numeric string and ignores a non-numeric one', () => {
    expect(parseTokenResponse({ access_token: 'a', expires_in: '300' }, NOW).expiresAt).toBe(NOW + 300_000);
    expect(parseTokenResponse({ access_token: 'a', expires_in: 'soon' }, NOW).expiresAt).toBeUndefined();
  });

  it('falls back to the JWT exp, then to the configured lifetime, then unknown', async () => {
    const exp = Math.floor(NOW / 1000) + 1234;
    const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(new Uint8Array(32));
    expect(parseTokenResponse({ access_token: jwt }, NOW).expiresAt).toBe(exp * 1000);
    expect(parseTokenResponse({ access_token: 'opaque' }, NOW, { defaultTokenLifetimeSeconds: 60 }).expiresAt).toBe(NOW + 60_000);
    expect(parseTokenResponse({ access_token: 'opaque' }, NOW).expiresAt).toBeUndefined();
    expect(parseTokenResponse({ access_token: 'not.a.jwt' }, NOW).expiresAt).toBeUndefined();
  });

  it('keeps an unusual token_type as sent', () => {
    expect(parseTokenResponse({ access_token: 'a', token_type: 'DPoP' }, NOW).tokenType).toBe('DPoP');
  });

  it('treats an absurd expires_in or exp as unknown instead of an expiry no Date can hold', async () => {
    expect(parseTokenResponse({ access_token: 'a', expires_in: 1e308 }, NOW).expiresAt).toBeUndefined();
    expect(parseTokenResponse({ access_token: 'a', expires_in: 8.6e13 }, NOW).expiresAt).toBeUndefined();
    const farJwt = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(9e12).sign(new Uint8Array(32));
    expect(parseTokenResponse({ access_token: farJwt }, NOW).expiresAt).toBeUndefined();
  });

  it('refuses an access_token that could not go into an Authorization header', () => {
    for (const bad of [' ', 'abc def', 'abc\r\nX-Injected: 1', 'tökén']) {
      expect(() => parseTokenResponse({ access_token: bad }, NOW)).toThrow(expect.objectContaining({ code: 'ERR_RESPONSE_INVALID' }));
    }
  });

  it('refuses a missing or empty access_token and non-objects', () => {
    for (const body of [{}, { access_token: '' }, { access_token: 42 }, [], 'token', null]) {
      const error = (() => {
        try {
          parseTokenResponse(body, NOW);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).code).toBe('ERR_RESPONSE_INVALID');
    }
  });

  it('refuses a token_type that is not an RFC 7230 token: it would inject a header (issue 9 item 5)', () => {
    for (const bad of ['Bearer\r\nX-Injected: evil', 'Bearer evil', 'Bearer\n', 'Be:arer', 'Bé', '"Bearer"']) {
      expect(() => parseTokenResponse({ access_token: 'a', token_type: bad }, NOW), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_RESPONSE_INVALID', message: expect.stringContaining('token_type') }),
      );
    }
    for (const [sent, kept] of [['bearer', 'Bearer'], ['BEARER', 'Bearer'], ['bEaReR', 'Bearer'], ['DPoP', 'DPoP'], ['N_A-1.x~', 'N_A-1.x~']]) {
      expect(parseTokenResponse({ access_token: 'a', token_type: sent }, NOW).tokenType).toBe(kept);
    }
  });

  it('never produces an expiry no Date can hold from a huge configured lifetime (issue 9 item 14)', () => {
    // Saved by an older version that did not bound token_lifetime at import.
    for (const lifetime of [Number.MAX_SAFE_INTEGER, 1e300, 8.64e12]) {
      const t = parseTokenResponse({ access_token: 'opaque' }, NOW, { defaultTokenLifetimeSeconds: lifetime });
      expect(t.expiresAt).toBeUndefined();
    }
    const t = parseTokenResponse({ access_token: 'opaque', refresh_token: 'r', refresh_expires_in: 3e9 }, NOW);
    if (t.refreshExpiresAt !== undefined) expect(() => new Date(t.refreshExpiresAt!).toISOString()).not.toThrow();
    const tenYears = parseTokenResponse({ access_token: 'opaque' }, NOW, { defaultTokenLifetimeSeconds: 315_360_000 });
    expect(new Date(tenYears.expiresAt!).toISOString()).toBe(new Date(NOW + 315_360_000_000).toISOString());
  });
});

describe('parseErrorResponse', () => {
  it('reads RFC 6749 errors with their description', () => {
    const e = parseErrorResponse({ error: 'invalid_grant', error_description: 'Invalid user credentials' }, 401)!;
    expect(e).toBeInstanceOf(AuthServerError);
    expect(e.error).toBe('invalid_grant');
    expect(e.errorDescription).toBe('Invalid user credentials');
    expect(e.status).toBe(401);
    expect(e.message).toContain('invalid_grant - Invalid user credentials');
  });

  it('reads Netrex free-text errors', () => {
    const e = parseErrorResponse({ error: 'Error message' }, 200)!;
    expect(e.code).toBe('ERR_AUTH_SERVER');
    expect(e.message).toContain('Error message');
  });

  it('reads the Myfox KO shape', () => {
    const e = parseErrorResponse({ status: 'KO', timestamp: 1569310000, error: 'invalid_token', error_description: 'The access token provided is invalid' }, 401)!;
    expect(e.error).toBe('invalid_token');
    expect(e.message).toContain('The access token provided is invalid');
  });

  it('returns undefined for a body that is not an error', () => {
    expect(parseErrorResponse({ access_token: 'a' }, 200)).toBeUndefined();
    expect(parseErrorResponse('error', 400)).toBeUndefined();
  });

  it('redacts secrets the server echoes and strips control characters', () => {
    const e = parseErrorResponse({ error: 'invalid_client', error_description: 'bad secret s3cr3t-value\u001b[31m' }, 401, 'token endpoint', ['s3cr3t-value'])!;
    expect(e.message).not.toContain('s3cr3t-value');
    expect(e.message).toContain('[redacted]');
    expect(e.message).not.toContain('\u001b');
  });
});

describe('processTokenResponse', () => {
  const response = (status: number, bodyText: string, json?: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers: new Headers(headers),
    bodyText,
    bodyBytes: Buffer.byteLength(bodyText),
    ...(json !== undefined ? { json } : {}),
  });

  it('prefers the OAuth error over the status', () => {
    expect(() => processTokenResponse(response(200, '', { error: 'x' }), NOW)).toThrow(AuthServerError);
  });

  it('reports JSON without an OAuth error on a non-2xx as ERR_HTTP_STATUS', () => {
    expect(() => processTokenResponse(response(503, '{"message":"maintenance"}', { message: 'maintenance' }), NOW)).toThrow(/HTTP 503.*maintenance/);
  });

  it('quotes at most about 200 characters of a non-2xx body', () => {
    try {
      processTokenResponse(response(502, 'x'.repeat(5000)), NOW);
      expect.unreachable();
    } catch (e) {
      expect((e as TransportError).code).toBe('ERR_HTTP_STATUS');
      expect((e as Error).message).toContain('xxxxxxxxxx');
      expect((e as Error).message.length).toBeLessThan(400);
    }
  });

  it('never quotes a 2xx body that is not JSON, naming its type and length instead (issue 9 item 1)', () => {
    const form = 'access_token=fresh-token-1f2e3d&token_type=bearer&expires_in=3600';
    const cut = '{"access_token":"fresh-token-4a5b6c","refresh_token":"fresh-refresh-7d8e9f';
    for (const [body, type] of [[form, 'application/x-www-form-urlencoded'], [cut, 'application/json'], ['x'.repeat(5000), 'text/plain']] as const) {
      try {
        processTokenResponse(response(200, body, undefined, { 'content-type': type }), NOW);
        expect.unreachable();
      } catch (e) {
        expect((e as TransportError).code).toBe('ERR_RESPONSE_NOT_JSON');
        const message = (e as Error).message;
        expect(message).toContain(`${Buffer.byteLength(body)} bytes of ${type}`);
        expect(message).not.toMatch(/fresh|xxxx|access_token/);
      }
    }
    expect(() => processTokenResponse(response(204, ''), NOW)).toThrow(/HTTP 204 with a body that is empty\./);
  });
});
