/**
 * The channels behind the Add account screen's name field and the passphrase
 * strength meter (issue 13 items 6 and 9), over the REAL core: AppSession on
 * a temporary data folder, the real importer and the real estimator.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiHandlers } from '../../../main/core/api.js';
import { nameConflicts } from '../../../main/core/api/account-handlers.js';
import { AppSession } from '../../../main/core/app-session.js';
import { createClipboardGuard } from '../../../main/core/clipboard-guard.js';
import { passphraseProblem } from '../../../main/core/passphrase-strength.js';
import type { CorePorts } from '../../../main/core/ports.js';
import type { IpcHandlers } from '../../../shared/ipc.js';

let dataDir: string;
let session: AppSession;
let api: IpcHandlers;
const PASSPHRASE = 'lantern orbit pepper glacier';
const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: { now: () => Date.now() }, randomBytes: (n) => new Uint8Array(randomBytes(n)) };

function toml(name: string, secret = 'channel-secret-0001'): string {
  return `name = "${name}"\npreset = "myfiber"\nbase_url = "https://so.yio.at"\nclient_id = "myfiber-client"\nclient_secret = "${secret}"\n`;
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tokendesk-add-screen-'));
  session = new AppSession({ dataDir, ports });
  const guard = createClipboardGuard({ clipboard: { readText: () => '', writeText: () => undefined }, now: () => Date.now() });
  api = createApiHandlers({ session, clipboard: guard, ports, emit: () => undefined, openExternal: async () => undefined });
  expect((await api['app:create']({ passphrase: PASSPHRASE })).ok).toBe(true);
});
afterEach(async () => {
  session.lock();
  await rm(dataDir, { recursive: true, force: true });
});

describe('passphrase:check', () => {
  it('judges by the rule the vault enforces: a weak passphrase is refused by both, in words that do not quote it', async () => {
    const weak = 'password1';
    const checked = await api['passphrase:check']({ passphrase: weak });
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.value.acceptable).toBe(false);
    expect(checked.value.score).toBeLessThan(4);
    expect(checked.value.feedback).toBe(passphraseProblem(weak));
    expect(checked.value.feedback).not.toContain(weak);
    const set = await api['app:set-passphrase']({ passphrase: weak, currentPassphrase: PASSPHRASE });
    expect(set).toMatchObject({ ok: false, error: { kind: 'input', message: `passphrase: ${checked.value.feedback}` } });
  });

  it('accepts four random words with the top score, as the vault does', async () => {
    const strong = 'zebra quantum violet harbor';
    const checked = await api['passphrase:check']({ passphrase: strong });
    expect(checked).toEqual({ ok: true, value: { acceptable: true, score: 4, feedback: 'This passphrase is strong enough.' } });
    expect((await api['app:set-passphrase']({ passphrase: strong, currentPassphrase: PASSPHRASE })).ok).toBe(true);
  });

  it('a short passphrase is too short and never scores as strong; an empty one is a short one', async () => {
    for (const passphrase of ['x7#Kq!2', '']) {
      const checked = await api['passphrase:check']({ passphrase });
      expect(checked.ok && checked.value).toMatchObject({ acceptable: false, feedback: expect.stringMatching(/too short: use at least 8 characters/) });
      expect(checked.ok && checked.value.score).toBeLessThanOrEqual(1);
    }
  });

  it('refuses a request that is not a passphrase, without running the rule', async () => {
    expect(await api['passphrase:check']({ passphrase: 'a'.repeat(1025) })).toMatchObject({ ok: false, error: { code: 'ERR_IPC_REQUEST' } });
    expect(await api['passphrase:check']({ passphrase: 'x', extra: 1 } as never)).toMatchObject({ ok: false, error: { code: 'ERR_IPC_REQUEST' } });
  });
});

describe('accounts:preview and accounts:import with names', () => {
  it('a name from the preview replaces the text’s name; a taken one is flagged with a free suggestion', async () => {
    expect((await api['accounts:import']({ text: toml('myfiber production') })).ok).toBe(true);
    expect((await api['accounts:import']({ text: toml('myfiber production (2)') })).ok).toBe(true);

    const taken = await api['accounts:preview']({ text: toml('myfiber production') });
    expect(taken.ok && taken.value.conflicts).toEqual([{ index: 0, name: 'myfiber production', suggestion: 'myfiber production (3)' }]);
    expect(taken.ok && taken.value.notes).toEqual([]);

    const renamed = await api['accounts:preview']({ text: toml('myfiber production'), names: ['  myfiber staging '] });
    expect(renamed.ok && renamed.value.accounts.map((account) => account.name)).toEqual(['myfiber staging']);
    expect(renamed.ok && renamed.value.conflicts).toEqual([]);

    // '' keeps the text's name.
    const kept = await api['accounts:preview']({ text: toml('myfiber production'), names: [''] });
    expect(kept.ok && kept.value.accounts[0]?.name).toBe('myfiber production');
  });

  it('import stores under the name from the preview; a taken name still fails and stores nothing', async () => {
    expect((await api['accounts:import']({ text: toml('first') })).ok).toBe(true);
    const refused = await api['accounts:import']({ text: toml('other'), names: ['first'] });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ERR_INPUT_DUPLICATE' } });
    const stored = await api['accounts:import']({ text: toml('first'), names: ['first (2)'] });
    expect(stored).toEqual({ ok: true, value: { names: ['first (2)'] } });
    const listed = await api['accounts:list']({});
    expect(listed.ok && listed.value.map((account) => account.name).sort()).toEqual(['first', 'first (2)']);
  });
});

describe('nameConflicts', () => {
  it('suggests a name free in the vault and in the text itself', () => {
    const conflicts = nameConflicts(['a', 'a (2)', 'b'].map((name, index) => ({ index, name })), new Set(['a', 'b', 'b (2)']));
    expect(conflicts).toEqual([
      { index: 0, name: 'a', suggestion: 'a (3)' },
      { index: 2, name: 'b', suggestion: 'b (3)' },
    ]);
  });
});
