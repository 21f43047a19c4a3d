import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSettings, ServiceAccountKey } from '../../../shared/account.js';
import { runJwtBearerGrant } from '../../../main/core/oauth/grants/jwt-bearer.js';
import { revokeToken } from '../../../main/core/oauth/revoke.js';
import type { CorePorts } from '../../../main/core/ports.js';
import { systemClock } from '../../../main/core/ports.js';
import { startProviderServer } from '../../fixtures/provider-server.js';
import type { ProviderServer } from '../../fixtures/provider-server.js';

const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: systemClock, randomBytes: (n) => new Uint8Array(randomBytes(n)) };

// Zitadel hands out PKCS#1 keys ("-----BEGIN RSA PRIVATE KEY-----", myfiber seed).
function rsaKey() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const serviceKey = rsaKey();
const appKey = rsaKey();
const SERVICE_KEY: ServiceAccountKey = { type: 'serviceaccount', keyId: '130509901696068329', key: serviceKey.privatePem, userId: '180507859606888466' };
const APP_KEY: ServiceAccountKey = { type: 'application', keyId: '230509901696068330', key: appKey.privatePem, clientId: '280507859606888467' };
const SCOPES = ['openid', 'profile', 'urn:zitadel:iam:org:project:id:306635992142446597:aud'];

let server: ProviderServer;
beforeAll(async () => {
  server = await startProviderServer();
  server.registerJwtKey(SERVICE_KEY.keyId, serviceKey.publicPem, SERVICE_KEY.userId!);
  server.registerJwtKey(APP_KEY.keyId, appKey.publicPem, APP_KEY.clientId!);
});
afterAll(async () => {
  await server.close();
});

function settingsFor(overrides: Partial<AccountSettings> = {}): AccountSettings {
  return {
    name: 'myfiber jwt',
    preset: 'myfiber',
    grant: 'jwt_bearer',
    tokenUrl: `${server.myfiberIssuer}/oauth/v2/token`,
    issuer: server.myfiberIssuer,
    clientAuth: 'none',
    key: SERVICE_KEY,
    scopes: SCOPES,
    scopeSeparator: ' ',
    extra: {},
    ...overrides,
  };
}

function lastTokenRequest() {
  const all = server.requestsTo('/myfiber/oauth/v2/token');
  return all[all.length - 1]!;
}

describe('jwt_bearer grant (myfiber / Zitadel)', () => {
  it('exchanges a self-signed assertion for a token without any client credentials', async () => {
    const tokens = await runJwtBearerGrant(settingsFor(), { ports });
    expect(tokens.accessToken).toBeTruthy();
    expect(tokens.tokenType).toBe('Bearer');
    expect(tokens.expiresAt! - tokens.obtainedAt).toBe(300_000);

    const sent = lastTokenRequest();
    expect(sent.form.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(sent.form.scope).toBe(SCOPES.join(' '));
    expect(sent.form.client_id).toBeUndefined();
    expect(sent.form.client_secret).toBeUndefined();
    expect(sent.headers.authorization).toBeUndefined();

    // The assertion itself, checked independently of the fixture: kid, iss = sub = userId, aud = issuer, at most 1 h.
    const assertion = sent.form.assertion!;
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: 'RS256', kid: SERVICE_KEY.keyId });
    const { payload } = await jwtVerify(assertion, createPublicKey(serviceKey.publicPem), {
      issuer: SERVICE_KEY.userId!,
      subject: SERVICE_KEY.userId!,
      audience: server.myfiberIssuer,
      algorithms: ['RS256'],
    });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(3600);
    expect(payload.iat! * 1000).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('signs as the clientId of an application key', async () => {
    const tokens = await runJwtBearerGrant(settingsFor({ key: APP_KEY }), { ports });
    expect(tokens.accessToken).toBeTruthy();
    const { payload } = await jwtVerify(lastTokenRequest().form.assertion!, createPublicKey(appKey.publicPem), { audience: server.myfiberIssuer });
    expect([payload.iss, payload.sub]).toEqual([APP_KEY.clientId, APP_KEY.clientId]);
  });

  it('sends a fresh assertion each time', async () => {
    await runJwtBearerGrant(settingsFor(), { ports });
    const first = lastTokenRequest().form.assertion;
    await runJwtBearerGrant(settingsFor(), { ports });
    expect(lastTokenRequest().form.assertion).not.toBe(first);
  });

  it('reports a refused assertion (key not registered for that kid) without quoting key or assertion', async () => {
    const impostor: ServiceAccountKey = { ...SERVICE_KEY, key: rsaKey().privatePem };
    const error = await runJwtBearerGrant(settingsFor({ key: impostor }), { ports }).then(
      () => expect.unreachable(),
      (e: unknown) => e as Error & { code: string; error: string },
    );
    expect(error).toMatchObject({ code: 'ERR_AUTH_SERVER', error: 'invalid_grant' });
    expect(error.message).not.toContain(lastTokenRequest().form.assertion!);
    expect(error.message).not.toContain('PRIVATE KEY');
  });

  it('refuses an assertion for the wrong audience at the server', async () => {
    // Same origin as the token endpoint (so TokenDesk sends it), another audience (so the server refuses it).
    await expect(runJwtBearerGrant(settingsFor({ issuer: `${server.url}/another-tenant` }), { ports })).rejects.toMatchObject({
      code: 'ERR_AUTH_SERVER',
      error: 'invalid_grant',
    });
  });

  it('never signs or sends an assertion to a token_url on another origin than its audience (issue 9 item 13)', async () => {
    // A hostile file: the real issuer as the audience, its own host as token_url.
    const capture = await startProviderServer();
    try {
      for (const tokenUrl of [`${capture.url}/myfiber/oauth/v2/token`, `${server.url.replace('127.0.0.1', 'localhost')}/myfiber/oauth/v2/token`]) {
        const signed: string[] = [];
        const counting: CorePorts = { ...ports, randomBytes: (n) => (signed.push('jti'), ports.randomBytes(n)) };
        const error = await runJwtBearerGrant(settingsFor({ tokenUrl }), { ports: counting }).then(
          () => expect.unreachable(),
          (e: unknown) => e as Error & { code: string; location?: { field?: string } },
        );
        expect(error).toMatchObject({ kind: 'input', code: 'ERR_INPUT_FIELD' });
        expect(error.location?.field).toBe('token_url');
        expect(error.message).toContain(new URL(server.myfiberIssuer).origin);
        expect(error.message).toContain(new URL(tokenUrl).origin);
        expect(signed).toEqual([]); // no jti drawn: nothing was signed
      }
      expect(capture.requests).toEqual([]);
      // With client authentication configured, the same refusal comes first.
      const { clientId, clientSecret } = server.clients.myfiber;
      await expect(
        runJwtBearerGrant(settingsFor({ tokenUrl: `${capture.url}/myfiber/oauth/v2/token`, clientAuth: 'body', clientId, clientSecret: clientSecret! }), { ports }),
      ).rejects.toMatchObject({ code: 'ERR_INPUT_FIELD' });
      expect(capture.requests).toEqual([]);
    } finally {
      await capture.close();
    }
  });

  it('never sends a private_key_jwt client assertion to an endpoint on another origin than its audience', async () => {
    const capture = await startProviderServer();
    try {
      const settings = settingsFor({
        grant: 'client_credentials',
        clientAuth: 'private_key_jwt',
        key: APP_KEY,
        clientId: APP_KEY.clientId!,
        revokeUrl: `${capture.url}/insiders/oauth2/revoke-token/`,
      });
      // The audience of a revocation's client assertion is the token endpoint: refused before signing.
      await expect(revokeToken(settings, 'some-access-token', 'access_token', { ports })).rejects.toMatchObject({
        code: 'ERR_INPUT_FIELD',
        message: expect.stringContaining(capture.url),
      });
      expect(capture.requests).toEqual([]);
    } finally {
      await capture.close();
    }
  });

  it('needs a key, an issuer and a secure token URL before sending anything', async () => {
    const before = server.requests.length;
    await expect(runJwtBearerGrant(settingsFor({ key: undefined }), { ports })).rejects.toMatchObject({ code: 'ERR_INPUT_MISSING' });
    await expect(runJwtBearerGrant(settingsFor({ issuer: undefined }), { ports })).rejects.toMatchObject({
      code: 'ERR_INPUT_MISSING',
      message: expect.stringContaining('needs issuer'),
    });
    await expect(runJwtBearerGrant(settingsFor({ tokenUrl: 'http://so.yio.at/oauth/v2/token' }), { ports })).rejects.toMatchObject({
      code: 'ERR_INPUT_INSECURE_URL',
    });
    expect(server.requests.length).toBe(before);
  });

  it('uses the account client authentication when one is configured', async () => {
    const { clientId, clientSecret } = server.clients.myfiber;
    // myfiber's token endpoint ignores client credentials on this grant; what matters is what was sent.
    await runJwtBearerGrant(settingsFor({ clientAuth: 'body', clientId, clientSecret: clientSecret! }), { ports });
    const sent = lastTokenRequest();
    expect(sent.form.client_id).toBe(clientId);
    expect(sent.form.assertion).toBeTruthy();
  });
});
