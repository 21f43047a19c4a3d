/** Client authentication encodings on the wire (RFC 6749 2.3.1 and the seeds' variants). */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import { appendQuery, authenticateRequest, basicAuthorization, basicVariantsDiffer, formEncode } from '../../../main/core/oauth/client-auth.js';
import type { GrantContext } from '../../../main/core/oauth/context.js';
import { systemClock } from '../../../main/core/ports.js';

const ctx: GrantContext = {
  ports: { fetch: () => Promise.reject(new Error('no network in unit tests')), clock: systemClock, randomBytes: (n) => new Uint8Array(randomBytes(n)) },
};
const base: AccountSettings = { name: 't', grant: 'client_credentials', clientAuth: 'basic', clientId: 'id', clientSecret: 'secret', scopes: [], scopeSeparator: ' ', extra: {} };

describe('basic client authentication', () => {
  it('form-encodes id and secret before Base64 (space -> +, + -> %2B, : -> %3A, % -> %25)', () => {
    expect(formEncode('a b+c:d%e~*')).toBe('a+b%2Bc%3Ad%25e%7E*');
    const header = basicAuthorization('client+id %41', 'se:cret+ %2F', false);
    expect(Buffer.from(header.slice(6), 'base64').toString()).toBe('client%2Bid+%2541:se%3Acret%2B+%252F');
  });

  it('basic_raw sends the bytes as they are (UTF-8)', () => {
    const header = basicAuthorization('client+id %41', 'se:crét', true);
    expect(Buffer.from(header.slice(6), 'base64').toString('utf8')).toBe('client+id %41:se:crét');
  });

  it('knows when the two variants differ', () => {
    expect(basicVariantsDiffer('abc123', '789ghi-._*')).toBe(false);
    expect(basicVariantsDiffer('abc', 'a b')).toBe(true);
    expect(basicVariantsDiffer('a+b', 'x')).toBe(true);
  });
});

describe('authenticateRequest', () => {
  it('query puts every parameter in the URL and leaves the body empty', async () => {
    const wire = await authenticateRequest('query', base, 'https://system2.netrex.cz/oauth2/token', { grant_type: 'refresh_token', refresh_token: 'r 1' }, ctx);
    expect(wire.body).toBeUndefined();
    expect(wire.url).toBe('https://system2.netrex.cz/oauth2/token?grant_type=refresh_token&refresh_token=r+1&client_id=id&client_secret=secret');
    expect(wire.headers['Content-Type']).toBeUndefined();
  });

  it('body sends id and secret in the form; none sends only the id', async () => {
    expect(new URLSearchParams((await authenticateRequest('body', base, 'https://x/t', { grant_type: 'client_credentials' }, ctx)).body).get('client_secret')).toBe('secret');
    const none = new URLSearchParams((await authenticateRequest('none', base, 'https://x/t', { grant_type: 'password' }, ctx)).body);
    expect(none.get('client_id')).toBe('id');
    expect(none.has('client_secret')).toBe(false);
  });

  it('keeps the URL exactly as given (trailing slash, existing query)', async () => {
    expect((await authenticateRequest('basic', base, 'https://api.asi.swiss/oauth2/token/', {}, ctx)).url).toBe('https://api.asi.swiss/oauth2/token/');
    expect(appendQuery('https://h/p/?a=1', new URLSearchParams({ b: '2' }))).toBe('https://h/p/?a=1&b=2');
    expect(appendQuery('https://h/p/#frag', new URLSearchParams({ b: '2' }))).toBe('https://h/p/?b=2');
  });

  it('refuses basic without a secret, naming the field but no value', async () => {
    await expect(authenticateRequest('basic', { ...base, clientSecret: undefined }, 'https://x/t', {}, ctx)).rejects.toMatchObject({ code: 'ERR_INPUT_MISSING' });
  });
});
