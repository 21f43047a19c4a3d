/**
 * ctx.onRequestSent (issue 9 item 17 f): called right before every HTTP
 * request that reaches a token endpoint, retries included, so the account
 * service can count what the vendor counts (Myfox counts requests, not
 * intentions); and when it throws, nothing is sent.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import { runClientCredentialsGrant } from '../../../main/core/oauth/grants/client-credentials.js';
import { DEVICE_CODE_GRANT_TYPE, runDeviceCodeGrant } from '../../../main/core/oauth/grants/device-code.js';
import { runJwtBearerGrant } from '../../../main/core/oauth/grants/jwt-bearer.js';
import { runPasswordGrant } from '../../../main/core/oauth/grants/password.js';
import { refreshAccessToken } from '../../../main/core/oauth/grants/refresh-token.js';
import { InputError } from '../../../main/core/errors.js';
import { CLIENTS, startOidcServer } from '../../fixtures/oidc-server.js';
import type { ProviderServer } from '../../fixtures/provider-server.js';
import { startProviderServer } from '../../fixtures/provider-server.js';
import { caught, makeContext, settings } from './support.js';

let server: ProviderServer;
beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server.close();
});

/** A context that counts onRequestSent calls; `throwOn` makes the n-th call (1-based) refuse like a used-up budget. */
function counting(throwOn?: number) {
  const counter = { calls: 0 };
  const ctx = makeContext({
    onRequestSent: () => {
      counter.calls++;
      if (counter.calls === throwOn) throw new InputError('ERR_BUDGET_EXCEEDED', 'The request budget is used up.');
    },
  });
  return { ctx, counter };
}

const at = (path: string): AccountSettings => settings({ tokenUrl: `${server.url}/hostile/${path}`, clientId: 'c', clientSecret: 'count-secret', clientAuth: 'body' });

describe('onRequestSent', () => {
  it('is called once per request, each retry after HTTP 429 included', async () => {
    const { ctx, counter } = counting();
    const token = await runClientCredentialsGrant(at('429?times=2&after=0&id=count-a'), ctx);
    expect(token.accessToken).toMatch(/^hostile-ok-/);
    expect(server.hostile.rateLimitHits.get('/hostile/429?times=2&after=0&id=count-a')).toBe(3);
    expect(counter.calls).toBe(3);
  });

  it('counts the requests of a 429 that gives up', async () => {
    const { ctx, counter } = counting();
    await expect(runClientCredentialsGrant(at('429?times=9&after=0&id=count-b'), ctx)).rejects.toMatchObject({ code: 'ERR_RATE_LIMITED' });
    expect(server.hostile.rateLimitHits.get('/hostile/429?times=9&after=0&id=count-b')).toBe(3);
    expect(counter.calls).toBe(3);
  });

  it('stops before sending when it throws, on the first request or on a retry', async () => {
    const first = counting(1);
    const error = await caught(() => runClientCredentialsGrant(at('429?times=2&after=0&id=count-c'), first.ctx));
    expect(error.code).toBe('ERR_BUDGET_EXCEEDED');
    expect(server.hostile.rateLimitHits.get('/hostile/429?times=2&after=0&id=count-c')).toBeUndefined();
    expect(first.ctx.fetched).toEqual([]);

    const retry = counting(2);
    await expect(runClientCredentialsGrant(at('429?times=2&after=0&id=count-d'), retry.ctx)).rejects.toMatchObject({ code: 'ERR_BUDGET_EXCEEDED' });
    expect(server.hostile.rateLimitHits.get('/hostile/429?times=2&after=0&id=count-d')).toBe(1);
  });

  it('counts the basic -> basic_raw retry (Myfox decodes Basic raw)', async () => {
    // A secret that form-encoding changes, so the RFC variant is refused and the raw one accepted.
    server.setClient('myfox', { clientId: 'myfox-client', clientSecret: 'myfox secret+count' });
    try {
      const { ctx, counter } = counting();
      const before = server.requestsTo('/myfox/oauth2/token').length;
      const myfox = settings({
        grant: 'password',
        tokenUrl: `${server.url}/myfox/oauth2/token`,
        clientId: 'myfox-client',
        clientSecret: 'myfox secret+count',
        clientAuth: 'basic',
        username: server.users.myfox.username,
        password: server.users.myfox.password,
      });
      const tokens = await runPasswordGrant(myfox, ctx);
      expect(tokens.accessToken).toBeTruthy();
      expect(ctx.learned).toEqual(['basic_raw']);
      expect(server.requestsTo('/myfox/oauth2/token').length - before).toBe(2);
      expect(counter.calls).toBe(2);

      // A refresh is one more request.
      await refreshAccessToken({ ...myfox, clientAuth: 'basic_raw' }, tokens.refreshToken!, ctx);
      expect(counter.calls).toBe(3);
    } finally {
      server.setClient('myfox', { clientId: 'myfox-client', clientSecret: 'myfox-secret-0001' });
    }
  });

  it('counts the jwt-bearer request without client authentication', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = { type: 'serviceaccount' as const, keyId: 'count-key', key: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), userId: 'count-user' };
    server.registerJwtKey(key.keyId, publicKey.export({ type: 'spki', format: 'pem' }).toString(), key.userId);
    const { ctx, counter } = counting();
    const jwt = settings({ grant: 'jwt_bearer', tokenUrl: `${server.myfiberIssuer}/oauth/v2/token`, issuer: server.myfiberIssuer, clientAuth: 'none', key });
    expect((await runJwtBearerGrant(jwt, ctx)).accessToken).toBeTruthy();
    expect(counter.calls).toBe(1);
    const refused = counting(1);
    await expect(runJwtBearerGrant(jwt, refused.ctx)).rejects.toMatchObject({ code: 'ERR_BUDGET_EXCEEDED' });
    expect(refused.ctx.fetched).toEqual([]);
  });

  it('counts each device-code poll (against oidc-provider)', async () => {
    const oidc = await startOidcServer({ deviceInterval: 1 });
    try {
      const { ctx, counter } = counting();
      let approve!: (code: string) => void;
      const prompted = new Promise<string>((resolve) => (approve = resolve));
      const result = runDeviceCodeGrant(
        {
          name: 'TV',
          grant: 'device_code',
          tokenUrl: oidc.tokenEndpoint,
          deviceAuthorizationUrl: oidc.deviceAuthorizationEndpoint,
          clientId: CLIENTS.public.clientId,
          clientAuth: 'none',
          scopes: ['openid'],
          scopeSeparator: ' ',
          extra: {},
        },
        { ...ctx, onDeviceCodePrompt: (p) => approve(p.userCode) },
        { secondMs: 50 },
      );
      const userCode = await prompted;
      // Let it poll a few times (each authorization_pending), then approve.
      for (let i = 0; i < 200 && oidc.tokenRequests.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
      await oidc.approveDevice(userCode);
      expect((await result).accessToken).toBeTruthy();
      const polls = oidc.tokenRequests.filter((r) => r.grantType === DEVICE_CODE_GRANT_TYPE).length;
      expect(polls).toBeGreaterThanOrEqual(3);
      // The device authorization request goes to another endpoint and is not a token request.
      expect(counter.calls).toBe(polls);
    } finally {
      await oidc.close();
    }
  });
});
