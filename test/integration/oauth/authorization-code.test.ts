import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import { AuthorizationFlows } from '../../../main/core/oauth/authorization-flows.js';
import type { AuthorizationPrompt, GrantContext } from '../../../main/core/oauth/context.js';
import { resolveEndpoints } from '../../../main/core/oauth/discovery.js';
import { runAuthorizationCodeGrant } from '../../../main/core/oauth/grants/authorization-code.js';
import type { CorePorts } from '../../../main/core/ports.js';
import { systemClock } from '../../../main/core/ports.js';
import { CLIENTS, followToCallback, startOidcServer } from '../../fixtures/oidc-server.js';
import type { OidcServer } from '../../fixtures/oidc-server.js';

const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: systemClock, randomBytes: (n) => new Uint8Array(randomBytes(n)) };

let server: OidcServer;
let flows: AuthorizationFlows;

beforeAll(async () => {
  server = await startOidcServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  flows?.cancelAll();
  server.setInteractionDecision('approve');
});

function settingsFor(overrides: Partial<AccountSettings> = {}): AccountSettings {
  return {
    name: 'Test account',
    grant: 'authorization_code',
    authorizeUrl: server.authorizationEndpoint,
    tokenUrl: server.tokenEndpoint,
    issuer: server.issuer,
    clientId: CLIENTS.public.clientId,
    clientAuth: 'none',
    scopes: ['openid', 'offline_access'],
    scopeSeparator: ' ',
    extra: {},
    ...overrides,
  };
}

/** Starts a flow and waits for its prompt (the point where the host would open the browser). */
async function begin(settings: AccountSettings, extra: Partial<GrantContext> = {}, flowTtlMs?: number) {
  flows = new AuthorizationFlows({ ports, ...(flowTtlMs !== undefined ? { flowTtlMs } : {}) });
  let onPrompt!: (p: AuthorizationPrompt) => void;
  const prompted = new Promise<AuthorizationPrompt>((resolve) => (onPrompt = resolve));
  const result = runAuthorizationCodeGrant(settings, { ports, onAuthorizationPrompt: onPrompt, ...extra }, flows);
  result.catch(() => undefined); // observed by each test
  const prompt = await Promise.race([prompted, result.then(() => Promise.reject(new Error('resolved before prompt')))]);
  return { result, prompt };
}

function tokenRequestCount(): number {
  return server.tokenRequests.length;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
async function isListening(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/** Linux: the local addresses of listening TCP sockets on `port` (hex form of /proc/net/tcp*). */
function listeningAddresses(port: number): string[] | undefined {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [addr, hexPort] = (cols[1] ?? '').split(':');
      if (cols[3] === '0A' && hexPort && parseInt(hexPort, 16) === port) out.push(addr!);
    }
  }
  return out;
}

describe('authorization code with PKCE against oidc-provider', () => {
  it('obtains tokens through a loopback listener on 127.0.0.1 and then closes it', async () => {
    const before = tokenRequestCount();
    const { result, prompt } = await begin(settingsFor());
    expect(prompt.listening).toBe(true);
    const redirect = new URL(prompt.redirectUri);
    expect(redirect.hostname).toBe('127.0.0.1');
    expect(redirect.pathname).toBe('/callback');
    const port = Number(redirect.port);
    expect(port).toBeGreaterThan(0);

    const authorize = new URL(prompt.url);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('scope')).toBe('openid offline_access');
    expect(authorize.searchParams.get('redirect_uri')).toBe(prompt.redirectUri);

    const addresses = listeningAddresses(port);
    if (addresses) expect(addresses).toEqual(['0100007F']); // 127.0.0.1 only, no wildcard, no IPv6

    const callbackUrl = await followToCallback(prompt.url, server.issuer);
    expect(callbackUrl.startsWith(prompt.redirectUri)).toBe(true);
    const page = await fetch(callbackUrl);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('You&#39;re signed in to Test account.');
    const code = new URL(callbackUrl).searchParams.get('code')!;
    expect(html).not.toContain(code);

    const tokens = await result;
    expect(tokens.accessToken.length).toBeGreaterThan(10);
    expect(tokens.refreshToken).toBeDefined();
    expect(html).not.toContain(tokens.accessToken);
    expect(tokens.expiresAt).toBeGreaterThan(Date.now());
    expect(server.tokenRequests.slice(before).map((r) => [r.grantType, r.status])).toEqual([['authorization_code', 200]]);

    expect(flows.pending()).toEqual([]);
    expect(await isListening(port)).toBe(false);
  });

  it('honours the port-less redirect_uri path of a confidential client using client_secret_basic', async () => {
    const { result, prompt } = await begin(
      settingsFor({ clientId: CLIENTS.basic.clientId, clientSecret: CLIENTS.basic.clientSecret, clientAuth: 'basic', redirectUri: 'http://127.0.0.1/authorized/' }),
    );
    expect(prompt.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/authorized\/$/);
    const callbackUrl = await followToCallback(prompt.url, server.issuer);
    await (await fetch(callbackUrl)).arrayBuffer();
    expect((await result).accessToken).toBeTruthy();
  });

  it('works for a client_secret_post client', async () => {
    const { result, prompt } = await begin(settingsFor({ clientId: CLIENTS.post.clientId, clientSecret: CLIENTS.post.clientSecret, clientAuth: 'body' }));
    await (await fetch(await followToCallback(prompt.url, server.issuer))).arrayBuffer();
    expect((await result).accessToken).toBeTruthy();
  });

  it('rejects a callback whose state does not match and sends no token request', async () => {
    const before = tokenRequestCount();
    const { result, prompt } = await begin(settingsFor());
    const callbackUrl = await followToCallback(prompt.url, server.issuer);
    const forged = new URL(callbackUrl);
    forged.searchParams.set('state', 'forged-state-value');

    const page = await fetch(forged);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('does not belong to a sign-in');
    await expect(flows.complete(forged.href)).rejects.toMatchObject({ code: 'ERR_AUTH_STATE' });
    const noState = new URL(callbackUrl);
    noState.searchParams.delete('state');
    await expect(flows.complete(noState.href)).rejects.toMatchObject({ code: 'ERR_AUTH_STATE' });
    expect(tokenRequestCount()).toBe(before);
    expect(flows.pending()).toHaveLength(1);

    // The genuine callback still completes the flow.
    await (await fetch(callbackUrl)).arrayBuffer();
    expect((await result).accessToken).toBeTruthy();
    expect(tokenRequestCount()).toBe(before + 1);
  });

  it('refuses a replayed callback', async () => {
    const { result, prompt } = await begin(settingsFor());
    const callbackUrl = await followToCallback(prompt.url, server.issuer);
    await (await fetch(callbackUrl)).arrayBuffer();
    await result;
    const after = tokenRequestCount();
    await expect(flows.complete(callbackUrl)).rejects.toMatchObject({ code: 'ERR_AUTH_STATE', message: expect.stringContaining('already used') });
    expect(tokenRequestCount()).toBe(after);
  });

  it('completes each flow at most once even when two callbacks race', async () => {
    const redirectUri = 'https://app.tokendesk.example/callback';
    const { result, prompt } = await begin(settingsFor({ redirectUri }));
    const callbackUrl = await followToCallback(prompt.url, server.issuer);
    const before = tokenRequestCount();
    const outcomes = await Promise.allSettled([flows.complete(callbackUrl), flows.complete(callbackUrl)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(tokenRequestCount()).toBe(before + 1);
    expect((await result).accessToken).toBeTruthy();
  });

  it('expires a flow after flowTtlMs, closes its listener and refuses its late callback', async () => {
    const { result, prompt } = await begin(settingsFor(), {}, 300);
    const port = Number(new URL(prompt.redirectUri).port);
    const callbackUrl = await followToCallback(prompt.url, server.issuer);
    const before = tokenRequestCount();
    await expect(result).rejects.toMatchObject({ code: 'ERR_AUTH_EXPIRED' });
    expect(await isListening(port)).toBe(false);
    await expect(flows.complete(callbackUrl)).rejects.toMatchObject({ code: 'ERR_AUTH_EXPIRED' });
    expect(tokenRequestCount()).toBe(before);
    expect(flows.pending()).toEqual([]);
  });

  it('reports access_denied as ERR_AUTH_DENIED and shows a plain failure page', async () => {
    server.setInteractionDecision('deny');
    const before = tokenRequestCount();
    const { result, prompt } = await begin(settingsFor());
    const callbackUrl = await followToCallback(prompt.url, server.issuer);
    expect(new URL(callbackUrl).searchParams.get('error')).toBe('access_denied');
    const page = await fetch(callbackUrl);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('Access was not granted for Test account');
    await expect(result).rejects.toMatchObject({ code: 'ERR_AUTH_DENIED', error: 'access_denied', errorDescription: 'End-User aborted interaction' });
    expect(tokenRequestCount()).toBe(before);
  });

  it.each(['https://app.tokendesk.example/callback', 'tokendesk://callback', 'app.tokendesk:/callback'])(
    'completes a flow from the pasted or protocol-delivered URL for redirect_uri %s',
    async (redirectUri) => {
      const { result, prompt } = await begin(settingsFor({ redirectUri }));
      expect(prompt.listening).toBe(false);
      expect(prompt.redirectUri).toBe(redirectUri);
      const callbackUrl = await followToCallback(prompt.url, server.issuer);
      expect(callbackUrl.startsWith(redirectUri)).toBe(true);
      await flows.complete(`  ${callbackUrl}\n`);
      expect((await result).refreshToken).toBeDefined();
    },
  );

  it('ignores favicon and other paths on the loopback listener', async () => {
    const { result, prompt } = await begin(settingsFor());
    const origin = new URL(prompt.redirectUri).origin;
    const favicon = await fetch(`${origin}/favicon.ico`);
    expect(favicon.status).toBe(404);
    await favicon.arrayBuffer();
    expect(flows.pending()).toHaveLength(1);
    await (await fetch(await followToCallback(prompt.url, server.issuer))).arrayBuffer();
    expect((await result).accessToken).toBeTruthy();
  });

  it('cancels a flow by id and on abort, closing the listener', async () => {
    const first = await begin(settingsFor());
    const [pending] = flows.pending();
    expect(pending).toMatchObject({ flowId: first.prompt.flowId, accountName: 'Test account' });
    expect(flows.cancel(first.prompt.flowId)).toBe(true);
    await expect(first.result).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
    expect(await isListening(Number(new URL(first.prompt.redirectUri).port))).toBe(false);

    const controller = new AbortController();
    const second = await begin(settingsFor(), { signal: controller.signal });
    controller.abort();
    await expect(second.result).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
    expect(await isListening(Number(new URL(second.prompt.redirectUri).port))).toBe(false);
    expect(flows.pending()).toEqual([]);
  });

  it('refuses an answer that names another issuer (RFC 9207)', async () => {
    const before = tokenRequestCount();
    const { result, prompt } = await begin(settingsFor({ issuer: 'https://other.example' }));
    await (await fetch(await followToCallback(prompt.url, server.issuer))).arrayBuffer();
    await expect(result).rejects.toMatchObject({ code: 'ERR_AUTH_SERVER', error: 'issuer_mismatch' });
    expect(tokenRequestCount()).toBe(before);
  });

  it('refuses an insecure authorize URL and missing settings before listening', async () => {
    flows = new AuthorizationFlows({ ports });
    const ctx: GrantContext = { ports, onAuthorizationPrompt: () => expect.unreachable() };
    await expect(runAuthorizationCodeGrant(settingsFor({ authorizeUrl: 'http://login.example.com/auth' }), ctx, flows)).rejects.toMatchObject({
      code: 'ERR_INPUT_INSECURE_URL',
    });
    await expect(runAuthorizationCodeGrant(settingsFor({ clientId: undefined }), ctx, flows)).rejects.toMatchObject({ code: 'ERR_INPUT_MISSING' });
    await expect(runAuthorizationCodeGrant(settingsFor({ tokenUrl: undefined }), ctx, flows)).rejects.toMatchObject({ code: 'ERR_INPUT_MISSING' });
    await expect(runAuthorizationCodeGrant(settingsFor({ redirectUri: 'http://192.0.2.1/cb' }), ctx, flows)).rejects.toMatchObject({
      code: 'ERR_INPUT_INSECURE_URL',
    });
    expect(flows.pending()).toEqual([]);
  });

  it('binds ::1 only when the redirect_uri says [::1] (checked without sending traffic there)', async (t) => {
    const probe = createServer();
    const ipv6 = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(0, '::1', () => probe.close(() => resolve(true)));
    });
    if (!ipv6) return t.skip('IPv6 loopback is not available on this machine');
    const { result, prompt } = await begin(settingsFor({ redirectUri: 'http://[::1]/callback' }));
    expect(prompt.redirectUri).toMatch(/^http:\/\/\[::1\]:\d+\/callback$/);
    const addresses = listeningAddresses(Number(new URL(prompt.redirectUri).port));
    if (addresses) expect(addresses).toEqual(['00000000000000000000000001000000']);
    flows.cancelAll();
    await expect(result).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
  });

  it('says so in plain words when the redirect_uri port is taken', async () => {
    const blocker = createServer((_req, res) => res.end());
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as AddressInfo).port;
      flows = new AuthorizationFlows({ ports });
      await expect(runAuthorizationCodeGrant(settingsFor({ redirectUri: `http://127.0.0.1:${port}/callback` }), { ports }, flows)).rejects.toMatchObject({
        code: 'ERR_NETWORK',
        message: expect.stringContaining('another program is using that port'),
      });
      expect(flows.pending()).toEqual([]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('refuses an answer without iss when the issuer\'s metadata says it always sends one (RFC 9207 2.4, issue 9 item 17)', async () => {
    const resolved = await resolveEndpoints(settingsFor(), { ports });
    expect(resolved.issuerMetadata).toEqual({ issuer: server.issuer, issParameterSupported: true });
    const before = tokenRequestCount();
    const { result, prompt } = await begin(resolved);
    const callback = new URL(await followToCallback(prompt.url, server.issuer));
    expect(callback.searchParams.get('iss')).toBe(server.issuer); // oidc-provider names itself...
    callback.searchParams.delete('iss'); // ...and a mix-up attacker's answer would not
    const page = await fetch(callback);
    expect(page.status).toBe(400);
    await page.arrayBuffer();
    await expect(result).rejects.toMatchObject({ code: 'ERR_AUTH_SERVER', error: 'missing_issuer' });
    expect(tokenRequestCount()).toBe(before);
  });

  it('compares iss with the issuer identifier of the metadata, so a pasted trailing slash does not refuse the real server', async () => {
    const resolved = await resolveEndpoints(settingsFor({ issuer: `${server.issuer}/` }), { ports });
    const { result, prompt } = await begin(resolved);
    await (await fetch(await followToCallback(prompt.url, server.issuer))).arrayBuffer();
    expect((await result).accessToken).toBeTruthy();
  });

  it('still refuses an iss of another issuer when the metadata is known', async () => {
    const resolved = await resolveEndpoints(settingsFor(), { ports });
    const { result, prompt } = await begin(resolved);
    const callback = new URL(await followToCallback(prompt.url, server.issuer));
    callback.searchParams.set('iss', 'https://attacker.example');
    await (await fetch(callback)).arrayBuffer();
    await expect(result).rejects.toMatchObject({ code: 'ERR_AUTH_SERVER', error: 'issuer_mismatch' });
  });

  it('names the account whose sign-in holds a shared redirect port (issue 9 item 17)', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const redirectUri = `http://127.0.0.1:${port}/callback`;
    flows = new AuthorizationFlows({ ports });
    let prompted!: () => void;
    const waiting = new Promise<void>((resolve) => (prompted = resolve));
    const first = runAuthorizationCodeGrant(settingsFor({ name: 'Work account', redirectUri }), { ports, onAuthorizationPrompt: () => prompted() }, flows);
    first.catch(() => undefined);
    await waiting;
    await expect(runAuthorizationCodeGrant(settingsFor({ name: 'Home account', redirectUri }), { ports }, flows)).rejects.toMatchObject({
      code: 'ERR_NETWORK',
      message: expect.stringContaining(`The sign-in for "Work account" is still waiting on port ${port}: finish or cancel it first`),
    });
    expect(flows.pending().map((p) => p.accountName)).toEqual(['Work account']);
    // Once the first one is cancelled, the port is free for the second.
    flows.cancelAll();
    await expect(first).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
    const second = runAuthorizationCodeGrant(settingsFor({ name: 'Home account', redirectUri }), { ports, onAuthorizationPrompt: () => flows.cancelAll() }, flows);
    await expect(second).rejects.toMatchObject({ code: 'ERR_CANCELLED' });
  });

  it('does not let extra authorize parameters replace response_type, client_id, redirect_uri or scope (issue 9 item 15)', async () => {
    const { prompt } = await begin(
      settingsFor({
        extra: { authorize: { response_type: 'token', client_id: 'evil-client', redirect_uri: 'https://evil.example/cb', scope: 'admin', prompt: 'consent' } },
      }),
    );
    const q = new URL(prompt.url).searchParams;
    expect(q.getAll('response_type')).toEqual(['code']);
    expect(q.getAll('client_id')).toEqual([CLIENTS.public.clientId]);
    expect(q.getAll('redirect_uri')).toEqual([prompt.redirectUri]);
    expect(q.getAll('scope')).toEqual(['openid offline_access']);
    expect(q.get('prompt')).toBe('consent');
  });

  it('puts extra authorize parameters on the URL without letting them replace state or the challenge', async () => {
    const { prompt } = await begin(settingsFor({ extra: { authorize: { prompt: 'consent', state: 'fixed', code_challenge_method: 'plain' } } }));
    const q = new URL(prompt.url).searchParams;
    expect(q.get('prompt')).toBe('consent');
    expect(q.get('state')).not.toBe('fixed');
    expect(q.get('code_challenge_method')).toBe('S256');
  });
});
