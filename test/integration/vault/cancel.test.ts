/**
 * Issue 9 item 12 (vault part): VaultOptions.signal reaches every lock wait
 * of the instance. Another process holds the vault lock for real; each
 * operation waits for it, the signal aborts after 200 ms, and the operation
 * ends within 100 ms with ERR_CANCELLED, having written nothing.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../main/core/errors.js';
import { Vault, createPassphraseSlot } from '../../../main/core/vault/index.js';
import { SafeStorageKeySlot } from '../../../main/electron/safe-storage-slot.js';
import { compiledVaultProblem } from '../../fixtures/vault/dist-check.js';
import { createFakeSafeStorage as fakeKeychain } from '../../fixtures/electron/safe-storage.js';
import { holdLockInChild } from '../../fixtures/vault/lock-holder.js';

interface Content {
  counter: number;
}
const cheap = { N: 2 ** 10, r: 8, p: 1 };
const pass = (p = 'cancel test') => createPassphraseSlot(p, cheap);
const keychain = new SafeStorageKeySlot(fakeKeychain(), 'linux');
let dir: string;
let file: string;

beforeAll(() => {
  const problem = compiledVaultProblem(fileURLToPath(new URL('../../../', import.meta.url)));
  if (problem) throw new Error(problem);
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-cancel-'));
  file = join(dir, 'vault.json');
  const vault = await Vault.create<Content>({ dir }, [pass(), keychain], { counter: 1 });
  await vault.write({ counter: 2 });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `op` while another process holds the lock, aborts after 200 ms, and measures how long the end of the wait took. */
async function abortedWhileWaiting(op: (signal: AbortSignal) => Promise<unknown>): Promise<{ error: unknown; took: number }> {
  const holder = await holdLockInChild(`${file}.lock`);
  try {
    const controller = new AbortController();
    const running = op(controller.signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 200));
    const abortedAt = Date.now();
    controller.abort();
    const error = await running;
    return { error, took: Date.now() - abortedAt };
  } finally {
    await holder.release();
  }
}

const operations: [string, (v: Vault<Content>) => Promise<unknown>][] = [
  ['write', (v) => v.write({ counter: 99 })],
  ['update', (v) => v.update(() => ({ next: { counter: 99 }, result: 0 }))],
  ['addSlot', (v) => v.addSlot(keychain)],
  ['removeSlot', (v) => v.removeSlot('safe_storage')],
  ['replaceSlot', (v) => v.replaceSlot(pass('another passphrase'))],
  ['rekey', (v) => v.rekey([pass('another passphrase')])],
];

describe('VaultOptions.signal', () => {
  for (const [name, op] of operations) {
    it(`cancels the lock wait of ${name} within 100 ms, writing nothing`, async () => {
      if (name === 'addSlot') await (await Vault.open<Content>({ dir }, [pass()])).removeSlot('safe_storage');
      const before = await readFile(file);
      const { error, took } = await abortedWhileWaiting(async (signal) => {
        const vault = await Vault.open<Content>({ dir, signal, lockTimeoutMs: 20_000 }, [pass()]);
        return op(vault);
      });
      expect(error).toBeInstanceOf(CancelledError);
      expect((error as CancelledError).code).toBe('ERR_CANCELLED');
      expect(took).toBeLessThan(100);
      expect((await readFile(file)).equals(before)).toBe(true);
    });
  }

  it('cancels the restore wait of an open from the backup: open ends with ERR_CANCELLED', async () => {
    await writeFile(file, 'damaged');
    const { error, took } = await abortedWhileWaiting((signal) => Vault.open<Content>({ dir, signal, lockTimeoutMs: 20_000 }, [pass()]));
    expect((error as CancelledError).code).toBe('ERR_CANCELLED');
    expect(took).toBeLessThan(100);
    expect(await readFile(file, 'utf8')).toBe('damaged');
    expect((await readdir(dir)).filter((n) => n.includes('damaged-'))).toEqual([]);
  });
});
