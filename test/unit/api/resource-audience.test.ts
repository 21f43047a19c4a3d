/**
 * `resource` and `audience` through the IPC handler table over the real core
 * (AppSession on a temporary folder, the fixture server): shown by
 * accounts:get, changed by accounts:update (validated, cached token dropped),
 * and an edit that sets one takes over an older `[extra.token]` of that name.
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
const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: { now: () => Date.now() }, randomBytes: (n) => new Uint8Array(randomBytes(n)) };

function toml(lines: string): string {
  return `name = "api"\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${provider.clients.myfiber.clientId}"\nclient_secret = "${provider.clients.myfiber.clientSecret}"\n${lines}`;
}

/** The form of the last token request the fixture server received. */
function lastTokenForm(): URLSearchParams {
  return new URLSearchParams(provider.requestsTo('/myfiber/oauth/v2/token').at(-1)!.body);
}

beforeAll(async () => {
  provider = await startProviderServer();
});
afterAll(async () => {
  await provider.close();
});
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tokendesk-resource-'));
  session = new AppSession({ dataDir, ports });
  let clipboard = '';
  const guard = createClipboardGuard({ clipboard: { readText: () => clipboard, writeText: (t) => void (clipboard = t) }, now: () => Date.now() });
  api = createApiHandlers({ session, clipboard: guard, ports, emit: () => undefined, openExternal: async () => undefined });
  expect((await api['app:create']({ passphrase: 'unit-test passphrase' })).ok).toBe(true);
});
afterEach(async () => {
  session.lock();
  await rm(dataDir, { recursive: true, force: true });
});

describe('resource and audience through the IPC contract', () => {
  it('preview and get show them; the token request carries them', async () => {
    const text = toml('resource = ["https://api.example/a", "https://api.example/b"]\naudience = "my-api"\n');
    const preview = await api['accounts:preview']({ text });
    expect(preview).toMatchObject({ ok: true, value: { problems: [], accounts: [{ resource: ['https://api.example/a', 'https://api.example/b'], audience: 'my-api' }] } });
    expect((await api['accounts:import']({ text })).ok).toBe(true);
    expect(await api['accounts:get']({ name: 'api' })).toMatchObject({ ok: true, value: { resource: ['https://api.example/a', 'https://api.example/b'], audience: 'my-api' } });
    expect((await api['tokens:copy']({ name: 'api', what: 'token' })).ok).toBe(true);
    expect(lastTokenForm().getAll('resource')).toEqual(['https://api.example/a', 'https://api.example/b']);
    expect(lastTokenForm().getAll('audience')).toEqual(['my-api']);
  });

  it('an edit changes them, drops the token issued for the old target, and can remove them', async () => {
    await api['accounts:import']({ text: toml('resource = "https://api.example/a"\naudience = "old"\n') });
    expect((await api['tokens:copy']({ name: 'api', what: 'token' })).ok).toBe(true);
    const before = provider.requestsTo('/myfiber/oauth/v2/token').length;

    expect(await api['accounts:update']({ name: 'api', patch: { resource: ['https://api.example/c', ' https://api.example/d '], audience: 'new' } })).toMatchObject({ ok: true });
    expect(await api['accounts:get']({ name: 'api' })).toMatchObject({ ok: true, value: { resource: ['https://api.example/c', 'https://api.example/d'], audience: 'new' } });
    expect((await api['tokens:copy']({ name: 'api', what: 'token' })).ok).toBe(true);
    expect(provider.requestsTo('/myfiber/oauth/v2/token').length).toBe(before + 1);
    expect(lastTokenForm().getAll('resource')).toEqual(['https://api.example/c', 'https://api.example/d']);
    expect(lastTokenForm().getAll('audience')).toEqual(['new']);

    expect((await api['accounts:update']({ name: 'api', patch: { resource: [], audience: '' } })).ok).toBe(true);
    const cleared = await api['accounts:get']({ name: 'api' });
    expect(cleared.ok && cleared.value.resource).toBeUndefined();
    expect(cleared.ok && cleared.value.audience).toBeUndefined();
  });

  it('refuses an edit with a resource that is not an absolute address, naming the setting', async () => {
    await api['accounts:import']({ text: toml('') });
    const result = await api['accounts:update']({ name: 'api', patch: { resource: ['api.example/a'] } });
    expect(result).toMatchObject({ ok: false, error: { kind: 'input', code: 'ERR_INPUT_FIELD', message: expect.stringMatching(/resource is not an absolute address/) } });
  });

  it('setting audience in the window takes over an older [extra.token] audience: sent once, with the new value', async () => {
    await api['accounts:import']({ text: toml('[extra.token]\naudience = "from-extra"\nkeep = "me"\n') });
    expect(await api['accounts:update']({ name: 'api', patch: { audience: 'from-setting' } })).toMatchObject({ ok: true });
    expect(await api['accounts:get']({ name: 'api' })).toMatchObject({ ok: true, value: { audience: 'from-setting', extra: { token: { keep: 'me' } } } });
    expect((await api['tokens:copy']({ name: 'api', what: 'token' })).ok).toBe(true);
    expect(lastTokenForm().getAll('audience')).toEqual(['from-setting']);
    expect(lastTokenForm().get('keep')).toBe('me');
  });
});
