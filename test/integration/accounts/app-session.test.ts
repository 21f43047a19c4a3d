/**
 * The vault's life cycle in the app: keychain slot plus recovery passphrase,
 * the silent keychain unlock at start, and recovery on a "new computer"
 * whose keychain cannot open the old slot.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppSession, type Keychain } from '../../../main/core/app-session.js';
import { systemClock, type CorePorts } from '../../../main/core/ports.js';
import { SafeStorageKeySlot } from '../../../main/electron/safe-storage-slot.js';
import { fakeKeychain } from '../../fixtures/vault/fake-keychain.js';

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
});
