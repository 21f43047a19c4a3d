/**
 * The vault's life cycle in the app: keychain slot plus recovery passphrase,
 * the silent keychain unlock at start, and recovery on a "new computer"
 * whose keychain cannot open the old slot.
 */
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppSession, type Keychain } from '../../../main/core/app-session.js';
import { systemClock, type CorePorts } from '../../../main/core/ports.js';
import { SafeStorageKeySlot } from '../../../main/electron/safe-storage-slot.js';
import { createFakeSafeStorage as fakeKeychain } from '../../fixtures/electron/safe-storage.js';

const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: systemClock, randomBytes: (n) => new Uint8Array(randomBytes(n)) };
let dir: string;

function keychain(api = fakeKeychain()): Keychain {
  return { status: async () => ((await api.isAsyncEncryptionAvailable()) ? 'available' : 'unavailable'), provider: new SafeStorageKeySlot(api, 'linux') };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-session-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('AppSession', () => {
  it('opens with the keychain silently at the next start, and the passphrase still works', async () => {
    const machine = keychain();
    const first = new AppSession({ dataDir: dir, ports, keychain: machine });
    await first.create({ passphrase: 'recovery passphrase 1' });
    await first.accounts().importAccounts([{ name: 'pat', grant: 'static', accessToken: 'pat-1', clientAuth: 'none', scopes: [], scopeSeparator: ' ', extra: {} }]);
    first.lock();

    const restarted = new AppSession({ dataDir: dir, ports, keychain: machine });
    expect(await restarted.unlockWithKeychain()).toBe(true);
    expect((await restarted.accounts().list()).map((account) => account.name)).toEqual(['pat']);

    const cli = new AppSession({ dataDir: dir, ports });
    await cli.unlock('recovery passphrase 1');
    expect((await cli.accounts().getToken('pat')).accessToken).toBe('pat-1');
  });

  it('on a new computer asks for the recovery passphrase once, then opens with the new keychain', async () => {
    const old = new AppSession({ dataDir: dir, ports, keychain: keychain() });
    await old.create({ passphrase: 'recovery passphrase 2' });
    old.lock();
    const newMachine = keychain();
    const fresh = new AppSession({ dataDir: dir, ports, keychain: newMachine });
    expect(await fresh.unlockWithKeychain()).toBe(false);
    expect((await fresh.status()).vault).toBe('locked');
    await expect(fresh.unlock('wrong passphrase')).rejects.toMatchObject({ code: 'ERR_VAULT_PASSPHRASE' });
    await fresh.unlock('recovery passphrase 2');
    expect((await fresh.status()).vault).toBe('unlocked');
    fresh.lock();
    const nextStart = new AppSession({ dataDir: dir, ports, keychain: newMachine });
    expect(await nextStart.unlockWithKeychain()).toBe(true);
    expect(nextStart.hasRecoveryPassphrase()).toBe(true);
  });

  it('requires a passphrase when there is no usable keychain (Linux basic_text)', async () => {
    const session = new AppSession({ dataDir: dir, ports, keychain: { status: async () => 'basic_text', provider: new SafeStorageKeySlot(fakeKeychain({ backend: 'basic_text' }), 'linux') } });
    await expect(session.create({})).rejects.toMatchObject({ code: 'ERR_INPUT_MISSING' });
    await expect(session.create({ passphrase: 'short' })).rejects.toMatchObject({ code: 'ERR_INPUT_FIELD' });
    await session.create({ passphrase: 'long enough passphrase' });
    expect(session.hasRecoveryPassphrase()).toBe(true);
  });

  it('changing the recovery passphrase needs the current one, and afterwards the old one opens nothing', async () => {
    const machine = keychain();
    const app = new AppSession({ dataDir: dir, ports, keychain: machine });
    await app.create({});
    // The first passphrase needs no current one.
    await app.setRecoveryPassphrase('first recovery words 17 maple');
    await app.accounts().importAccounts([{ name: 'pat', grant: 'static', accessToken: 'pat-before-change', clientAuth: 'none', scopes: [], scopeSeparator: ' ', extra: {} }]);
    await app.accounts().importAccounts([{ name: 'pat 2', grant: 'static', accessToken: 'pat-2', clientAuth: 'none', scopes: [], scopeSeparator: ' ', extra: {} }]);
    app.lock();
    // A damaged vault.json is set aside as .damaged-* with its slots (the old passphrase's among them).
    const file = join(dir, 'vault.json');
    const bytes = await readFile(file);
    bytes[bytes.length - 10] = bytes[bytes.length - 10] === 0x41 ? 0x42 : 0x41;
    await writeFile(file, bytes);
    expect((await app.unlock('first recovery words 17 maple')).recovery).toBeDefined();
    expect((await readdir(dir)).some((name) => name.includes('.damaged-'))).toBe(true);
    await expect(app.setRecoveryPassphrase('second recovery words 23 cedar')).rejects.toMatchObject({ code: 'ERR_INPUT_MISSING' });
    await expect(app.setRecoveryPassphrase('second recovery words 23 cedar', 'not the current one')).rejects.toMatchObject({ code: 'ERR_VAULT_PASSPHRASE' });
    await app.setRecoveryPassphrase('second recovery words 23 cedar', 'first recovery words 17 maple');
    await app.accounts().importAccounts([{ name: 'after', grant: 'static', accessToken: 'pat-after-change', clientAuth: 'none', scopes: [], scopeSeparator: ' ', extra: {} }]);
    app.lock();

    await expect(new AppSession({ dataDir: dir, ports }).unlock('first recovery words 17 maple')).rejects.toMatchObject({ code: 'ERR_VAULT_PASSPHRASE' });
    // File by file: no file of the folder gives the old passphrase a key that opens what is saved now.
    // (Each file is put where its slots are read first, with today's vault.json as the backup behind it.)
    for (const name of await readdir(dir)) {
      const copy = await mkdtemp(join(tmpdir(), 'tokendesk-session-file-'));
      try {
        await copyFile(join(dir, name), join(copy, 'vault.json'));
        await copyFile(join(dir, 'vault.json'), join(copy, 'vault.json.bak'));
        await expect(new AppSession({ dataDir: copy, ports }).unlock('first recovery words 17 maple'), name).rejects.toBeInstanceOf(Error);
      } finally {
        await rm(copy, { recursive: true, force: true });
      }
    }
    const withNew = new AppSession({ dataDir: dir, ports });
    await withNew.unlock('second recovery words 23 cedar');
    expect((await withNew.accounts().getToken('after')).accessToken).toBe('pat-after-change');
    withNew.lock();
    // The keychain slot was re-wrapped for the new key: the next start is still silent.
    expect(await new AppSession({ dataDir: dir, ports, keychain: machine }).unlockWithKeychain()).toBe(true);
  });
});
