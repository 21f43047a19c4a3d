/**
 * The command line behind a company proxy. The token endpoint is https on
 * 127.0.0.1 under the name `token.corp.test`, with a certificate for that
 * name from a test authority. Only the CONNECT proxy fixture resolves the
 * name (RFC 6761 `.test` never resolves in DNS), so a request that arrives
 * went through the proxy; the proxy counts its tunnels.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TransportError } from '../../../main/core/errors.js';
import { createNodeFetch, type NodeFetch } from '../../../main/core/net/node-fetch.js';
import { runClientCredentialsGrant } from '../../../main/core/oauth/grants/client-credentials.js';
import { runPasswordGrant } from '../../../main/core/oauth/grants/password.js';
import { refreshAccessToken, revokeToken } from '../../../main/core/oauth/index.js';
import { systemClock, type CorePorts } from '../../../main/core/ports.js';
import type { AccountSettings, ServiceAccountKey } from '../../../shared/account.js';
import { startConnectProxy, type ConnectProxy } from '../../fixtures/connect-proxy.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { createAuthority } from '../../fixtures/tls/pki.js';
import { runCli, waitForStderr } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { insidersSettings, myfiberSettings, settings } from '../oauth/support.js';
import { discoverEndpoints } from '../../../main/core/oauth/discovery.js';
import { runDeviceCodeGrant } from '../../../main/core/oauth/grants/device-code.js';
import { runJwtBearerGrant } from '../../../main/core/oauth/grants/jwt-bearer.js';
import type { DeviceCodePrompt } from '../../../main/core/oauth/context.js';
import { CLIENTS, startOidcServer } from '../../fixtures/oidc-server.js';

const CORP_HOST = 'token.corp.test';
const authority = createAuthority({ commonName: 'Example Corp Root CA' });
const serverIdentity = authority.issue({ commonName: CORP_HOST, dnsNames: [CORP_HOST, 'localhost'], ipAddresses: ['127.0.0.1'], usage: 'server' });

let provider: ProviderServer;
let proxy: ConnectProxy;
let corpUrl: string;
const opened: NodeFetch[] = [];

beforeAll(async () => {
  provider = await startProviderServer({ tls: serverIdentity, publicHost: CORP_HOST });
  proxy = await startConnectProxy({ hosts: [CORP_HOST] });
  corpUrl = provider.url;
});
afterAll(async () => {
  await Promise.all(opened.map((f) => f.close()));
  await Promise.all([provider.close(), proxy.close()]);
});
beforeEach(() => {
  proxy.tunnels.length = 0;
});

function portsThrough(env: Record<string, string>, options: { trust?: boolean } = {}): CorePorts {
  const fetch = createNodeFetch({ env, ...(options.trust === false ? {} : { ca: [authority.certPem] }) });
  opened.push(fetch);
  return { fetch, clock: systemClock, randomBytes: (n) => new Uint8Array(randomBytes(n)) };
}

const myfiber = (base: string): AccountSettings => myfiberSettings(provider, base);
const insiders = (base: string): AccountSettings =>
  insidersSettings(provider, { name: 'insiders', tokenUrl: `${base}/insiders/oauth2/token/`, revokeUrl: `${base}/insiders/oauth2/revoke-token/` });

async function failure(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

describe('HTTPS_PROXY: every request of a grant goes through the proxy', () => {
  it('client_credentials reaches a host only the proxy resolves, through one CONNECT tunnel to it', async () => {
    const tokens = await runClientCredentialsGrant(myfiber(corpUrl), { ports: portsThrough({ HTTPS_PROXY: proxy.url }) });
    expect(tokens.accessToken.length).toBeGreaterThan(10);
    expect(proxy.tunnels).toEqual([{ target: `${CORP_HOST}:${new URL(corpUrl).port}`, status: 200 }]);
  });

  it('password, refresh and revoke all go through it too (lower-case https_proxy)', async () => {
    const ctx = { ports: portsThrough({ https_proxy: proxy.url }) };
    const settings = insiders(corpUrl);
    const first = await runPasswordGrant(settings, ctx);
    const refreshed = await refreshAccessToken(settings, first.refreshToken!, ctx);
    await revokeToken(settings, refreshed.accessToken, 'access_token', ctx);
    expect(provider.isAccessTokenActive('insiders', refreshed.accessToken)).toBe(false);
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(proxy.tunnels.every((t) => t.target === `${CORP_HOST}:${new URL(corpUrl).port}` && t.status === 200)).toBe(true);
    expect(provider.requestsTo('/insiders/oauth2/token/')).not.toHaveLength(0);
  });

  it('jwt_bearer (RFC 7523): the assertion for the corporate host goes through the tunnel', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key: ServiceAccountKey = { type: 'serviceaccount', keyId: 'proxy-key-1', key: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), userId: '180507859606888466' };
    provider.registerJwtKey(key.keyId, publicKey.export({ type: 'spki', format: 'pem' }).toString(), key.userId!);
    const tokens = await runJwtBearerGrant(
      settings({ grant: 'jwt_bearer', tokenUrl: `${provider.myfiberIssuer}/oauth/v2/token`, issuer: provider.myfiberIssuer, clientAuth: 'none', key, scopes: ['openid'] }),
      { ports: portsThrough({ HTTPS_PROXY: proxy.url }) },
    );
    expect(tokens.accessToken.split('.')).toHaveLength(3);
    expect(proxy.tunnels.map((t) => t.target)).toEqual([`${CORP_HOST}:${new URL(corpUrl).port}`]);
  });

  it('discovery and the device code grant against oidc-provider, known only by its corporate name', async () => {
    const oidc = await startOidcServer({ tls: serverIdentity, publicHost: CORP_HOST, deviceInterval: 1 });
    try {
      const ports = portsThrough({ HTTPS_PROXY: proxy.url });
      const endpoints = await discoverEndpoints(oidc.issuer, { ports });
      const device = settings({
        grant: 'device_code',
        tokenUrl: endpoints.tokenUrl!,
        deviceAuthorizationUrl: endpoints.deviceAuthorizationUrl!,
        clientId: CLIENTS.public.clientId,
        clientAuth: 'none',
        scopes: ['openid', 'offline_access'],
      });
      let shown!: (prompt: DeviceCodePrompt) => void;
      const prompted = new Promise<DeviceCodePrompt>((resolve) => (shown = resolve));
      const result = runDeviceCodeGrant(device, { ports, onDeviceCodePrompt: shown });
      await oidc.approveDevice((await prompted).userCode);
      expect((await result).refreshToken).toBeDefined();
      expect(oidc.issuer).toBe(`https://${CORP_HOST}:${new URL(oidc.issuer).port}`);
      expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
      expect(proxy.tunnels.every((t) => t.target === `${CORP_HOST}:${new URL(oidc.issuer).port}` && t.status === 200)).toBe(true);
    } finally {
      await oidc.close();
    }
  });

  it('never sends loopback to the proxy: localhost and 127.0.0.1 go straight, even with NO_PROXY unset', async () => {
    const ports = portsThrough({ HTTPS_PROXY: proxy.url });
    await runClientCredentialsGrant(myfiber(corpUrl.replace(CORP_HOST, 'localhost')), { ports });
    await runClientCredentialsGrant(myfiber(corpUrl.replace(CORP_HOST, '127.0.0.1')), { ports });
    expect(proxy.tunnels).toEqual([]);
  });

  it('keeps trusting only real authorities through the tunnel: an untrusted certificate is ERR_TLS', async () => {
    const error = await failure(runClientCredentialsGrant(myfiber(corpUrl), { ports: portsThrough({ HTTPS_PROXY: proxy.url }, { trust: false }) }));
    expect(error.code).toBe('ERR_TLS');
    expect(error.message).toContain('was not issued by an authority this computer trusts');
    expect(proxy.tunnels).toHaveLength(1);
  });
});

describe('proxy failures in plain words (ERR_PROXY)', () => {
  let guarded: ConnectProxy;
  beforeAll(async () => {
    guarded = await startConnectProxy({ hosts: [CORP_HOST], credentials: 'alice:s3cr@t' });
  });
  afterAll(async () => guarded.close());

  it('passes the user name and password of the proxy URL (percent-encoded) as Proxy-Authorization', async () => {
    const url = guarded.url.replace('http://', 'http://alice:s3cr%40t@');
    await runClientCredentialsGrant(myfiber(corpUrl), { ports: portsThrough({ HTTPS_PROXY: url }) });
    expect(guarded.tunnels.at(-1)).toMatchObject({ credentials: 'alice:s3cr@t', status: 200 });
  });

  it('a 407 without credentials says the proxy wants a user name and password, and where to put them', async () => {
    const error = await failure(runClientCredentialsGrant(myfiber(corpUrl), { ports: portsThrough({ HTTPS_PROXY: guarded.url }) }));
    expect(error.code).toBe('ERR_PROXY');
    expect(error.message).toBe(
      `The proxy ${guarded.url} asks for a user name and password (HTTP 407 Proxy Authentication Required). For the command line, put them in HTTPS_PROXY as http://user:password@proxy:port (percent-encode special characters).`,
    );
  });

  it('a 407 with wrong credentials says they were refused, and never shows them', async () => {
    const url = guarded.url.replace('http://', 'http://alice:wrong-pass@');
    const error = await failure(runClientCredentialsGrant(myfiber(corpUrl), { ports: portsThrough({ HTTPS_PROXY: url }) }));
    expect(error.code).toBe('ERR_PROXY');
    expect(error.message).toContain(`The proxy ${guarded.url} refused the user name and password it was given (HTTP 407).`);
    expect(error.message).not.toContain('wrong-pass');
  });

  it('a proxy that cannot reach the server (502) is named as the proxy, not the server', async () => {
    const unknown = corpUrl.replace(CORP_HOST, 'nowhere.corp.test');
    const error = await failure(runClientCredentialsGrant(myfiber(unknown), { ports: portsThrough({ HTTPS_PROXY: proxy.url }) }));
    expect(error.code).toBe('ERR_PROXY');
    expect(error.message).toContain(`The proxy ${proxy.url} could not connect to the token endpoint at ${unknown}/myfiber/oauth/v2/token (HTTP 502).`);
  });

  it('a proxy that is not there: "Could not reach the proxy", with its address', async () => {
    const gone = await startConnectProxy({ hosts: [] });
    await gone.close();
    const error = await failure(runClientCredentialsGrant(myfiber(corpUrl), { ports: portsThrough({ HTTPS_PROXY: `${gone.url}` }) }));
    expect(error.code).toBe('ERR_PROXY');
    expect(error.message).toContain(`Could not reach the proxy ${gone.url} (ECONNREFUSED).`);
  });
});

describe('the tokendesk command behind the proxy', () => {
  const dir = useTempDir('tokendesk-proxy-');
  let caFile: string;
  let credentials: string;
  beforeAll(async () => {
    caFile = await dir.write('corp-root.pem', authority.certPem);
    const s = myfiber(corpUrl);
    credentials = await dir.write('myfiber.toml', `grant = "client_credentials"\ntoken_url = "${s.tokenUrl}"\nclient_id = "${s.clientId}"\nclient_secret = "${s.clientSecret}"\nclient_auth = "body"\n`);
  });

  it('gets a token through HTTPS_PROXY, trusting the company authority from NODE_EXTRA_CA_CERTS (exit 0)', async () => {
    const result = await runCli(['token', '--from', credentials], { env: { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: caFile } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().length).toBeGreaterThan(10);
    expect(proxy.tunnels.map((t) => t.status)).toEqual([200]);
  });

  it('without the authority: exit 4, in plain words, naming NODE_EXTRA_CA_CERTS', async () => {
    const result = await runCli(['token', '--from', credentials], { env: { HTTPS_PROXY: proxy.url } });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('was not issued by an authority this computer trusts');
    expect(result.stderr).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('a proxy that wants credentials: exit 4 with the 407 explained', async () => {
    const guarded = await startConnectProxy({ hosts: [CORP_HOST], credentials: 'bob:pw' });
    try {
      const result = await runCli(['token', '--from', credentials], { env: { HTTPS_PROXY: guarded.url, NODE_EXTRA_CA_CERTS: caFile } });
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('asks for a user name and password (HTTP 407 Proxy Authentication Required)');
    } finally {
      await guarded.close();
    }
  });

  it('an unusable HTTPS_PROXY is a usage error naming the variable (exit 2)', async () => {
    const result = await runCli(['token', '--from', credentials], { env: { HTTPS_PROXY: 'ftp://proxy.corp.test:21', NODE_EXTRA_CA_CERTS: caFile } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('The proxy address in HTTPS_PROXY starts with ftp://');
    expect(proxy.tunnels).toEqual([]);
  });

  it('the authorization code flow: the exchange goes through the proxy, the loopback redirect never does', async () => {
    const { clientId, clientSecret } = provider.clients.netrex;
    const file = await dir.write(
      'netrex.toml',
      `grant = "authorization_code"\nauthorize_url = "${corpUrl}/netrex/oauth2/auth/"\ntoken_url = "${corpUrl}/netrex/oauth2/token"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nclient_auth = "query"\nscopes = ["read"]\nscope_separator = ","\n`,
    );
    // The user's browser uses the same proxy to reach the vendor's login page.
    const browser = createNodeFetch({ env: { HTTPS_PROXY: proxy.url }, ca: [authority.certPem] });
    opened.push(browser);
    const result = await runCli(['token', '--from', file, '--no-browser'], {
      env: { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: caFile },
      onSpawn: (child) => {
        void waitForStderr(child, /Open this URL in your browser: (\S+)/).then(async (match) => {
          let current = match[1]!;
          for (let hop = 0; hop < 10; hop++) {
            const response = await browser(current, { redirect: 'manual' });
            await response.body?.cancel();
            const location = response.headers.get('location');
            if (!location || response.status < 300 || response.status >= 400) break;
            current = new URL(location, current).href;
          }
        });
      },
    });
    expect(result.stderr).not.toMatch(/ERR_/);
    expect(result.code).toBe(0);
    expect(proxy.tunnels.every((t) => t.target.startsWith(`${CORP_HOST}:`))).toBe(true);
    expect(provider.requestsTo('/netrex/oauth2/token')).not.toHaveLength(0);
  });
});
