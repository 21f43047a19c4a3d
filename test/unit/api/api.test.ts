/**
 * The IPC handler table over the REAL core: AppSession on a temporary data
 * folder (passphrase slot), the seed-dialect fixture server on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiHandlers, inspectToken, toIpcError, type SessionPort } from '../../../main/core/api.js';
import { AppSession } from '../../../main/core/app-session.js';
import { createClipboardGuard } from '../../../main/core/clipboard-guard.js';
import { createAgentApprovals } from '../../../main/core/api/agent-approvals.js';
import { AuthServerError, InputError } from '../../../main/core/errors.js';
import type { CorePorts } from '../../../main/core/ports.js';
import type { AppEvent, IpcHandlers } from '../../../shared/ipc.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';

let provider: ProviderServer;
let dataDir: string;
let session: AppSession;
let api: IpcHandlers;
let clipboard: string;
let events: AppEvent[];
const PASSPHRASE = 'unit-test passphrase';

const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: { now: () => Date.now() }, randomBytes: (n) => new Uint8Array(randomBytes(n)) };

function myfiberToml(secret: string, name = 'myfiber production'): string {
  return `name = "${name}"\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${provider.clients.myfiber.clientId}"\nclient_secret = "${secret}"\n`;
}

beforeAll(async () => {
  provider = await startProviderServer();
});
afterAll(async () => {
  await provider.close();
});

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tokendesk-api-'));
  session = new AppSession({ dataDir, ports });
  clipboard = '';
  events = [];
  const guard = createClipboardGuard({ clipboard: { readText: () => clipboard, writeText: (t) => void (clipboard = t) }, now: () => Date.now() });
  api = createApiHandlers({ session, clipboard: guard, ports, emit: (e) => events.push(e), openExternal: async () => undefined });
  const created = await api['app:create']({ passphrase: PASSPHRASE });
  expect(created.ok).toBe(true);
});
afterEach(async () => {
  session.lock();
  await rm(dataDir, { recursive: true, force: true });
});

describe('createApiHandlers', () => {
  it('rejects a request that does not match the channel schema, without running the handler', async () => {
    const extra = await api['accounts:get']({ name: 'x', secret: 'y' } as never);
    expect(extra).toMatchObject({ ok: false, error: { kind: 'input', code: 'ERR_IPC_REQUEST' } });
    const empty = await api['tokens:copy']({ name: '', what: 'token' });
    expect(empty).toMatchObject({ ok: false, error: { kind: 'input' } });
    const wrongKind = await api['tokens:copy']({ name: 'a', what: 'password' } as never);
    expect(wrongKind.ok).toBe(false);
  });

  it('lists accounts another process (the CLI) added to the same vault', async () => {
    const cli = new AppSession({ dataDir, ports });
    await cli.unlock(PASSPHRASE);
    await cli.accounts().importAccounts([{ name: 'from the cli', grant: 'static', accessToken: 'pat-cli', clientAuth: 'none', scopes: [], scopeSeparator: ' ', extra: {} }]);
    const listed = await api['accounts:list']({});
    expect(listed.ok && listed.value.map((account) => account.name)).toEqual(['from the cli']);
  });

  it('previews an import with every secret masked', async () => {
    const secret = 'preview-secret-value-42';
    const result = await api['accounts:preview']({ text: `\uFEFF${myfiberToml(secret).replace(/\n/g, '\r\n')}` });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(JSON.stringify(result.value)).not.toContain(secret);
    expect(result.value.accounts[0]).toMatchObject({ name: 'myfiber production', preset: 'myfiber', hasClientSecret: true });
    expect(result.value.problems).toEqual([]);
    // Nothing was stored by a preview.
    expect(await api['accounts:list']({})).toEqual({ ok: true, value: [] });
  });

  it('reports import problems with line and column', async () => {
    const result = await api['accounts:preview']({ text: 'name = "x"\nclient_id = "unterminated\n' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.problems[0]?.line).toBe(2);
  });

  it('never reads a key_file named in pasted text', async () => {
    const result = await api['accounts:import']({
      text: `name = "k"\ngrant = "jwt_bearer"\ntoken_url = "${provider.url}/myfiber/oauth/v2/token"\nissuer = "${provider.url}/myfiber"\nkey_file = "/etc/hostname"\n`,
    });
    expect(result).toMatchObject({ ok: false, error: { kind: 'input' } });
    if (!result.ok) expect(result.error.message).toContain('key_file');
  });

  it('copies a token through the clipboard guard and reports when it will be cleared', async () => {
    expect((await api['accounts:import']({ text: myfiberToml(provider.clients.myfiber.clientSecret!) })).ok).toBe(true);
    const before = Date.now();
    const copied = await api['tokens:copy']({ name: 'myfiber production', what: 'token' });
    expect(copied.ok).toBe(true);
    if (!copied.ok) return;
    expect(provider.isAccessTokenActive('myfiber', clipboard)).toBe(true);
    expect(copied.value.clearsAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(events).toContainEqual({ type: 'clipboard', state: 'copied', account: 'myfiber production' });

    const header = await api['tokens:copy']({ name: 'myfiber production', what: 'header' });
    expect(header.ok).toBe(true);
    expect(clipboard).toMatch(/^Authorization: Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('inspects the token in the main process: claims, scopes, no raw token', async () => {
    await api['accounts:import']({ text: myfiberToml(provider.clients.myfiber.clientSecret!) });
    await api['tokens:copy']({ name: 'myfiber production', what: 'token' });
    const inspected = await api['tokens:inspect']({ name: 'myfiber production' });
    expect(inspected.ok).toBe(true);
    if (!inspected.ok || !inspected.value) throw new Error('no inspection');
    expect(inspected.value.claims?.sub).toBe(provider.clients.myfiber.clientId);
    expect(JSON.stringify(inspected.value)).not.toContain(clipboard);
    expect(JSON.stringify(inspected.value)).not.toContain(clipboard.split('.')[2]);
  });

  it('answers null for an account without a token, without any network request', async () => {
    await api['accounts:import']({ text: myfiberToml('whatever-secret', 'idle') });
    const before = provider.requests.length;
    expect(await api['tokens:inspect']({ name: 'idle' })).toEqual({ ok: true, value: null });
    expect(provider.requests.length).toBe(before);
  });

  it('maps a refused grant to auth_server with the server’s reason and no secret', async () => {
    const secret = 'definitely-wrong-secret-77';
    await api['accounts:import']({ text: myfiberToml(secret, 'wrong') });
    const result = await api['tokens:copy']({ name: 'wrong', what: 'token' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'auth_server', serverError: 'invalid_client', serverErrorDescription: 'client authentication failed' } });
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(clipboard).toBe('');
  });

  it('edits, renames and removes an account; a secret is kept when the patch leaves it empty', async () => {
    await api['accounts:import']({ text: myfiberToml('old-wrong-secret', 'edit me') });
    expect((await api['accounts:update']({ name: 'edit me', patch: { clientSecret: '', notes: 'from the vendor' } })).ok).toBe(true);
    const kept = await api['accounts:get']({ name: 'edit me' });
    expect(kept).toMatchObject({ ok: true, value: { hasClientSecret: true, notes: 'from the vendor' } });
    await api['accounts:update']({ name: 'edit me', patch: { clientSecret: provider.clients.myfiber.clientSecret! } });
    expect((await api['accounts:rename']({ name: 'edit me', newName: 'edited' })).ok).toBe(true);
    expect((await api['tokens:copy']({ name: 'edited', what: 'token' })).ok).toBe(true);
    expect((await api['accounts:remove']({ name: 'edited' })).ok).toBe(true);
    expect(await api['accounts:list']({})).toEqual({ ok: true, value: [] });
  });

  it('refuses to open a browser URL that no flow produced', async () => {
    const result = await api['flows:open-browser']({ name: 'anything' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'input', code: 'ERR_INPUT_UNKNOWN' } });
  });

  it('copies only a code a device flow showed: with none pending, nothing is copied', async () => {
    clipboard = 'what the user had';
    const result = await api['flows:copy-code']({ name: 'anything' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'input', code: 'ERR_INPUT_UNKNOWN' } });
    expect(clipboard).toBe('what the user had');
  });

  it('refuses to send a token to a plain-http test address that is not on this computer', async () => {
    await api['accounts:import']({ text: myfiberToml(provider.clients.myfiber.clientSecret!, 'api') });
    // 192.0.2.1 (TEST-NET-1, RFC 5737) is not loopback, and is refused before any connection.
    // (127.0.0.2 used to stand in here; all of 127.0.0.0/8 is loopback now, issue 9 item 17.)
    const update = await api['accounts:update']({ name: 'api', patch: { apiUrl: 'http://192.0.2.1:9/me' } });
    const result = update.ok ? await api['tokens:test-api']({ name: 'api' }) : update;
    expect(result).toMatchObject({ ok: false, error: { kind: 'input', code: 'ERR_INPUT_INSECURE_URL' } });
  });

  it('stores the clipboard delay in the vault preferences', async () => {
    expect(await api['settings:get']({})).toEqual({ ok: true, value: { clipboardClearSeconds: 60, autoLockMinutes: 15 } });
    expect(await api['settings:set']({ clipboardClearSeconds: 15 })).toEqual({ ok: true, value: { clipboardClearSeconds: 15, autoLockMinutes: 15 } });
    expect(session.preferences().clipboardClearSeconds).toBe(15);
  });

  it('keeps whether to ask before the agent hands out the token, per account, without dropping its token (issue 11 item 3)', async () => {
    await api['accounts:import']({ text: myfiberToml(provider.clients.myfiber.clientSecret!, 'script account') });
    expect((await api['tokens:copy']({ name: 'script account', what: 'token' })).ok).toBe(true);
    const before = await api['accounts:get']({ name: 'script account' });
    expect(before.ok && before.value.agentApproval).toBeUndefined();

    expect(await api['accounts:update']({ name: 'script account', patch: { agentApproval: false } })).toEqual({ ok: true, value: { dropped: [] } });
    expect(await api['accounts:get']({ name: 'script account' })).toMatchObject({ ok: true, value: { agentApproval: false } });
    // Not part of the grant's identity: the token stays.
    expect(await api['tokens:inspect']({ name: 'script account' })).toMatchObject({ ok: true, value: { tokenType: 'Bearer' } });
    // Stored in the vault, so another process (the agent) reads it.
    const other = new AppSession({ dataDir, ports });
    await other.unlock(PASSPHRASE);
    expect((await other.accounts().getSettings('script account')).agentApproval).toBe(false);
    other.lock();

    expect(await api['accounts:update']({ name: 'script account', patch: { agentApproval: true } })).toMatchObject({ ok: true });
    expect(await api['accounts:get']({ name: 'script account' })).toMatchObject({ ok: true, value: { agentApproval: true } });
  });

  it('app:lock forgets the keys and tells the window, which then shows its unlock screen', async () => {
    await api['accounts:import']({ text: myfiberToml('some-secret', 'locked away') });
    events.length = 0;
    expect(await api['app:lock']({})).toEqual({ ok: true, value: {} });
    expect(events).toContainEqual({ type: 'locked', reason: 'user' });
    expect(await api['app:status']({})).toMatchObject({ ok: true, value: { vault: 'locked' } });
    expect(await api['accounts:list']({})).toMatchObject({ ok: false, error: { kind: 'vault', code: 'ERR_VAULT_LOCKED' } });
    expect((await api['app:unlock']({ passphrase: PASSPHRASE })).ok).toBe(true);
    expect(await api['accounts:list']({})).toMatchObject({ ok: true, value: [{ name: 'locked away' }] });
  });

  it('agent:answer without a question waiting is refused; agent:pending is empty', async () => {
    expect(await api['agent:answer']({ id: 'nope', answer: 'once' })).toMatchObject({ ok: false, error: { kind: 'input', code: 'ERR_INPUT_UNKNOWN' } });
    expect(await api['agent:answer']({ id: 'x', answer: 'always' } as never)).toMatchObject({ ok: false, error: { code: 'ERR_IPC_REQUEST' } });
    expect(await api['agent:pending']({})).toEqual({ ok: true, value: [] });
  });

  it('agent:pending shows the question waiting, agent:answer answers it (issue 11 item 3)', async () => {
    const emitted: AppEvent[] = [];
    const approvals = createAgentApprovals((event) => emitted.push(event));
    const guard = createClipboardGuard({ clipboard: { readText: () => '', writeText: () => undefined }, now: () => Date.now() });
    const handlers = createApiHandlers({ session, clipboard: guard, ports, emit: (e) => emitted.push(e), openExternal: async () => undefined, approvals });
    const answer = approvals.approve({ account: 'myfiber production', operation: 'token', caller: { pid: 77, executable: '/usr/bin/curl' } }, new AbortController().signal);
    const pending = await handlers['agent:pending']({});
    expect(pending).toMatchObject({ ok: true, value: [{ type: 'agent-approval', account: 'myfiber production', operation: 'token', caller: { pid: 77, executable: '/usr/bin/curl' } }] });
    const id = pending.ok ? pending.value[0]!.id : '';
    expect(await handlers['agent:answer']({ id, answer: 'session' })).toEqual({ ok: true, value: {} });
    await expect(answer).resolves.toBe('session');
    expect(emitted).toContainEqual({ type: 'agent-approval-closed', id });
    expect(await handlers['agent:answer']({ id, answer: 'once' })).toMatchObject({ ok: false, error: { code: 'ERR_INPUT_UNKNOWN' } });
  });

  it('a wrong passphrase is a vault error the UI can explain', async () => {
    session.lock();
    const result = await api['app:unlock']({ passphrase: 'not the passphrase' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'vault', code: 'ERR_VAULT_PASSPHRASE' } });
    expect((await api['app:unlock']({ passphrase: PASSPHRASE })).ok).toBe(true);
  });
});

describe('a sign-in in progress', () => {
  /** An Insiders authorization-code account whose browser step the test plays when it wants to. */
  async function pendingSignIn(): Promise<{ handlers: IpcHandlers; opened: string[]; emitted: AppEvent[] }> {
    const opened: string[] = [];
    const emitted: AppEvent[] = [];
    const guard = createClipboardGuard({ clipboard: { readText: () => clipboard, writeText: (t) => void (clipboard = t) }, now: () => Date.now() });
    const handlers = createApiHandlers({ session, clipboard: guard, ports, emit: (e) => emitted.push(e), openExternal: async (url) => void opened.push(url) });
    const { clientId, clientSecret } = provider.clients.insiders;
    const toml = `name = "Insiders"\ngrant = "authorization_code"\nauthorize_url = "${provider.url}/insiders/oauth2/authorize/"\ntoken_url = "${provider.url}/insiders/oauth2/token/"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nclient_auth = "basic"\n`;
    expect((await handlers['accounts:import']({ text: toml })).ok).toBe(true);
    return { handlers, opened, emitted };
  }

  async function playBrowser(url: string): Promise<void> {
    const authorize = await fetch(url, { redirect: 'manual' });
    await authorize.arrayBuffer();
    const callback = await fetch(authorize.headers.get('location')!);
    await callback.arrayBuffer();
  }

  async function until(condition: () => boolean): Promise<void> {
    for (let round = 0; round < 200 && !condition(); round++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(condition()).toBe(true);
  }

  it('a second Copy, Refresh or Reveal joins the pending sign-in and brings its dialog forward; it is not cancelled', async () => {
    const { handlers, opened, emitted } = await pendingSignIn();
    const first = handlers['tokens:copy']({ name: 'Insiders', what: 'token' });
    await until(() => opened.length === 1);
    const second = handlers['tokens:copy']({ name: 'Insiders', what: 'header' });
    const refresh = handlers['tokens:refresh']({ name: 'Insiders' });
    const reveal = handlers['tokens:reveal']({ name: 'Insiders' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // One browser, one sign-in: the joined calls re-sent the prompt instead of starting (or cancelling) anything.
    expect(opened).toHaveLength(1);
    expect(emitted.filter((event) => event.type === 'authorization-prompt')).toHaveLength(4);
    await playBrowser(opened[0]!);
    const results = await Promise.all([first, second, refresh, reveal]);
    expect(results.map((result) => result.ok)).toEqual([true, true, true, true]);
    const revealed = results[3]!;
    expect(revealed.ok && revealed.value.accessToken).toBeTruthy();
    expect(provider.requestsTo('/insiders/oauth2/token/').filter((request) => request.form.grant_type === 'authorization_code')).toHaveLength(1);
  });

  it('only an explicit Cancel stops it', async () => {
    const { handlers, opened } = await pendingSignIn();
    const copy = handlers['tokens:copy']({ name: 'Insiders', what: 'token' });
    await until(() => opened.length === 1);
    expect((await handlers['flows:cancel']({ name: 'Insiders' })).ok).toBe(true);
    expect(await copy).toMatchObject({ ok: false, error: { kind: 'cancelled' } });
  });
});

describe('toIpcError', () => {
  it('never passes on the message of an unknown error', () => {
    const error = toIpcError(new Error('client_secret=hunter2 leaked'));
    expect(error).toEqual({ kind: 'internal', code: 'ERR_INTERNAL', message: expect.not.stringContaining('hunter2') });
  });

  it('keeps the kind, code, server reason and location of core errors', () => {
    expect(toIpcError(new AuthServerError('ERR_AUTH_SERVER', 'refused', { error: 'invalid_grant', errorDescription: 'bad password' }))).toMatchObject({
      kind: 'auth_server',
      serverError: 'invalid_grant',
      serverErrorDescription: 'bad password',
    });
    expect(toIpcError(new InputError('ERR_INPUT_SYNTAX', 'bad', { line: 3, column: 7 }))).toMatchObject({ kind: 'input', line: 3, column: 7 });
  });

  it('a handler that throws a plain Error answers a generic internal error', async () => {
    const broken = { status: () => Promise.reject(new Error('password=hunter2')) } as unknown as SessionPort;
    const handlers = createApiHandlers({ session: broken, clipboard: createClipboardGuard({ clipboard: { readText: () => '', writeText: () => undefined }, now: Date.now }), ports, emit: () => undefined, openExternal: async () => undefined });
    const result = await handlers['app:status']({});
    expect(result).toMatchObject({ ok: false, error: { kind: 'internal' } });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});

describe('inspectToken', () => {
  it('treats an opaque token as nothing to decode and splits comma scopes', () => {
    const inspection = inspectToken({ accessToken: 'opaque-token', tokenType: 'Bearer', obtainedAt: 1, scope: 'read,write' });
    expect(inspection).toEqual({ tokenType: 'Bearer', obtainedAt: 1, hasRefreshToken: false, scopes: ['read', 'write'], audience: [] });
  });
});
