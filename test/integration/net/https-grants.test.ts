/**
 * The grants over https with a company authority, as the command line runs
 * them: Node's transport (createNodeFetch) trusting a test root that no
 * operating system knows, against oidc-provider and the seed fixture server
 * serving https on 127.0.0.1 with certificates from that root. (Client
 * credentials, password, refresh, revoke and the authorization code flow over
 * https through a proxy are in proxy.test.ts.)
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFetch, type NodeFetch } from '../../../main/core/net/node-fetch.js';
import { discoverEndpoints } from '../../../main/core/oauth/discovery.js';
import { runDeviceCodeGrant } from '../../../main/core/oauth/grants/device-code.js';
import { runJwtBearerGrant } from '../../../main/core/oauth/grants/jwt-bearer.js';
import { refreshAccessToken, revokeToken } from '../../../main/core/oauth/index.js';
import { systemClock, type CorePorts } from '../../../main/core/ports.js';
import type { AccountSettings, ServiceAccountKey } from '../../../shared/account.js';
import type { DeviceCodePrompt } from '../../../main/core/oauth/context.js';
import { CLIENTS, startOidcServer, type OidcServer } from '../../fixtures/oidc-server.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { LOCALHOST_SERVER } from '../../fixtures/tls/https-fixtures.js';
import { createAuthority } from '../../fixtures/tls/pki.js';

const root = createAuthority({ commonName: 'Example Corp Root CA' });
const issuing = root.intermediate('Example Corp Issuing CA 2');
const leaf = issuing.issue(LOCALHOST_SERVER);
// Servers send their intermediate along, as real ones must: only the root is trusted.
const identity = { certPem: leaf.certPem + issuing.certPem, keyPem: leaf.keyPem };

let oidc: OidcServer;
let provider: ProviderServer;
let transport: NodeFetch;
let ports: CorePorts;

beforeAll(async () => {
  [oidc, provider] = await Promise.all([startOidcServer({ tls: identity, deviceInterval: 1 }), startProviderServer({ tls: identity })]);
  transport = createNodeFetch({ ca: [root.certPem] });
  ports = { fetch: transport, clock: systemClock, randomBytes: (n) => new Uint8Array(randomBytes(n)) };
});
afterAll(async () => {
  await transport.close();
  await Promise.all([oidc.close(), provider.close()]);
});

describe('grants over https, trusting a company root through an intermediate', () => {
  it('discovery, the device code grant, refresh and revoke against oidc-provider', async () => {
    expect(oidc.issuer).toMatch(/^https:\/\/localhost:\d+$/);
    const endpoints = await discoverEndpoints(oidc.issuer, { ports });
    expect(endpoints.tokenUrl).toBe(oidc.tokenEndpoint);
    const settings: AccountSettings = {
      name: 'TV',
      grant: 'device_code',
      tokenUrl: endpoints.tokenUrl!,
      deviceAuthorizationUrl: endpoints.deviceAuthorizationUrl!,
      revokeUrl: endpoints.revokeUrl!,
      clientId: CLIENTS.public.clientId,
      clientAuth: 'none',
      scopes: ['openid', 'offline_access'],
      scopeSeparator: ' ',
      extra: {},
    };
    let approve!: (prompt: DeviceCodePrompt) => void;
    const prompted = new Promise<DeviceCodePrompt>((resolve) => (approve = resolve));
    const result = runDeviceCodeGrant(settings, { ports, onDeviceCodePrompt: approve });
    await oidc.approveDevice((await prompted).userCode);
    const tokens = await result;
    expect(tokens.refreshToken).toBeDefined();

    const refreshed = await refreshAccessToken(settings, tokens.refreshToken!, { ports });
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    await revokeToken(settings, refreshed.refreshToken ?? tokens.refreshToken!, 'refresh_token', { ports });
    const revocations = oidc.requestPaths.filter((path) => path.includes('revoke') || path.includes('revocation'));
    expect(revocations).toHaveLength(1);
  });

  it('jwt_bearer (RFC 7523) against the myfiber fixture', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key: ServiceAccountKey = { type: 'serviceaccount', keyId: 'https-key-1', key: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), userId: '180507859606888466' };
    provider.registerJwtKey(key.keyId, publicKey.export({ type: 'spki', format: 'pem' }).toString(), key.userId!);
    const tokens = await runJwtBearerGrant(
      { name: 'myfiber jwt', grant: 'jwt_bearer', tokenUrl: `${provider.myfiberIssuer}/oauth/v2/token`, issuer: provider.myfiberIssuer, clientAuth: 'none', key, scopes: ['openid'], scopeSeparator: ' ', extra: {} },
      { ports },
    );
    expect(tokens.accessToken.split('.')).toHaveLength(3);
    expect(provider.myfiberIssuer).toMatch(/^https:/);
  });
});
