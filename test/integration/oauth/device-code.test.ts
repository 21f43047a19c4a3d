import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import type { DeviceCodePrompt, GrantContext } from '../../../main/core/oauth/context.js';
import { runDeviceCodeGrant } from '../../../main/core/oauth/grants/device-code.js';
import type { CorePorts } from '../../../main/core/ports.js';
import { systemClock } from '../../../main/core/ports.js';
import { CLIENTS, DEVICE_CODE_GRANT, startOidcServer } from '../../fixtures/oidc-server.js';
import type { OidcServer, OidcServerOptions } from '../../fixtures/oidc-server.js';

const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: systemClock, randomBytes: (n) => new Uint8Array(randomBytes(n)) };

let server: OidcServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serverWith(options: OidcServerOptions = {}): Promise<OidcServer> {
  server = await startOidcServer(options);
  return server;
}

function settingsFor(s: OidcServer, overrides: Partial<AccountSettings> = {}): AccountSettings {
  return {
    name: 'TV account',
    grant: 'device_code',
    tokenUrl: s.tokenEndpoint,
    deviceAuthorizationUrl: s.deviceAuthorizationEndpoint,
    clientId: CLIENTS.public.clientId,
    clientAuth: 'none',
    scopes: ['openid', 'offline_access'],
    scopeSeparator: ' ',
    extra: {},
    ...overrides,
  };
}

/** Runs the grant and resolves the prompt as soon as the user code is shown. */
function begin(settings: AccountSettings, ctx: Partial<GrantContext> = {}, secondMs?: number) {
  let onPrompt!: (p: DeviceCodePrompt) => void;
  const prompted = new Promise<DeviceCodePrompt>((resolve) => (onPrompt = resolve));
  const result = runDeviceCodeGrant(settings, { ports, onDeviceCodePrompt: onPrompt, ...ctx }, secondMs !== undefined ? { secondMs } : {});
  result.catch(() => undefined);
  return { result, prompted };
}

function devicePolls(s: OidcServer) {
  return s.tokenRequests.filter((r) => r.grantType === DEVICE_CODE_GRANT);
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('device code grant against oidc-provider', () => {
  it('shows the user code, keeps polling while pending, and returns tokens once approved (real 1 s interval)', async () => {
    const s = await serverWith({ deviceInterval: 1 });
    const { result, prompted } = begin(settingsFor(s));
    const prompt = await prompted;
    expect(prompt.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(prompt.verificationUri).toBe(`${s.issuer}/device`);
    expect(prompt.verificationUriComplete).toContain('user_code=');
    expect(prompt.intervalSeconds).toBe(1);
    expect(prompt.expiresAt).toBeGreaterThan(Date.now());

    await until(() => devicePolls(s).length >= 1, 3000);
    expect(devicePolls(s)[0]!.error).toBe('authorization_pending');
    await s.approveDevice(prompt.userCode);

    const tokens = await result;
    expect(tokens.accessToken).toBeTruthy();
    expect(tokens.refreshToken).toBeDefined();
    const polls = devicePolls(s);
    expect(polls.at(-1)!.status).toBe(200);
    // Polls honour the interval: about one second apart.
    for (let i = 1; i < polls.length; i++) expect(polls[i]!.at - polls[i - 1]!.at).toBeGreaterThanOrEqual(950);
  });

  it('adds 5 seconds to the interval after slow_down', async () => {
    const s = await serverWith({ deviceInterval: 1 });
    s.slowDownNextPolls(1);
    const unit = 40; // one protocol second = 40 ms
    const { result, prompted } = begin(settingsFor(s), {}, unit);
    const prompt = await prompted;
    await until(() => devicePolls(s).length >= 3);
    await s.approveDevice(prompt.userCode);
    await result;
    const polls = devicePolls(s);
    expect(polls[0]!.error).toBe('slow_down');
    expect(polls[1]!.error).toBe('authorization_pending');
    // Before slow_down: 1 unit. After: 6 units (1 + 5) between every later poll.
    const gap = polls[1]!.at - polls[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(6 * unit - 5);
    expect(polls[2]!.at - polls[1]!.at).toBeGreaterThanOrEqual(6 * unit - 5);
  });

  it('uses 5 seconds when the server gives no interval', async () => {
    const s = await serverWith();
    const unit = 20;
    const { result, prompted } = begin(settingsFor(s), {}, unit);
    const prompt = await prompted;
    expect(prompt.intervalSeconds).toBe(5);
    await until(() => devicePolls(s).length >= 2);
    await s.approveDevice(prompt.userCode);
    await result;
    const polls = devicePolls(s);
    expect(polls[1]!.at - polls[0]!.at).toBeGreaterThanOrEqual(5 * unit - 5);
  });

  it('reports a refused device code as ERR_AUTH_DENIED', async () => {
    const s = await serverWith({ deviceInterval: 1 });
    const { result, prompted } = begin(settingsFor(s), {}, 20);
    await s.denyDevice((await prompted).userCode);
    await expect(result).rejects.toMatchObject({ code: 'ERR_AUTH_DENIED', error: 'access_denied' });
  });

  it('stops with ERR_AUTH_EXPIRED when the code expires', async () => {
    const s = await serverWith({ deviceInterval: 1, deviceCodeTtlSeconds: 2 });
    const start = Date.now();
    const { result } = begin(settingsFor(s), {}, 100);
    await expect(result).rejects.toMatchObject({ code: 'ERR_AUTH_EXPIRED' });
    // 2 protocol seconds of 100 ms: it gave up by its own clock, well before the server's 2 real seconds.
    expect(Date.now() - start).toBeLessThan(1500);
  });

  it('maps the server saying expired_token to ERR_AUTH_EXPIRED', async () => {
    // The server's code lives 1 s but it claims 600 s, so only the server can say it expired.
    const s = await serverWith({ deviceInterval: 1, deviceCodeTtlSeconds: 1, advertisedDeviceExpiresIn: 600 });
    const { result } = begin(settingsFor(s, {}), {}, 1000);
    await expect(result).rejects.toMatchObject({ code: 'ERR_AUTH_EXPIRED' });
    expect(devicePolls(s).at(-1)!.error).toBe('expired_token');
  });

  it('stops polling at once when cancelled', async () => {
    const s = await serverWith({ deviceInterval: 1 });
    const controller = new AbortController();
    const { result, prompted } = begin(settingsFor(s), { signal: controller.signal });
    await prompted;
    const started = Date.now();
    controller.abort();
    await expect(result).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
    expect(Date.now() - started).toBeLessThan(500);
    const polls = devicePolls(s).length;
    await new Promise((r) => setTimeout(r, 1200));
    expect(devicePolls(s).length).toBe(polls);
  });

  it('authenticates a confidential client at the device endpoint with client_secret_basic', async () => {
    const s = await serverWith({ deviceInterval: 1 });
    const { result, prompted } = begin(
      settingsFor(s, { clientId: CLIENTS.basic.clientId, clientSecret: CLIENTS.basic.clientSecret, clientAuth: 'basic' }),
      {},
      20,
    );
    await s.approveDevice((await prompted).userCode);
    expect((await result).accessToken).toBeTruthy();
  });

  it('reports a device endpoint refusal (wrong client secret) as the server error', async () => {
    const s = await serverWith();
    const { result } = begin(settingsFor(s, { clientId: CLIENTS.post.clientId, clientSecret: 'wrong-secret', clientAuth: 'body' }));
    const error = await result.then(
      () => expect.unreachable(),
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'ERR_AUTH_SERVER', error: 'invalid_client' });
    expect(String((error as Error).message)).not.toContain('wrong-secret');
  });

  it('refuses missing settings before sending anything', async () => {
    const s = await serverWith();
    await expect(runDeviceCodeGrant(settingsFor(s, { deviceAuthorizationUrl: undefined }), { ports })).rejects.toMatchObject({ code: 'ERR_INPUT_MISSING' });
    await expect(runDeviceCodeGrant(settingsFor(s, { clientId: undefined }), { ports })).rejects.toMatchObject({ code: 'ERR_INPUT_MISSING' });
    await expect(runDeviceCodeGrant(settingsFor(s, { deviceAuthorizationUrl: 'http://device.example.com/x' }), { ports })).rejects.toMatchObject({
      code: 'ERR_INPUT_INSECURE_URL',
    });
    expect(s.requestPaths).toEqual([]);
  });
});
