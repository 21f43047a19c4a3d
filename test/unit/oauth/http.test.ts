/** The transport rules that need no server: endpoint checks, Retry-After, static tokens. */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { runStaticGrant } from '../../../main/core/oauth/grants/static-token.js';
import { assertSecureEndpoint, displayUrl, retryAfterMs } from '../../../main/core/oauth/http.js';
import { buildTokenParams } from '../../../main/core/oauth/token-endpoint.js';
import type { AccountSettings } from '../../../shared/account.js';

describe('assertSecureEndpoint', () => {
  it('accepts https anywhere and http on loopback only', () => {
    expect(assertSecureEndpoint('https://so.yio.at/oauth/v2/token', 'token endpoint').host).toBe('so.yio.at');
    for (const ok of ['http://127.0.0.1:8080/t', 'http://[::1]:8080/t', 'http://localhost/t']) expect(() => assertSecureEndpoint(ok, 't')).not.toThrow();
    for (const bad of ['http://example.invalid/t', 'http://127.0.0.1.example.invalid/t', 'http://10.0.0.1/t', 'ftp://127.0.0.1/t', 'file:///etc/passwd', 'not a url']) {
      expect(() => assertSecureEndpoint(bad, 'token endpoint')).toThrow(expect.objectContaining({ kind: 'input' }));
    }
  });

  it('never shows a query or userinfo in messages', () => {
    expect.assertions(2);
    expect(displayUrl('https://user:pw@h.example/p?client_secret=s')).toBe('https://h.example/p?…');
    try {
      assertSecureEndpoint('http://user:pw@example.invalid/t?client_secret=topsecret', 'token endpoint');
    } catch (e) {
      expect((e as Error).message).not.toMatch(/topsecret|pw@/);
    }
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds, HTTP dates, and defaults to 1 s', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBe(1000);
    expect(retryAfterMs('soon', now)).toBe(1000);
  });
});

const base: AccountSettings = { name: 't', grant: 'static', clientAuth: 'none', scopes: [], scopeSeparator: ' ', extra: {} };

describe('buildTokenParams', () => {
  it('adds scope for grants that carry it, never for code or refresh, and lets extras add but not override', () => {
    const s = { ...base, scopes: ['read', 'write'], scopeSeparator: ',', extra: { token: { audience: 'a', grant_type: 'evil' } } };
    expect(buildTokenParams(s, 'token', { grant_type: 'client_credentials' })).toEqual({ grant_type: 'client_credentials', audience: 'a', scope: 'read,write' });
    expect(buildTokenParams(s, 'token', { grant_type: 'authorization_code', code: 'c' })).not.toHaveProperty('scope');
    expect(buildTokenParams(s, 'refresh', { grant_type: 'refresh_token', refresh_token: 'r' })).toEqual({ grant_type: 'refresh_token', refresh_token: 'r' });
  });
});

describe('runStaticGrant', () => {
  const ctx = { ports: { fetch: () => Promise.reject(new Error('no request expected')), clock: { now: () => 1_700_000_000_000 }, randomBytes: (n: number) => new Uint8Array(randomBytes(n)) } };

  it('takes the expiry of a JWT personal access token', async () => {
    const jwt = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(1_700_000_500).sign(new Uint8Array(32));
    expect(await runStaticGrant({ ...base, accessToken: jwt }, ctx)).toEqual({ accessToken: jwt, tokenType: 'Bearer', expiresAt: 1_700_000_500_000, obtainedAt: 1_700_000_000_000 });
  });

  it('leaves the expiry of an opaque token unknown and refuses a missing one', async () => {
    expect((await runStaticGrant({ ...base, accessToken: 'pat-opaque' }, ctx)).expiresAt).toBeUndefined();
    await expect(runStaticGrant(base, ctx)).rejects.toMatchObject({ code: 'ERR_INPUT_MISSING' });
  });
});
