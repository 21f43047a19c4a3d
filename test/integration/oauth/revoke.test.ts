/** Revocation in both styles against the seed fixture: RFC 7009 (Insiders) and Netrex's ?access_token=. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthServerError } from '../../../main/core/errors.js';
import { runPasswordGrant } from '../../../main/core/oauth/grants/password.js';
import { revokeToken } from '../../../main/core/oauth/revoke.js';
import { requestTokens } from '../../../main/core/oauth/token-endpoint.js';
import type { ProviderServer } from '../../fixtures/provider-server.js';
import { startProviderServer } from '../../fixtures/provider-server.js';
import { caught, makeContext, insidersSettings, messageContainsAny, settings } from './support.js';

let server: ProviderServer;
beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

describe('RFC 7009 revocation (Insiders /oauth2/revoke-token/)', () => {
  const insiders = () => insidersSettings(server, { scopes: [] });

  it('revokes an access token with the configured client authentication', async () => {
    const ctx = makeContext();
    const token = await runPasswordGrant(insiders(), ctx);
    expect(server.isAccessTokenActive('insiders', token.accessToken)).toBe(true);
    await revokeToken(insiders(), token.accessToken, 'access_token', ctx);
    expect(server.isAccessTokenActive('insiders', token.accessToken)).toBe(false);
    const sent = server.requestsTo('/insiders/oauth2/revoke-token/')[0]!;
    expect(sent.form).toEqual({ token: token.accessToken, token_type_hint: 'access_token' });
    expect(sent.headers.authorization).toBe(`Basic ${Buffer.from('abc123def456:789ghi123klm').toString('base64')}`);
  });

  it('treats an unknown token as revoked (HTTP 200)', async () => {
    await expect(revokeToken(insiders(), 'never-issued', 'refresh_token', makeContext())).resolves.toBeUndefined();
  });

  it('reports a client refusal as an AuthServerError without the token or secret', async () => {
    const error = await caught(() => revokeToken({ ...insiders(), clientSecret: 'wrong-secret-xyz' }, 'some-token-value-1', 'access_token', makeContext()));
    expect(error).toBeInstanceOf(AuthServerError);
    expect(error.message).toContain('invalid_client');
    expect(messageContainsAny(error, ['wrong-secret-xyz', 'some-token-value-1'])).toBeUndefined();
  });

  it('refuses an account without a revocation URL before any request', async () => {
    const ctx = makeContext();
    const error = await caught(() => revokeToken({ ...insiders(), revokeUrl: undefined }, 't', 'access_token', ctx));
    expect(error.code).toBe('ERR_INPUT_MISSING');
    expect(ctx.fetched).toEqual([]);
  });
});

describe('Netrex revocation (POST /oauth2/revoke?access_token=)', () => {
  const netrex = () =>
    settings({
      grant: 'authorization_code',
      tokenUrl: `${server.url}/netrex/oauth2/token`,
      revokeUrl: `${server.url}/netrex/oauth2/revoke`,
      revokeStyle: 'access_token_query',
      clientId: server.clients.netrex.clientId,
      clientSecret: server.clients.netrex.clientSecret,
      clientAuth: 'query',
    });

  async function netrexToken(): Promise<string> {
    const redirectUri = 'https://app.example/cb';
    const res = await fetch(`${server.url}/netrex/oauth2/auth/?response_type=code&client_id=netrex-client&redirect_uri=${encodeURIComponent(redirectUri)}&state=x`, { redirect: 'manual' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    return (await requestTokens(netrex(), 'token', { grant_type: 'authorization_code', code, redirect_uri: redirectUri }, makeContext())).accessToken;
  }

  it('sends the token in the query, nothing in the body, and accepts {"success":true}', async () => {
    const access = await netrexToken();
    await revokeToken(netrex(), access, 'access_token', makeContext());
    expect(server.isAccessTokenActive('netrex', access)).toBe(false);
    const sent = server.requestsTo('/netrex/oauth2/revoke')[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.query).toEqual({ access_token: access });
    expect(sent.body).toBe('');
  });

  it('reports {"success":false} as a refusal quoting the message', async () => {
    const error = await caught(() => revokeToken(netrex(), 'unknown-netrex-token', 'access_token', makeContext()));
    expect(error).toBeInstanceOf(AuthServerError);
    expect(error.message).toContain('Token not found');
    expect(messageContainsAny(error, ['unknown-netrex-token'])).toBeUndefined();
  });
});
