/**
 * The app's fetch port over a `net` that behaves like Electron's
 * (test/fixtures/electron/net.ts), against the seed fixture server. The
 * redirect, cookie and body rules are those of electron.d.ts and Electron's
 * source, cited in the fake; Node's fetch would answer a 3xx and hide the bug
 * this port exists for.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Shell } from 'electron';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TransportError } from '../../../main/core/errors.js';
import { testApiCall } from '../../../main/core/api/test-api-call.js';
import type { GrantContext } from '../../../main/core/oauth/context.js';
import { runClientCredentialsGrant } from '../../../main/core/oauth/grants/client-credentials.js';
import { runPasswordGrant } from '../../../main/core/oauth/grants/password.js';
import { systemClock, type CorePorts } from '../../../main/core/ports.js';
import { createNetRequestFetch } from '../../../main/electron/net-request-fetch.js';
import { createElectronPorts, createOpenExternal } from '../../../main/electron/ports.js';
import { createFakeNet, type FakeNet } from '../../fixtures/electron/net.js';
import { FakeSession } from '../../fixtures/electron/session.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { caught, insidersSettings, settings } from '../../integration/oauth/support.js';
import { LOCALHOST_SERVER } from '../../fixtures/tls/https-fixtures.js';
import { createAuthority } from '../../fixtures/tls/pki.js';

let server: ProviderServer;
let fake: FakeNet;
beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(() => server.close());
beforeEach(() => {
  fake = createFakeNet();
  server.requests.length = 0;
});

const noShell = { openExternal: async () => undefined } as Pick<Shell, 'openExternal'>;
const appPorts = (): CorePorts => createElectronPorts({ net: fake.net, shell: noShell, session: new FakeSession() });
const context = (extra: Partial<GrantContext> = {}): GrantContext => ({ ports: appPorts(), timeoutMs: 5000, ...extra });

const insiders = (tokenUrl: string) => insidersSettings(server, { tokenUrl });

describe('the fake net behaves like Electron, not like Node', () => {
  it("net.fetch with redirect 'manual' rejects with \"Redirect was cancelled\" instead of answering the 3xx (electron/electron#43715)", async () => {
    await expect(fake.net.fetch(`${server.url}/insiders/oauth2/token`, { method: 'POST', redirect: 'manual', body: 'grant_type=password' })).rejects.toThrow(
      'Redirect was cancelled',
    );
  });

  it('net.request dies unless followRedirect() is called inside the redirect event', async () => {
    const request = fake.net.request({ url: `${server.url}/insiders/oauth2/token`, method: 'POST', redirect: 'manual' });
    const seen: number[] = [];
    request.on('redirect', (status) => seen.push(status));
    const error = await new Promise<Error>((resolve) => {
      request.on('error', resolve);
      request.end('grant_type=password');
    });
    expect(seen).toEqual([301]);
    expect(error.message).toBe('Redirect was cancelled');
    expect(() => request.followRedirect()).toThrow('not waiting for a redirect');
  });
});

describe('the app fetch port (net.request)', () => {
  it("names the Location of Insiders' trailing-slash redirect instead of a network failure, and does not follow it", async () => {
    const error = await caught(() => runPasswordGrant(insiders(`${server.url}/insiders/oauth2/token`), context()));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('ERR_REDIRECT');
    expect((error as unknown as TransportError).location).toBe(`${server.url}/insiders/oauth2/token/`);
    expect(error.message).toContain('HTTP 301');
    expect(fake.sent.map((r) => new URL(r.url).pathname)).toEqual(['/insiders/oauth2/token']);
  });

  it('gets a token from the right address, sending the method, headers and body the core built', async () => {
    const token = await runPasswordGrant(insiders(`${server.url}/insiders/oauth2/token/`), context());
    expect(token.accessToken).toBeTruthy();
    expect(server.isAccessTokenActive('insiders', token.accessToken)).toBe(true);
    const [sent] = server.requestsTo('/insiders/');
    expect(sent?.method).toBe('POST');
    expect(sent?.headers.authorization).toMatch(/^Basic /);
    expect(sent?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent?.form).toMatchObject({ grant_type: 'password', scope: 'all' });
  });

  it('asks Electron for no redirects, no disk cache, and leaves credentials unset so cookies are blocked', async () => {
    await runPasswordGrant(insiders(`${server.url}/insiders/oauth2/token/`), context());
    expect(fake.requestOptions).toHaveLength(1);
    const [options] = fake.requestOptions;
    expect(options).toMatchObject({ redirect: 'manual', cache: 'no-store', method: 'POST' });
    expect(options).not.toHaveProperty('credentials');
    expect(options).not.toHaveProperty('useSessionCookies');
    expect(options).not.toHaveProperty('session');
  });

  it('Test API call shows a redirecting API as its status, not as unreachable', async () => {
    const result = await testApiCall(appPorts(), `${server.url}/insiders/oauth2/token`, { accessToken: 'at-1', tokenType: 'Bearer', obtainedAt: Date.now() });
    expect(result.status).toBe(301);
    expect(fake.sent).toHaveLength(1);
  });

  describe('cookies', () => {
    let cookieServer: Server;
    let cookieUrl: string;
    const cookiesSeen: Array<string | undefined> = [];
    beforeAll(async () => {
      cookieServer = createServer((req, res) => {
        cookiesSeen.push(req.headers.cookie);
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'vendor_session=abc123; Path=/; HttpOnly' });
        res.end(JSON.stringify({ access_token: randomBytes(8).toString('hex'), token_type: 'Bearer', expires_in: 300 }));
      });
      await new Promise<void>((resolve) => cookieServer.listen(0, '127.0.0.1', resolve));
      cookieUrl = `http://127.0.0.1:${(cookieServer.address() as AddressInfo).port}/token`;
    });
    afterAll(() => new Promise<void>((resolve) => cookieServer.close(() => resolve())));
    beforeEach(() => void (cookiesSeen.length = 0));

    it('token requests neither send nor store session cookies', async () => {
      const cc = settings({ tokenUrl: cookieUrl, clientId: 'c', clientSecret: 's' });
      await runClientCredentialsGrant(cc, context());
      await runClientCredentialsGrant(cc, context());
      expect(cookiesSeen).toEqual([undefined, undefined]);
      expect(fake.cookieJar.size).toBe(0);
    });

    it('(what net.fetch would have done: keep the cookie and send it back)', async () => {
      const viaNetFetch: CorePorts = { fetch: (input, init) => fake.net.fetch(String(input), init), clock: systemClock, randomBytes: (n) => new Uint8Array(randomBytes(n)) };
      const cc = settings({ tokenUrl: cookieUrl, clientId: 'c', clientSecret: 's' });
      await runClientCredentialsGrant(cc, { ports: viaNetFetch });
      await runClientCredentialsGrant(cc, { ports: viaNetFetch });
      expect(cookiesSeen).toEqual([undefined, 'vendor_session=abc123']);
    });
  });

  describe('the rules of main/core/oauth/http.ts hold over the adapter', () => {
    const hostile = (path: string) => settings({ tokenUrl: `${server.url}/hostile/${path}`, clientId: 'c', clientSecret: 'hostile-secret', clientAuth: 'body' });

    it('stops reading a streamed 64 MiB body and drops the connection', async () => {
      const error = await caught(() => runClientCredentialsGrant(hostile('64mib'), context()));
      expect(error.code).toBe('ERR_RESPONSE_TOO_LARGE');
      for (let i = 0; i < 100 && !server.hostile.hugeClosed; i++) await new Promise((r) => setTimeout(r, 20));
      expect(server.hostile.hugeClosed).toBe(true);
      expect(server.hostile.hugeBytesSentAtClose!).toBeLessThan(32 * 1024 * 1024);
    });

    it('caps a gzip bomb on the decoded bytes Chromium hands over', async () => {
      const error = await caught(() => runClientCredentialsGrant(hostile('gzip-bomb'), context()));
      expect(error.code).toBe('ERR_RESPONSE_TOO_LARGE');
    });

    it('times out a server that never answers', async () => {
      const started = Date.now();
      const error = await caught(() => runClientCredentialsGrant(hostile('stall'), context({ timeoutMs: 300 })));
      expect(error.code).toBe('ERR_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('times out while the body trickles in (the timeout covers the body)', async () => {
      const started = Date.now();
      const error = await caught(() => runClientCredentialsGrant(hostile('slow'), context({ timeoutMs: 1200 })));
      expect(error.code).toBe('ERR_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(4000);
    });

    it('turns Cancel into ERR_CANCELLED and aborts the request in Chromium', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const error = await caught(() => runClientCredentialsGrant(hostile('stall'), context({ signal: controller.signal })));
      expect(error.code).toBe('ERR_CANCELLED');
    });

    it("reports a refused connection with Chromium's error name", async () => {
      const closed = await startProviderServer();
      await closed.close();
      const error = await caught(() => runClientCredentialsGrant(settings({ tokenUrl: `${closed.url}/myfiber/oauth/v2/token`, clientId: 'c', clientSecret: 's' }), context()));
      expect(error.code).toBe('ERR_NETWORK');
      expect(error.message).toContain('ERR_CONNECTION_REFUSED');
    });
  });

  it('refuses to be asked to follow redirects', async () => {
    const port = createNetRequestFetch((options) => fake.net.request(options));
    await expect(port(`${server.url}/insiders/oauth2/token`, { redirect: 'follow' })).rejects.toThrow(TypeError);
    expect(fake.sent).toHaveLength(0);
  });
});

describe('createOpenExternal', () => {
  it('opens http and https in the system browser and refuses every other scheme', async () => {
    const opened: string[] = [];
    const shell = { openExternal: async (url: string) => void opened.push(url) } as Pick<Shell, 'openExternal'>;
    const openExternal = createOpenExternal(shell);
    await openExternal('https://so.yio.at/oauth/v2/authorize?client_id=x&state=y');
    await openExternal('http://127.0.0.1:8000/');
    for (const url of ['file:///etc/passwd', 'smb://host/share', 'javascript:alert(1)', 'tokendesk://x', 'ms-settings:', 'not a url']) {
      await expect(openExternal(url)).rejects.toMatchObject({ code: 'ERR_INPUT_INSECURE_URL' });
    }
    expect(opened).toEqual(['https://so.yio.at/oauth/v2/authorize?client_id=x&state=y', 'http://127.0.0.1:8000/']);
  });
});

describe('createElectronPorts', () => {
  it('provides secure random bytes and a clock', () => {
    const ports = appPorts();
    const a = ports.randomBytes(32);
    expect(a).toHaveLength(32);
    expect(Buffer.from(a).equals(Buffer.from(ports.randomBytes(32)))).toBe(false);
    expect(Math.abs(ports.clock.now() - Date.now())).toBeLessThan(1000);
  });
});

describe('TLS failures through the app port read in plain words (Chromium codes)', () => {
  // Chromium verifies against the operating system's store; the fake's is `systemAuthorities`.
  const root = createAuthority({ commonName: 'Example Corp Root CA' });
  let expired: ProviderServer;
  let trusted: ProviderServer;
  beforeAll(async () => {
    [expired, trusted] = await Promise.all([
      startProviderServer({ tls: root.issue({ ...LOCALHOST_SERVER, notBefore: new Date(Date.UTC(2025, 0, 1)), notAfter: new Date(Date.UTC(2026, 2, 3, 12, 0)) }) }),
      startProviderServer({ tls: root.issue(LOCALHOST_SERVER) }),
    ]);
  });
  afterAll(async () => Promise.all([expired.close(), trusted.close()]));

  it('an authority missing from the system store: ERR_TLS saying how to trust it, and the issuer it names', async () => {
    const error = await caught(() => runClientCredentialsGrant(settings({ tokenUrl: `${trusted.url}/myfiber/oauth/v2/token`, clientId: 'x', clientSecret: 'y' }), context()));
    expect(error.code).toBe('ERR_TLS');
    expect(error.message).toContain('(ERR_CERT_AUTHORITY_INVALID)');
    expect(error.message).toContain('not issued by an authority this computer trusts (it names "Example Corp Root CA" as its issuer)');
  });

  it('an expired certificate with the root in the store: its date, not the authority advice', async () => {
    fake.systemAuthorities.push(root.certPem);
    const error = await caught(() => runClientCredentialsGrant(settings({ tokenUrl: `${expired.url}/myfiber/oauth/v2/token`, clientId: 'x', clientSecret: 'y' }), context()));
    expect(error.code).toBe('ERR_TLS');
    expect(error.message).toContain('(ERR_CERT_DATE_INVALID)');
    expect(error.message).toContain("The server's certificate expired on 2026-03-03 12:00 UTC.");
  });

  it('with the root in the store, the grant works over https', async () => {
    fake.systemAuthorities.push(root.certPem);
    const { clientId, clientSecret } = trusted.clients.myfiber;
    const tokens = await runClientCredentialsGrant(settings({ tokenUrl: `${trusted.url}/myfiber/oauth/v2/token`, clientId, clientSecret: clientSecret! }), context());
    expect(tokens.accessToken.length).toBeGreaterThan(10);
  });

  it('Test API call on an untrusted API is ERR_TLS, not "could not be reached"', async () => {
    const error = await caught(() => testApiCall(appPorts(), `${trusted.url}/api/me`, { accessToken: 'a', tokenType: 'Bearer', obtainedAt: 0 }));
    expect(error.code).toBe('ERR_TLS');
    expect(error.message).toContain('The secure connection to the test API at');
  });
});
