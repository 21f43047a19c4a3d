/**
 * The Authorization header value (issue 9 item 5): always exactly one header,
 * `Bearer` for any case of bearer, and a bad type saved by an older version
 * refused instead of pasted into a script's `curl -H`.
 */
import { describe, expect, it } from 'vitest';
import { formatToken } from '../../../main/cli/output.js';
import { authorizationHeaderValue } from '../../../main/core/oauth/authorization-header.js';
import type { TokenSet } from '../../../shared/account.js';

const token = (tokenType: string, accessToken = 'abc.def-ghi'): TokenSet => ({ accessToken, tokenType, obtainedAt: 0 });

describe('authorizationHeaderValue', () => {
  it('writes "Bearer <token>" for any case of bearer and for no type (Vyopta: "the word Bearer, a single space and then the token")', () => {
    for (const type of ['Bearer', 'bearer', 'BEARER', 'bEARer', '']) expect(authorizationHeaderValue(token(type))).toBe('Bearer abc.def-ghi');
  });

  it('keeps another scheme that is an RFC 7230 token', () => {
    expect(authorizationHeaderValue(token('DPoP'))).toBe('DPoP abc.def-ghi');
  });

  it('refuses a type or token saved by an older version that would break or add a header', () => {
    for (const bad of [token('Bearer\r\nX-Injected: evil'), token('Bearer x'), token('Bearer', 'abc\r\nX-Injected: evil'), token('Bearer', 'two words')]) {
      expect(() => authorizationHeaderValue(bad)).toThrow(expect.objectContaining({ kind: 'transport', code: 'ERR_RESPONSE_INVALID' }));
    }
    try {
      authorizationHeaderValue(token('Bearer\r\nX-Injected: evil'));
    } catch (error) {
      expect((error as Error).message).not.toMatch(/[\r\n]/);
    }
  });
});

describe('tokendesk token --format header', () => {
  it('writes the header through the same rule', () => {
    expect(formatToken({ ...token('bearer'), hasRefreshToken: false }, 'header')).toBe('Authorization: Bearer abc.def-ghi\n');
    expect(() => formatToken({ ...token('Bearer\r\nX-Injected: evil'), hasRefreshToken: false }, 'header')).toThrow(expect.objectContaining({ code: 'ERR_RESPONSE_INVALID' }));
  });
});
