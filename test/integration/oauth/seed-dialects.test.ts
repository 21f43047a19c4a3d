/**
 * Each seed provider's dialect end to end: the real token-endpoint client
 * against the fixture server that reproduces the seed documents.
 */
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import { AuthServerError, TransportError } from '../../../main/core/errors.js';
import { basicAuthorization } from '../../../main/core/oauth/client-auth.js';
import { runClientCredentialsGrant } from '../../../main/core/oauth/grants/client-credentials.js';
import { runPasswordGrant } from '../../../main/core/oauth/grants/password.js';
import { refreshAccessToken } from '../../../main/core/oauth/grants/refresh-token.js';
import { createJwtAssertion } from '../../../main/core/oauth/jwt-assertion.js';
import { requestTokens } from '../../../main/core/oauth/token-endpoint.js';
import { parseErrorResponse } from '../../../main/core/oauth/token-response.js';
import type { ProviderServer } from '../../fixtures/provider-server.js';
import { startProviderServer } from '../../fixtures/provider-server.js';
import { caught, insidersSettings, makeContext, messageContainsAny, settings } from './support.js';

let server: ProviderServer;
beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.setBehaviour({ insidersBasicDecoding: 'rfc', myfoxBasicDecoding: 'raw', myfiberOmitExpiresIn: false, myfiberExpiresInAsString: false, netrexErrorStatus: 400 });
  server.setClient('insiders', { clientId: 'abc123def456', clientSecret: '789ghi123klm' });
});

/** Follows one fixture authorize endpoint by hand (B's grant does this through the browser). */
async function authorizeCode(path: string, query: Record<string, string>): Promise<string> {
  const res = await fetch(`${server.url}${path}?${new URLSearchParams(query).toString()}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  expect(location.searchParams.get('state')).toBe(query.state);
  return location.searchParams.get('code')!;
}

describe('myfiber (Zitadel): client_credentials with body authentication', () => {
  const myfiber = () =>
    settings({
      tokenUrl: `${server.url}/myfiber/oauth/v2/token`,
      clientId: server.clients.myfiber.clientId,
      clientSecret: server.clients.myfiber.clientSecret,
      clientAuth: 'body',
      scopes: ['openid', 'profile', 'urn:zitadel:iam:org:project:id:306635992142446597:aud'],
    });

  it('sends the seed request and parses the Keycloak-style response (refresh_expires_in 0, not-before-policy)', async () => {
    const ctx = makeContext();
    const before = Date.now();
    const token = await runClientCredentialsGrant(myfiber(), ctx);
    const [sent] = server.requestsTo('/myfiber/');
    expect(sent!.method).toBe('POST');
    expect(sent!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent!.headers.accept).toBe('application/json');
    expect(sent!.headers.authorization).toBeUndefined();
    expect(sent!.form).toEqual({
      grant_type: 'client_credentials',
      client_id: 'myfiber-client',
      client_secret: 'myfiber-secret-0001',
      scope: 'openid profile urn:zitadel:iam:org:project:id:306635992142446597:aud',
    });
    expect(token.tokenType).toBe('Bearer');
    expect(token.scope).toBe('openid profile urn:zitadel:iam:org:project:id:306635992142446597:aud');
    expect(token.expiresAt! - before).toBeGreaterThanOrEqual(299_000);
    expect(token.expiresAt! - Date.now()).toBeLessThanOrEqual(300_000);
    expect(token.refreshToken).toBeUndefined();
    expect(token.refreshExpiresAt).toBeUndefined();
    expect(decodeJwt(token.accessToken).sub).toBe('myfiber-client');
  });

  it('falls back to the JWT exp when expires_in is missing', async () => {
    server.setBehaviour({ myfiberOmitExpiresIn: true });
    const token = await runClientCredentialsGrant(myfiber(), makeContext());
    expect(token.expiresAt).toBe(decodeJwt(token.accessToken).exp! * 1000);
  });

  it('accepts expires_in as a numeric string', async () => {
    server.setBehaviour({ myfiberExpiresInAsString: true });
    const before = Date.now();
    const token = await runClientCredentialsGrant(myfiber(), makeContext());
    expect(token.expiresAt! - before).toBeGreaterThanOrEqual(299_000);
    expect(token.expiresAt! - before).toBeLessThan(305_000);
  });

  it('joins scopes with the account separator and merges [extra.token]', async () => {
    await runClientCredentialsGrant({ ...myfiber(), scopes: ['read', 'write'], scopeSeparator: ',', extra: { token: { audience: 'api://x' } } }, makeContext());
    const [sent] = server.requestsTo('/myfiber/');
    expect(sent!.body).toContain('scope=read%2Cwrite');
    expect(sent!.form.scope).toBe('read,write');
    expect(sent!.form.audience).toBe('api://x');
  });

  it('omits scope when the account has none', async () => {
    await runClientCredentialsGrant({ ...myfiber(), scopes: [] }, makeContext());
    expect(server.requestsTo('/myfiber/')[0]!.form).not.toHaveProperty('scope');
  });

  it('reports a wrong secret as the server refusal without echoing the secret', async () => {
    const wrong = 'wrong-secret-value-123';
    const error = await caught(() => runClientCredentialsGrant({ ...myfiber(), clientSecret: wrong }, makeContext()));
    expect(error).toBeInstanceOf(AuthServerError);
    expect(error.code).toBe('ERR_AUTH_SERVER');
    expect(error.message).toContain('invalid_client');
    expect(error.message).toContain('client authentication failed');
    expect(messageContainsAny(error, [wrong])).toBeUndefined();
  });

  describe('with a registered service-account key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    beforeAll(() => {
      server.registerJwtKey('130509901696068329', publicKey.export({ type: 'spki', format: 'pem' }).toString(), '180507859606888466');
    });
    const key = { type: 'serviceaccount' as const, keyId: '130509901696068329', key: pkcs1, userId: '180507859606888466' };

    it('redeems a PKCS#1-signed jwt-bearer assertion whose aud is the issuer', async () => {
      const ctx = makeContext();
      const assertion = await createJwtAssertion(key, server.myfiberIssuer, ctx.ports);
      const ok = await requestTokens(
        settings({ tokenUrl: `${server.url}/myfiber/oauth/v2/token`, clientAuth: 'none', scopes: ['openid'] }),
        'token',
        { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion },
        ctx,
      );
      expect(decodeJwt(ok.accessToken).sub).toBe('180507859606888466');
      expect(server.requestsTo('/myfiber/').at(-1)!.form).toEqual({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, scope: 'openid' });
    });

    it('authenticates client_credentials with private_key_jwt (aud = token URL)', async () => {
      const tokenUrl = `${server.url}/myfiber/oauth/v2/token`;
      const token = await runClientCredentialsGrant(settings({ tokenUrl, clientAuth: 'private_key_jwt', key }), makeContext());
      expect(token.accessToken).toBeTruthy();
      const sent = server.requestsTo('/myfiber/').at(-1)!;
      expect(sent.form.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      expect(decodeJwt(sent.form.client_assertion!).aud).toBe(tokenUrl);
      expect(decodeProtectedHeader(sent.form.client_assertion!).kid).toBe('130509901696068329');
      expect(sent.form).not.toHaveProperty('client_secret');
    });

    it('is refused when the assertion names another audience', async () => {
      const ctx = makeContext();
      const assertion = await createJwtAssertion(key, 'https://elsewhere.example', ctx.ports);
      const error = await caught(() =>
        requestTokens(settings({ tokenUrl: `${server.url}/myfiber/oauth/v2/token`, clientAuth: 'none', clientId: 'x' }), 'token', { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }, ctx),
      );
      expect(error.code).toBe('ERR_AUTH_SERVER');
      expect(error.message).toContain('invalid_grant');
    });
  });
});

describe('Vyopta (Keycloak): password grant for the public client', () => {
  const vyopta = () =>
    settings({
      grant: 'password',
      tokenUrl: `${server.url}/vyopta/auth/realms/vyopta/protocol/openid-connect/token`,
      clientId: 'vyopta',
      clientAuth: 'none',
      username: server.users.vyopta.username,
      password: server.users.vyopta.password,
    });

  it('sends client_id in the body only and normalises token_type "bearer"', async () => {
    const before = Date.now();
    const token = await runPasswordGrant(vyopta(), makeContext());
    const [sent] = server.requestsTo('/vyopta/');
    expect(sent!.form).toEqual({ grant_type: 'password', username: 'jane@vyopta.example', password: 'vyopta-pass-0001', client_id: 'vyopta' });
    expect(sent!.headers.authorization).toBeUndefined();
    expect(token.tokenType).toBe('Bearer');
    expect(token.scope).toBe('email profile');
    expect(token.refreshExpiresAt! - before).toBeGreaterThanOrEqual(1_799_000);
    expect(token.expiresAt! - before).toBeLessThan(301_000);
  });

  it('reports the refused refresh with the server text (Keycloak "not implemented")', async () => {
    const ctx = makeContext();
    const first = await runPasswordGrant(vyopta(), ctx);
    const error = await caught(() => refreshAccessToken(vyopta(), first.refreshToken!, ctx));
    expect(error).toBeInstanceOf(AuthServerError);
    expect(error.message).toContain('invalid_grant');
    expect(error.message).toContain('not implemented');
    expect(messageContainsAny(error, [first.refreshToken!, first.accessToken])).toBeUndefined();
  });

  it('reports a wrong password as invalid_grant and never quotes it', async () => {
    const error = await caught(() => runPasswordGrant({ ...vyopta(), password: 'not-the-password-42' }, makeContext()));
    expect(error).toBeInstanceOf(AuthServerError);
    expect((error as unknown as AuthServerError).error).toBe('invalid_grant');
    expect((error as unknown as AuthServerError).status).toBe(401);
    expect(error.message).toContain('Invalid user credentials');
    expect(messageContainsAny(error, ['not-the-password-42'])).toBeUndefined();
  });

  it('refuses to start without a username, before any request', async () => {
    const ctx = makeContext();
    const error = await caught(() => runPasswordGrant({ ...vyopta(), username: undefined }, ctx));
    expect(error.code).toBe('ERR_INPUT_MISSING');
    expect(error.message).toContain('The password grant needs username');
    expect(ctx.fetched).toEqual([]);
  });
});

describe('Insiders (Basic auth, mandatory trailing slash)', () => {
  const special = { clientId: 'client+id %41', clientSecret: 'se:cret+ %2F' };
  const insiders = (overrides: Partial<AccountSettings> = {}) => insidersSettings(server, overrides);

  it('keeps the trailing slash and sends RFC 6749 form-encoded Basic credentials', async () => {
    server.setClient('insiders', special);
    const ctx = makeContext();
    const token = await runPasswordGrant(insiders(special), ctx);
    const sent = server.requestsTo('/insiders/');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.path).toBe('/insiders/oauth2/token/');
    expect(ctx.fetched[0]).toBe(`${server.url}/insiders/oauth2/token/`);
    const expected = `Basic ${Buffer.from('client%2Bid+%2541:se%3Acret%2B+%252F').toString('base64')}`;
    expect(sent[0]!.headers.authorization).toBe(expected);
    expect(sent[0]!.form).toEqual({ grant_type: 'password', username: 'john.doe@example.org', password: 'mysecurepassword', scope: 'all' });
    expect(token.scope).toBe('all');
    expect(ctx.learned).toEqual([]);
  });

  it('falls back once to basic_raw when a non-decoding server says invalid_client, and reports it', async () => {
    server.setClient('insiders', special);
    server.setBehaviour({ insidersBasicDecoding: 'raw' });
    const ctx = makeContext();
    const token = await runPasswordGrant(insiders(special), ctx);
    expect(token.accessToken).toBeTruthy();
    const sent = server.requestsTo('/insiders/');
    expect(sent.map((r) => r.headers.authorization)).toEqual([
      `Basic ${Buffer.from('client%2Bid+%2541:se%3Acret%2B+%252F').toString('base64')}`,
      `Basic ${Buffer.from('client+id %41:se:cret+ %2F').toString('base64')}`,
    ]);
    expect(ctx.learned).toEqual(['basic_raw']);
  });

  it('sends basic_raw bytes unencoded when configured', async () => {
    server.setClient('insiders', special);
    server.setBehaviour({ insidersBasicDecoding: 'raw' });
    const ctx = makeContext();
    await runPasswordGrant(insiders({ ...special, clientAuth: 'basic_raw' }), ctx);
    const sent = server.requestsTo('/insiders/');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.authorization).toBe(basicAuthorization('client+id %41', 'se:cret+ %2F', true));
    expect(ctx.learned).toEqual([]);
  });

  it('does not retry when the credentials encode the same both ways', async () => {
    const ctx = makeContext();
    const error = await caught(() => runPasswordGrant(insiders({ clientSecret: 'plainwrongsecret' }), ctx));
    expect(error.code).toBe('ERR_AUTH_SERVER');
    expect(error.message).toContain('invalid_client');
    expect(server.requestsTo('/insiders/')).toHaveLength(1);
  });

  it('retries at most once and reports the original refusal when basic_raw fails too', async () => {
    const ctx = makeContext();
    const error = await caught(() => runPasswordGrant(insiders({ clientSecret: 'wrong secret+%' }), ctx));
    expect((error as unknown as AuthServerError).error).toBe('invalid_client');
    expect(server.requestsTo('/insiders/')).toHaveLength(2);
    expect(ctx.learned).toEqual([]);
    expect(messageContainsAny(error, ['wrong secret+%', 'mysecurepassword'])).toBeUndefined();
  });

  it('reports the redirect of a URL without the trailing slash, naming the Location, and does not follow it', async () => {
    const error = await caught(() => runPasswordGrant(insiders({ tokenUrl: `${server.url}/insiders/oauth2/token` }), makeContext()));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('ERR_REDIRECT');
    expect((error as unknown as TransportError).location).toBe(`${server.url}/insiders/oauth2/token/`);
    expect(error.message).toContain(`${server.url}/insiders/oauth2/token/`);
    expect(server.requestsTo('/insiders/').map((r) => r.path)).toEqual(['/insiders/oauth2/token']);
  });

  it('refreshes with Basic auth and stores the rotated refresh token', async () => {
    const ctx = makeContext();
    const first = await runPasswordGrant(insiders(), ctx);
    const second = await refreshAccessToken(insiders(), first.refreshToken!, ctx);
    expect(second.refreshToken).toBeTruthy();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const sent = server.requestsTo('/insiders/').at(-1)!;
    expect(sent.form).toEqual({ grant_type: 'refresh_token', refresh_token: first.refreshToken });
    expect(sent.headers.authorization).toMatch(/^Basic /);
  });

  it('redeems an authorization code from its authorize endpoint with the PKCE verifier', async () => {
    const redirectUri = 'http://127.0.0.1:8000/authorized/';
    const verifier = 'v'.repeat(50);
    const { createHash } = await import('node:crypto');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const code = await authorizeCode('/insiders/oauth2/authorize/', {
      client_id: server.clients.insiders.clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      state: 's1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(server.codes.get(code)!.codeChallenge).toBe(challenge);
    const wrong = await caught(() =>
      requestTokens(insiders(), 'token', { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: 'w'.repeat(50) }, makeContext()),
    );
    expect(wrong.message).toContain('code_verifier');
    const code2 = await authorizeCode('/insiders/oauth2/authorize/', {
      client_id: server.clients.insiders.clientId,
      redirect_uri: redirectUri,
      state: 's2',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const token = await requestTokens(insiders(), 'token', { grant_type: 'authorization_code', code: code2, redirect_uri: redirectUri, code_verifier: verifier }, makeContext());
    expect(token.refreshToken).toBeTruthy();
    expect(server.requestsTo('/insiders/oauth2/token/').at(-1)!.form).not.toHaveProperty('scope');
  });
});

describe('Myfox (Basic or body auth, "scope": null)', () => {
  const myfox = (overrides = {}) =>
    settings({
      grant: 'password',
      tokenUrl: `${server.url}/myfox/oauth2/token`,
      clientId: server.clients.myfox.clientId,
      clientSecret: server.clients.myfox.clientSecret,
      clientAuth: 'body',
      username: server.users.myfox.username,
      password: server.users.myfox.password,
      ...overrides,
    });

  it('takes the password grant with body auth and reads "scope": null as no scope', async () => {
    const before = Date.now();
    const token = await runPasswordGrant(myfox(), makeContext());
    expect(token.scope).toBeUndefined();
    expect(token.tokenType).toBe('Bearer');
    expect(token.expiresAt! - before).toBeGreaterThanOrEqual(3_599_000);
    expect(token.refreshToken).toBeTruthy();
    expect(server.requestsTo('/myfox/')[0]!.form).toMatchObject({ client_id: 'myfox-client', client_secret: 'myfox-secret-0001' });
  });

  it('takes the password grant with Basic auth (curl -u)', async () => {
    const token = await runPasswordGrant(myfox({ clientAuth: 'basic' }), makeContext());
    expect(token.accessToken).toBeTruthy();
    const [sent] = server.requestsTo('/myfox/');
    expect(sent!.headers.authorization).toBe(`Basic ${Buffer.from('myfox-client:myfox-secret-0001').toString('base64')}`);
    expect(sent!.form).not.toHaveProperty('client_secret');
  });

  it('keeps the old refresh token when the refresh response has none', async () => {
    const ctx = makeContext();
    const first = await runPasswordGrant(myfox({ clientAuth: 'basic' }), ctx);
    const second = await refreshAccessToken(myfox({ clientAuth: 'basic' }), first.refreshToken!, ctx);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshToken).toBe(first.refreshToken);
    expect(server.requestsTo('/myfox/').at(-1)!.form).toEqual({ grant_type: 'refresh_token', refresh_token: first.refreshToken });
  });

  it('parses the Myfox API 401 {"status":"KO"} shape as an AuthServerError quoting error and description', async () => {
    const res = await fetch(`${server.url}/myfox/api/v2/client/site/items`, { headers: { Authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    const error = parseErrorResponse(await res.json(), res.status, 'Myfox API');
    expect(error).toBeInstanceOf(AuthServerError);
    expect(error!.code).toBe('ERR_AUTH_SERVER');
    expect(error!.error).toBe('invalid_token');
    expect(error!.message).toContain('invalid_token');
    expect(error!.message).toContain('The access token provided is invalid');
  });

  it('a token it issued passes its API', async () => {
    const token = await runPasswordGrant(myfox(), makeContext());
    const res = await fetch(`${server.url}/myfox/api/v2/client/site/items`, { headers: { Authorization: `Bearer ${token.accessToken}` } });
    expect(res.status).toBe(200);
  });
});

describe('Netrex (every parameter in the query string)', () => {
  const netrex = (overrides = {}) =>
    settings({
      grant: 'authorization_code',
      tokenUrl: `${server.url}/netrex/oauth2/token`,
      clientId: server.clients.netrex.clientId,
      clientSecret: server.clients.netrex.clientSecret,
      clientAuth: 'query',
      scopes: ['read', 'write'],
      scopeSeparator: ',',
      ...overrides,
    });
  const redirectUri = 'https://your-domain.example/somewhere';

  async function netrexCode(): Promise<string> {
    return authorizeCode('/netrex/oauth2/auth/', { response_type: 'code', client_id: server.clients.netrex.clientId, redirect_uri: redirectUri, scope: 'read,write', state: 'n1' });
  }

  it('POSTs with an empty body and reads a response without token_type as Bearer', async () => {
    const code = await netrexCode();
    expect(server.codes.get(code)!.scope).toBe('read,write');
    const token = await requestTokens(netrex(), 'token', { grant_type: 'authorization_code', code, redirect_uri: redirectUri }, makeContext());
    const sent = server.requestsTo('/netrex/oauth2/token')[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.body).toBe('');
    expect(sent.headers['content-type']).toBeUndefined();
    expect(sent.query).toEqual({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'netrex-client', client_secret: 'netrex-secret-0001' });
    expect(token.tokenType).toBe('Bearer');
    expect(token.refreshToken).toBeTruthy();
  });

  it('refreshes through the query string', async () => {
    const ctx = makeContext();
    const first = await requestTokens(netrex(), 'token', { grant_type: 'authorization_code', code: await netrexCode(), redirect_uri: redirectUri }, ctx);
    const second = await refreshAccessToken(netrex(), first.refreshToken!, ctx);
    expect(second.accessToken).not.toBe(first.accessToken);
    const sent = server.requestsTo('/netrex/oauth2/token').at(-1)!;
    expect(sent.body).toBe('');
    expect(sent.query.grant_type).toBe('refresh_token');
    expect(sent.query.refresh_token).toBe(first.refreshToken);
  });

  it('reports {"error":"Error message"} free text, with any status, without the secret', async () => {
    for (const status of [400, 200]) {
      server.setBehaviour({ netrexErrorStatus: status });
      const error = await caught(() => requestTokens(netrex({ clientSecret: 'bad-netrex-secret' }), 'token', { grant_type: 'authorization_code', code: 'x', redirect_uri: redirectUri }, makeContext()));
      expect(error).toBeInstanceOf(AuthServerError);
      expect(error.code).toBe('ERR_AUTH_SERVER');
      expect(error.message).toContain('Invalid client secret');
      expect(messageContainsAny(error, ['bad-netrex-secret'])).toBeUndefined();
    }
  });
});
