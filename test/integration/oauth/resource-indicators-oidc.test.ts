/**
 * RFC 8707 against a certified authorization server: oidc-provider with
 * resource indicators (test/fixtures/oidc-server.ts RESOURCE_SERVERS) issues
 * a JWT access token whose `aud` is the resource TokenDesk asked for, for
 * client_credentials, authorization code + refresh and the device grant.
 */
import { randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import { AuthorizationFlows } from '../../../main/core/oauth/authorization-flows.js';
import type { AuthorizationPrompt, DeviceCodePrompt } from '../../../main/core/oauth/context.js';
import { runAuthorizationCodeGrant } from '../../../main/core/oauth/grants/authorization-code.js';
import { runClientCredentialsGrant } from '../../../main/core/oauth/grants/client-credentials.js';
import { runDeviceCodeGrant } from '../../../main/core/oauth/grants/device-code.js';
import { refreshAccessToken } from '../../../main/core/oauth/grants/refresh-token.js';
import type { CorePorts } from '../../../main/core/ports.js';
import { systemClock } from '../../../main/core/ports.js';
import { CLIENTS, followToCallback, RESOURCE_SERVERS, startOidcServer } from '../../fixtures/oidc-server.js';
import type { OidcServer } from '../../fixtures/oidc-server.js';

const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: systemClock, randomBytes: (n) => new Uint8Array(randomBytes(n)) };

let server: OidcServer;
let flows: AuthorizationFlows | undefined;
beforeAll(async () => {
  server = await startOidcServer({ deviceInterval: 1 });
});
afterAll(async () => {
  await server.close();
});
afterEach(() => flows?.cancelAll());

/** The access token's claims, its signature checked against the provider's own keys. */
async function claimsOf(accessToken: string): Promise<Record<string, unknown>> {
  const { payload } = await jwtVerify(accessToken, createRemoteJWKSet(new URL(`${server.issuer}/jwks`)), { issuer: server.issuer });
  return payload;
}

function account(overrides: Partial<AccountSettings>): AccountSettings {
  return { name: 'API', grant: 'client_credentials', tokenUrl: server.tokenEndpoint, clientAuth: 'basic', scopes: [], scopeSeparator: ' ', extra: {}, ...overrides };
}

describe('resource indicators against oidc-provider', () => {
  const confidential = { clientId: CLIENTS.basic.clientId, clientSecret: CLIENTS.basic.clientSecret, clientAuth: 'basic' as const };

  it('client_credentials: the access token is issued for the resource asked for (aud)', async () => {
    for (const resource of [RESOURCE_SERVERS.orders, RESOURCE_SERVERS.billing]) {
      const tokens = await runClientCredentialsGrant(account({ ...confidential, scopes: ['api:read'], resource: [resource] }), { ports });
      const claims = await claimsOf(tokens.accessToken);
      expect(claims.aud).toBe(resource);
      expect(claims.scope).toBe('api:read');
    }
  });

  it('client_credentials: two resources reach the server as two parameters (which refuses more than one for this grant)', async () => {
    const error = await runClientCredentialsGrant(account({ ...confidential, scopes: ['api:read'], resource: [RESOURCE_SERVERS.orders, RESOURCE_SERVERS.billing] }), { ports }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_AUTH_SERVER', error: 'invalid_target', errorDescription: 'only a single resource indicator value is supported for this grant type' });
  });

  it('client_credentials: a resource the server does not know is its invalid_target', async () => {
    const error = await runClientCredentialsGrant(account({ ...confidential, resource: ['https://api.example/unknown'] }), { ports }).catch((e: unknown) => e);
    expect(error).toMatchObject({ error: 'invalid_target' });
  });

  it('authorization code + refresh: the code exchange and the refresh both yield tokens for the resource', async () => {
    flows = new AuthorizationFlows({ ports });
    const settings = account({
      grant: 'authorization_code',
      authorizeUrl: server.authorizationEndpoint,
      issuer: server.issuer,
      clientId: CLIENTS.public.clientId,
      clientAuth: 'none',
      scopes: ['openid', 'offline_access', 'api:read'],
      resource: [RESOURCE_SERVERS.orders],
    });
    let onPrompt!: (p: AuthorizationPrompt) => void;
    const prompted = new Promise<AuthorizationPrompt>((resolve) => (onPrompt = resolve));
    const result = runAuthorizationCodeGrant(settings, { ports, onAuthorizationPrompt: onPrompt }, flows);
    result.catch(() => undefined);
    const prompt = await prompted;
    expect(new URL(prompt.url).searchParams.getAll('resource')).toEqual([RESOURCE_SERVERS.orders]);
    const callback = await followToCallback(prompt.url, server.issuer);
    await (await fetch(callback)).arrayBuffer();
    const tokens = await result;
    expect((await claimsOf(tokens.accessToken)).aud).toBe(RESOURCE_SERVERS.orders);
    expect(tokens.refreshToken).toBeTruthy();

    const refreshed = await refreshAccessToken(settings, tokens.refreshToken!, { ports });
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    const claims = await claimsOf(refreshed.accessToken);
    expect(claims.aud).toBe(RESOURCE_SERVERS.orders);
    expect(claims.scope).toBe('api:read');
  });

  it('device code: the device request and the polls carry the resource, and the token is for it', async () => {
    const settings = account({
      grant: 'device_code',
      deviceAuthorizationUrl: server.deviceAuthorizationEndpoint,
      clientId: CLIENTS.public.clientId,
      clientAuth: 'none',
      scopes: ['openid', 'api:read'],
      resource: [RESOURCE_SERVERS.billing],
    });
    let onPrompt!: (p: DeviceCodePrompt) => void;
    const prompted = new Promise<DeviceCodePrompt>((resolve) => (onPrompt = resolve));
    const result = runDeviceCodeGrant(settings, { ports, onDeviceCodePrompt: onPrompt });
    result.catch(() => undefined);
    await server.approveDevice((await prompted).userCode);
    const tokens = await result;
    expect((await claimsOf(tokens.accessToken)).aud).toBe(RESOURCE_SERVERS.billing);
  });
});
