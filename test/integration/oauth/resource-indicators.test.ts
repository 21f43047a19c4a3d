/**
 * RFC 8707 on the wire, as the fixture server received it: `resource` once
 * per value (`resource=a&resource=b`, never joined) and `audience` once, on
 * the authorization request, every grant's token request and the refresh;
 * an extra parameter of the same name (saved by an older version, past the
 * importer) never adds a second copy.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import { runClientCredentialsGrant } from '../../../main/core/oauth/grants/client-credentials.js';
import { runJwtBearerGrant } from '../../../main/core/oauth/grants/jwt-bearer.js';
import { runPasswordGrant } from '../../../main/core/oauth/grants/password.js';
import { refreshAccessToken } from '../../../main/core/oauth/grants/refresh-token.js';
import { revokeToken } from '../../../main/core/oauth/revoke.js';
import type { CorePorts } from '../../../main/core/ports.js';
import { systemClock } from '../../../main/core/ports.js';
import type { ProviderServer, RecordedRequest } from '../../fixtures/provider-server.js';
import { startProviderServer } from '../../fixtures/provider-server.js';
import { insidersSettings, settings, signInAtSeedServer } from './support.js';

const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: systemClock, randomBytes: (n) => new Uint8Array(randomBytes(n)) };
const RESOURCES = ['https://api.example/a', 'https://api.example/b?tenant=1'];
const AUDIENCE = 'https://api.example/';
const TARGET = { resource: RESOURCES, audience: AUDIENCE };
/** What an older version may have saved beside the settings: each would be a second copy. */
const STALE_EXTRAS = { resource: 'https://stale.example/', Audience: 'stale-audience', keep: 'me' };

let server: ProviderServer;
beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server.close();
});

/** The form body as the server received it, or the query for a request that carries its parameters there. */
function received(request: RecordedRequest | undefined, where: 'body' | 'query' = 'body'): URLSearchParams {
  expect(request, 'the server received no such request').toBeDefined();
  return new URLSearchParams(where === 'body' ? request!.body : request!.rawQuery);
}

function expectTarget(params: URLSearchParams): void {
  expect(params.getAll('resource')).toEqual(RESOURCES);
  // Case-folded: a server that folds names must not see a second audience either.
  expect([...params.keys()].filter((k) => k.toLowerCase() === 'audience')).toEqual(['audience']);
  expect(params.getAll('audience')).toEqual([AUDIENCE]);
}

describe('resource and audience on the wire (fixture server)', () => {
  it('client_credentials with body authentication: both resources and the audience in the token request', async () => {
    const account = settings({
      tokenUrl: `${server.url}/myfiber/oauth/v2/token`,
      clientId: server.clients.myfiber.clientId,
      clientSecret: server.clients.myfiber.clientSecret!,
      clientAuth: 'body',
      ...TARGET,
      extra: { token: STALE_EXTRAS },
    });
    expect((await runClientCredentialsGrant(account, { ports })).accessToken).toBeTruthy();
    const form = received(server.requestsTo('/myfiber/oauth/v2/token').at(-1));
    expectTarget(form);
    expect(form.get('keep')).toBe('me');
    // Repeated, not joined: the raw body names resource twice.
    expect(server.requestsTo('/myfiber/oauth/v2/token').at(-1)!.body.match(/(?:^|&)resource=/g)).toHaveLength(2);
  });

  it('password grant and its refresh: both carry the resources and the audience', async () => {
    const account = insidersSettings(server, { ...TARGET, extra: { token: STALE_EXTRAS, refresh: STALE_EXTRAS } });
    const tokens = await runPasswordGrant(account, { ports });
    expectTarget(received(server.requestsTo('/insiders/oauth2/token/').at(-1)));
    await refreshAccessToken(account, tokens.refreshToken!, { ports });
    const refresh = received(server.requestsTo('/insiders/oauth2/token/').at(-1));
    expect(refresh.get('grant_type')).toBe('refresh_token');
    expectTarget(refresh);
  });

  it('revocation carries neither (RFC 7009 names the token, not its target)', async () => {
    const account = insidersSettings(server, TARGET);
    const tokens = await runPasswordGrant(account, { ports });
    await revokeToken(account, tokens.accessToken, 'access_token', { ports });
    const form = received(server.requestsTo('/insiders/oauth2/revoke-token/').at(-1));
    expect(form.has('resource')).toBe(false);
    expect(form.has('audience')).toBe(false);
  });

  it('jwt_bearer without client authentication: the resources and the audience beside the assertion', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    server.registerJwtKey('resource-key', publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'resource-user');
    const account = settings({
      grant: 'jwt_bearer',
      tokenUrl: `${server.url}/myfiber/oauth/v2/token`,
      issuer: server.myfiberIssuer,
      clientAuth: 'none',
      key: { type: 'serviceaccount', keyId: 'resource-key', key: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), userId: 'resource-user' },
      ...TARGET,
    });
    expect((await runJwtBearerGrant(account, { ports })).accessToken).toBeTruthy();
    const form = received(server.requestsTo('/myfiber/oauth/v2/token').at(-1));
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expectTarget(form);
  });

  const signIn = async (account: AccountSettings) => (await signInAtSeedServer(account, ports)).result;

  it('authorization code (Insiders): the authorize request, the code exchange and the refresh each carry them', async () => {
    const account = insidersSettings(server, {
      grant: 'authorization_code',
      // A resource in the configured address is replaced by the setting, not sent beside it.
      authorizeUrl: `${server.url}/insiders/oauth2/authorize/?resource=https%3A%2F%2Fstale.example%2F`,
      redirectUri: 'http://127.0.0.1:0/authorized/',
      ...TARGET,
      extra: { authorize: STALE_EXTRAS, token: STALE_EXTRAS, refresh: STALE_EXTRAS },
    });
    const tokens = await signIn(account);
    const authorize = received(server.requestsTo('/insiders/oauth2/authorize/').at(-1), 'query');
    expect(authorize.get('response_type')).toBe('code');
    expectTarget(authorize);
    expect(authorize.get('keep')).toBe('me');
    const exchange = received(server.requestsTo('/insiders/oauth2/token/').at(-1));
    expect(exchange.get('grant_type')).toBe('authorization_code');
    expectTarget(exchange);

    await refreshAccessToken(account, tokens.refreshToken!, { ports });
    expectTarget(received(server.requestsTo('/insiders/oauth2/token/').at(-1)));
  });

  it('authorization code (Netrex, every parameter in the query): the resources repeated in the token request\'s query', async () => {
    const { clientId, clientSecret } = server.clients.netrex;
    await signIn(
      settings({
        grant: 'authorization_code',
        authorizeUrl: `${server.url}/netrex/oauth2/auth/`,
        tokenUrl: `${server.url}/netrex/oauth2/token`,
        clientId,
        clientSecret: clientSecret!,
        clientAuth: 'query',
        ...TARGET,
      }),
    );
    expectTarget(received(server.requestsTo('/netrex/oauth2/auth/').at(-1), 'query'));
    const token = server.requestsTo('/netrex/oauth2/token').at(-1)!;
    expect(token.body).toBe('');
    expectTarget(received(token, 'query'));
  });

  it('an account without the settings sends neither, and its [extra.token] audience as before', async () => {
    const account = insidersSettings(server, { extra: { token: { audience: AUDIENCE } } });
    await runPasswordGrant(account, { ports });
    const form = received(server.requestsTo('/insiders/oauth2/token/').at(-1));
    expect(form.has('resource')).toBe(false);
    expect(form.getAll('audience')).toEqual([AUDIENCE]);
  });
});
