/**
 * Servers that echo what they were sent, or answer 200 with the token in a
 * body that is not JSON (issue 9 item 1, SPEC 3): no secret reaches an error
 * message in any form it can take on the way back. The judge is the
 * independent leak scan (test/integration/security/secret-scan.ts), which
 * looks for each secret raw, form-encoded with `+` and `%20`, URL-encoded,
 * JSON-escaped and in the Base64 of both HTTP Basic variants.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import { TransportError } from '../../../main/core/errors.js';
import { runPasswordGrant } from '../../../main/core/oauth/grants/password.js';
import { refreshAccessToken } from '../../../main/core/oauth/grants/refresh-token.js';
import { revokeToken } from '../../../main/core/oauth/revoke.js';
import type { ProviderServer } from '../../fixtures/provider-server.js';
import { startProviderServer } from '../../fixtures/provider-server.js';
import { secretsIn, type Secret } from '../security/secret-scan.js';
import { caught, makeContext, settings } from './support.js';

let server: ProviderServer;
beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server.close();
});

// Characters that every encoding writes differently: space, +, /, @, %, &, =, :, ", \, é.
const CLIENT_ID = 'echo client+1';
const CLIENT_SECRET = 'cl!ent:s3cr3t +/=%&"\\é-echo';
const PASSWORD = 'P@ss word+/é"\\&=%x-echo-9';
const API_KEY = 'extra-api-key+/ 7c1e-echo';
const REFRESH = 'stored-refresh token+/=-echo';

const SECRETS: Secret[] = [
  { label: 'client secret', value: CLIENT_SECRET, clientId: CLIENT_ID },
  { label: 'password', value: PASSWORD },
  { label: 'extra api_key', value: API_KEY },
  { label: 'refresh token', value: REFRESH },
];

function echoAccount(route: string, overrides: Partial<AccountSettings> = {}): AccountSettings {
  return settings({
    grant: 'password',
    tokenUrl: `${server.url}/hostile/${route}`,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    clientAuth: 'body',
    username: 'echo-user',
    password: PASSWORD,
    extra: { token: { api_key: API_KEY }, refresh: { api_key: API_KEY } },
    ...overrides,
  });
}

/** Every message in the error and its causes. */
function messages(error: unknown): string {
  const out: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) out.push(current.message);
  return out.join('\n');
}

/** What the echo route echoed last, as it arrived: proves the secret really went out (so the echo really carried it). */
function lastEcho(): string {
  return server.hostile.echoed.at(-1)!;
}

describe('a 200 that is not JSON is never quoted', () => {
  it('a form-encoded 200 (access_token=...&expires_in=...) names its type and length, not the token', async () => {
    const error = await caught(() => runPasswordGrant(echoAccount('form-200'), makeContext()));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('ERR_RESPONSE_NOT_JSON');
    expect(error.message).toMatch(/HTTP 200 with a body that is not JSON \(or is cut short\): \d+ bytes of application\/x-www-form-urlencoded/);
    const issued = server.hostile.issuedTokens.slice(-2).map((value, i) => ({ label: `issued #${i}`, value }));
    expect(secretsIn(messages(error), [...SECRETS, ...issued])).toEqual([]);
    expect(error.message).not.toContain('access_token=');
  });

  it('a 200 cut short after "refresh_token":"... names neither token', async () => {
    const error = await caught(() => runPasswordGrant(echoAccount('truncated-refresh-200'), makeContext()));
    expect(error.code).toBe('ERR_RESPONSE_NOT_JSON');
    expect(error.message).toMatch(/cut short\): \d+ bytes of application\/json/);
    const [access, refresh] = server.hostile.issuedTokens.slice(-2);
    expect(access).toMatch(/^hostile-cut-/);
    expect(refresh).toMatch(/^hostile-cut-refresh-/);
    expect(secretsIn(messages(error), [...SECRETS, { label: 'access', value: access! }, { label: 'refresh', value: refresh! }])).toEqual([]);
  });
});

describe('a refusal that echoes the request is quoted redacted', () => {
  for (const as of ['text', 'json', 'html']) {
    it(`the form body echoed as ${as}: password, client secret and extra value in no form`, async () => {
      const route = `echo-body?as=${as}`;
      const error = await caught(() => runPasswordGrant(echoAccount(route), makeContext()));
      // The wire really carried the form-encoded secrets (P%40ss+word%2B...).
      expect(lastEcho()).toContain(new URLSearchParams({ password: PASSWORD }).toString());
      expect(error.code).toBe(as === 'json' ? 'ERR_AUTH_SERVER' : 'ERR_HTTP_STATUS');
      expect(error.message).toContain('HTTP 400');
      expect(error.message).toContain('[redacted]');
      expect(error.message).toContain('echo-user'); // the rest of the echo is still there to read
      expect(secretsIn(messages(error), SECRETS)).toEqual([]);
    });
  }

  it('the body echoed with %20 for spaces instead of + is redacted too', async () => {
    // The query style puts everything in the URL; the echo route prints it back as it arrived.
    const error = await caught(() => runPasswordGrant(echoAccount('echo-body?as=text', { clientAuth: 'query' }), makeContext()));
    expect(lastEcho()).toContain(`client_secret=${encodeForm(CLIENT_SECRET)}`);
    expect(secretsIn(messages(error), SECRETS)).toEqual([]);
  });

  it('the Authorization header echoed after basic and basic_raw: neither Base64 variant appears', async () => {
    const ctx = makeContext();
    const error = await caught(() => runPasswordGrant(echoAccount('echo-auth?as=json', { clientAuth: 'basic' }), ctx));
    // Both variants were tried (the credentials differ under form-encoding) and both were echoed.
    expect(server.hostile.echoed.slice(-2)).toEqual([
      `Basic ${Buffer.from(`${encodeForm(CLIENT_ID)}:${encodeForm(CLIENT_SECRET)}`).toString('base64')}`,
      `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
    ]);
    expect(error.code).toBe('ERR_AUTH_SERVER');
    expect(error.message).toContain('Rejected Authorization: Basic [redacted]');
    expect(secretsIn(messages(error), SECRETS)).toEqual([]);
  });

  it('the Authorization header echoed as plain text is redacted', async () => {
    const error = await caught(() => runPasswordGrant(echoAccount('echo-auth?as=text', { clientAuth: 'basic_raw' }), makeContext()));
    expect(error.code).toBe('ERR_HTTP_STATUS');
    expect(error.message).toContain('Unauthorized: Basic [redacted]');
    expect(secretsIn(messages(error), SECRETS)).toEqual([]);
  });

  it('a refresh whose refusal echoes the refresh token', async () => {
    const error = await caught(() => refreshAccessToken(echoAccount('echo-body?as=json'), REFRESH, makeContext()));
    expect(error.code).toBe('ERR_AUTH_SERVER');
    expect(secretsIn(messages(error), SECRETS)).toEqual([]);
  });

  it('a revocation whose refusal echoes the token and the client secret', async () => {
    const error = await caught(() => revokeToken(echoAccount('echo-body', { revokeUrl: `${server.url}/hostile/echo-body?as=text` }), REFRESH, 'refresh_token', makeContext()));
    expect(error.code).toBe('ERR_HTTP_STATUS');
    expect(secretsIn(messages(error), SECRETS)).toEqual([]);
  });

  it('a redirect whose Location path echoes the form body', async () => {
    const error = await caught(() => runPasswordGrant(echoAccount('redirect-echo'), makeContext()));
    expect(error.code).toBe('ERR_REDIRECT');
    expect(error.message).toContain('/hostile/elsewhere/');
    expect(lastEcho()).toContain(`password=${encodeForm(PASSWORD)}`);
    expect(secretsIn(messages(error), SECRETS)).toEqual([]);
    expect(secretsIn(String((error as TransportError).location), SECRETS)).toEqual([]);
  });

  it('redacts the secrets the caller knows (ctx.knownSecrets: stored tokens) as well', async () => {
    const stored = 'stored-access-token/+=-known-42';
    // The echo route also prints the query: the token endpoint URL carries the stored token here, as a stand-in
    // for any server text that happens to name it.
    const route = `echo-body?as=text&hint=${encodeURIComponent(stored)}`;
    const known = await caught(() => runPasswordGrant(echoAccount(route), makeContext({ knownSecrets: [stored] })));
    expect(secretsIn(messages(known), [{ label: 'stored', value: stored }])).toEqual([]);
    // The same without knownSecrets shows it: the test can fail.
    const unknown = await caught(() => runPasswordGrant(echoAccount(route), makeContext()));
    expect(secretsIn(messages(unknown), [{ label: 'stored', value: stored }])).toEqual(['stored']);
  });
});

function encodeForm(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
