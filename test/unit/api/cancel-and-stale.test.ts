/**
 * The window's actions over the REAL core and the fixture server: Cancel
 * (`flows:cancel`) really stops a token request, an API test and a revoke
 * under way (the slow server sees its client go away), a cancelled call
 * stores nothing and is no error of the account; an edit of the credentials
 * clears the failure they caused; Refresh says whether a new token came; the
 * budget message gives no UTC clock time.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiHandlers } from '../../../main/core/api.js';
import { AppSession } from '../../../main/core/app-session.js';
import { createClipboardGuard } from '../../../main/core/clipboard-guard.js';
import type { CorePorts } from '../../../main/core/ports.js';
import type { IpcHandlers } from '../../../shared/ipc.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';

let provider: ProviderServer;
let dataDir: string;
let session: AppSession;
let api: IpcHandlers;
const PASSPHRASE = 'unit-test passphrase';
/** Far longer than any assertion waits: an answer that comes at all came because Cancel did nothing. */
const SLOW_MS = 20_000;

const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: { now: () => Date.now() }, randomBytes: (n) => new Uint8Array(randomBytes(n)) };

beforeAll(async () => {
  provider = await startProviderServer();
});
afterAll(async () => {
  await provider.close();
});
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tokendesk-cancel-'));
  session = new AppSession({ dataDir, ports });
  let clipboard = '';
  const guard = createClipboardGuard({ clipboard: { readText: () => clipboard, writeText: (text) => void (clipboard = text) }, now: () => Date.now() });
  api = createApiHandlers({ session, clipboard: guard, ports, emit: () => undefined, openExternal: async () => undefined });
  expect((await api['app:create']({ passphrase: PASSPHRASE })).ok).toBe(true);
});
afterEach(async () => {
  session.lock();
  await rm(dataDir, { recursive: true, force: true });
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let round = 0; round < 1000 && !condition(); round++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition(), what).toBe(true);
}

async function importText(text: string): Promise<void> {
  const result = await api['accounts:import']({ text });
  expect(result).toMatchObject({ ok: true });
}

async function summary(name: string) {
  const listed = await api['accounts:list']({});
  if (!listed.ok) throw new Error(listed.error.message);
  return listed.value.find((account) => account.name === name)!;
}

async function history(name: string) {
  const result = await api['accounts:history']({ name });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** Starts `call`, waits until the slow route has it, cancels, and checks the call ends at once as cancelled and the server saw it go. */
async function cancelWhileSlow(name: string, call: () => Promise<unknown>): Promise<void> {
  const { arrived, abandoned, answered } = provider.hostile.delay;
  const started = Date.now();
  const pending = call();
  await until(() => provider.hostile.delay.arrived > arrived, 'the request reached the slow server');
  expect((await api['flows:cancel']({ name })).ok).toBe(true);
  expect(await pending).toMatchObject({ ok: false, error: { kind: 'cancelled', code: 'ERR_CANCELLED' } });
  expect(Date.now() - started).toBeLessThan(SLOW_MS / 2);
  await until(() => provider.hostile.delay.abandoned > abandoned, 'the server saw its client go away');
  expect(provider.hostile.delay.answered).toBe(answered);
}

describe('flows:cancel stops a request under way', () => {
  it.each([
    ['client_credentials', 'client_id = "a"\nclient_secret = "b"'],
    ['password', 'client_id = "a"\nclient_auth = "none"\nusername = "me"\npassword = "pw"'],
  ])('a %s token request: the call ends as cancelled, nothing is stored, the account has no error', async (grant, credentials) => {
    await importText(`name = "slow"\ngrant = "${grant}"\ntoken_url = "${provider.url}/hostile/delay?ms=${SLOW_MS}"\n${credentials}\n`);
    await cancelWhileSlow('slow', () => api['tokens:copy']({ name: 'slow', what: 'token' }));
    expect(await api['tokens:inspect']({ name: 'slow' })).toEqual({ ok: true, value: null });
    expect(await summary('slow')).not.toHaveProperty('lastError');
    // The request did reach the server, so it stays in the history (budgets count it), as cancelled.
    const { entries } = await history('slow');
    expect(entries).toEqual([expect.objectContaining({ request: grant, outcome: 'error', errorCode: 'ERR_CANCELLED' })]);
  });

  it('a refresh_token request (Refresh): cancelled, the token before stays', async () => {
    // Slow enough to cancel in, quick enough to get the first token (with a refresh token) before.
    await importText(`name = "slow"\ngrant = "client_credentials"\ntoken_url = "${provider.url}/hostile/delay?ms=3000&refresh=1"\nclient_id = "a"\nclient_secret = "b"\n`);
    expect((await api['tokens:refresh']({ name: 'slow' })).ok).toBe(true);
    const kept = await api['tokens:inspect']({ name: 'slow' });
    expect(kept).toMatchObject({ ok: true, value: { hasRefreshToken: true } });
    await cancelWhileSlow('slow', () => api['tokens:refresh']({ name: 'slow', force: true }));
    expect(await api['tokens:inspect']({ name: 'slow' })).toEqual(kept);
    expect(await summary('slow')).not.toHaveProperty('lastError');
    expect((await history('slow')).entries.at(-1)).toMatchObject({ request: 'refresh_token', errorCode: 'ERR_CANCELLED' });
  });

  it('the Test API call', async () => {
    await importText(`name = "pat"\ngrant = "static"\naccess_token = "pat-value-123"\napi_url = "${provider.url}/hostile/delay?ms=${SLOW_MS}"\n`);
    await cancelWhileSlow('pat', () => api['tokens:test-api']({ name: 'pat' }));
  });

  it('a revoke: cancelled, the token is not forgotten', async () => {
    const { clientId, clientSecret } = provider.clients.myfiber;
    await importText(
      `name = "fiber"\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nrevoke_url = "${provider.url}/hostile/delay?ms=${SLOW_MS}"\n`,
    );
    expect((await api['tokens:refresh']({ name: 'fiber' })).ok).toBe(true);
    const token = await api['tokens:inspect']({ name: 'fiber' });
    await cancelWhileSlow('fiber', () => api['tokens:revoke']({ name: 'fiber' }));
    expect(await api['tokens:inspect']({ name: 'fiber' })).toEqual(token);
    expect((await history('fiber')).entries.at(-1)).toMatchObject({ request: 'revoke', errorCode: 'ERR_CANCELLED' });
  });

  it('cancelling one account leaves another account’s request alone', async () => {
    // quick goes to another route, so the slow route's counters are the slow account's alone.
    const { clientId, clientSecret } = provider.clients.myfiber;
    await importText(
      `[accounts.slow]\ngrant = "client_credentials"\ntoken_url = "${provider.url}/hostile/delay?ms=${SLOW_MS}"\nclient_id = "a"\nclient_secret = "b"\n\n` +
        `[accounts.quick]\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\n`,
    );
    const quick = api['tokens:copy']({ name: 'quick', what: 'token' });
    await cancelWhileSlow('slow', () => api['tokens:copy']({ name: 'slow', what: 'token' }));
    expect(await quick).toMatchObject({ ok: true });
  });
});

describe('no stale or contradictory results', () => {
  it('an edit of the credentials clears the failure they caused, and so does a success', async () => {
    const { clientId, clientSecret } = provider.clients.myfiber;
    await importText(`name = "fiber"\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${clientId}"\nclient_secret = "wrong-secret-0000"\n`);
    expect(await api['tokens:copy']({ name: 'fiber', what: 'token' })).toMatchObject({ ok: false, error: { kind: 'auth_server' } });
    expect((await summary('fiber')).lastError).toMatchObject({ code: 'ERR_AUTH_SERVER' });
    // Notes are no credentials: the failure still stands.
    expect((await api['accounts:update']({ name: 'fiber', patch: { notes: 'from the vendor mail' } })).ok).toBe(true);
    expect((await summary('fiber')).lastError).toMatchObject({ code: 'ERR_AUTH_SERVER' });
    expect((await api['accounts:update']({ name: 'fiber', patch: { clientSecret: clientSecret! } })).ok).toBe(true);
    expect(await summary('fiber')).not.toHaveProperty('lastError');

    expect((await api['accounts:update']({ name: 'fiber', patch: { clientSecret: 'wrong-again-0000' } })).ok).toBe(true);
    expect((await api['tokens:refresh']({ name: 'fiber' })).ok).toBe(false);
    expect((await summary('fiber')).lastError).toBeDefined();
    // Editing it back and getting a token: the success clears it too (here: the edit already did, the success keeps it clear).
    expect((await api['accounts:update']({ name: 'fiber', patch: { clientSecret: clientSecret! } })).ok).toBe(true);
    expect((await api['tokens:refresh']({ name: 'fiber' })).ok).toBe(true);
    expect(await summary('fiber')).not.toHaveProperty('lastError');
  });

  it('Refresh says whether a new token was obtained', async () => {
    const { clientId, clientSecret } = provider.clients.myfiber;
    await importText(
      `[accounts.fiber]\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\n\n` +
        `[accounts.pat]\ngrant = "static"\naccess_token = "pat-value-456"\n`,
    );
    expect(await api['tokens:refresh']({ name: 'fiber', force: true })).toMatchObject({ ok: true, value: { newToken: true } });
    expect(await api['tokens:refresh']({ name: 'fiber', force: true })).toMatchObject({ ok: true, value: { newToken: true } });
    // Not forced and still valid: the stored token comes back, which is no new token.
    expect(await api['tokens:refresh']({ name: 'fiber', force: false })).toMatchObject({ ok: true, value: { newToken: false } });
    // A static token cannot be renewed by TokenDesk at all.
    await api['tokens:refresh']({ name: 'pat' });
    expect(await api['tokens:refresh']({ name: 'pat', force: true })).toMatchObject({ ok: true, value: { newToken: false } });
  });

  it('a budget that blocks a request says how long to wait, not a UTC clock time', async () => {
    await importText(`name = "counted"\ngrant = "client_credentials"\ntoken_url = "${provider.url}/hostile/delay?ms=0"\nclient_id = "a"\nclient_secret = "b"\nrequest_budget = { max_requests = 1, window_seconds = 86400 }\n`);
    expect((await api['tokens:refresh']({ name: 'counted', force: true })).ok).toBe(true);
    const blocked = await api['tokens:refresh']({ name: 'counted', force: true });
    expect(blocked).toMatchObject({ ok: false, error: { code: 'ERR_BUDGET_EXCEEDED' } });
    const message = blocked.ok ? '' : blocked.error.message;
    expect(message).toMatch(/the next request is possible in (23 hours 59 minutes|24 hours)\./);
    expect(message).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    // The window shows when, in local time: it gets the moment as a number.
    const { budget } = await history('counted');
    const sentAt = (await history('counted')).entries[0]!.at;
    expect(budget).toMatchObject({ used: 1, maxRequests: 1 });
    expect(budget!.nextAt! - sentAt).toBeGreaterThanOrEqual(86_400_000 - 1000);
    expect(budget!.nextAt! - sentAt).toBeLessThanOrEqual(86_400_000 + 1000);
  });
});
