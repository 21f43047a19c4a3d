import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../main/core/errors.js';
import { keychainStatus, SafeStorageKeySlot, type SafeStorageApi } from '../../../main/electron/safe-storage-slot.js';
import { createFakeSafeStorage } from '../../fixtures/electron/safe-storage.js';

type Backend = ReturnType<SafeStorageApi['getSelectedStorageBackend']>;

/** Electron's safeStorage as typed (test/fixtures/electron/safe-storage.ts), counting backend queries. */
function realSafeStorage(options: { backend?: Backend; available?: boolean; key?: Buffer; shouldReEncrypt?: boolean } = {}) {
  const key = options.key ?? randomBytes(32);
  const calls: string[] = [];
  const base = createFakeSafeStorage({
    machineKey: key,
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.available !== undefined ? { available: options.available } : {}),
    ...(options.shouldReEncrypt !== undefined ? { rotate: options.shouldReEncrypt } : {}),
  });
  const api: SafeStorageApi = {
    ...base,
    getSelectedStorageBackend: () => {
      calls.push('backend');
      return base.getSelectedStorageBackend();
    },
  };
  return { api, key, calls };
}

describe('SafeStorageKeySlot', () => {
  it('round-trips the data key and stores nothing in plain form', async () => {
    const { api } = realSafeStorage();
    const slot = new SafeStorageKeySlot(api, 'linux');
    const dataKey = new Uint8Array(randomBytes(32));
    const stored = await slot.wrap(dataKey);
    expect(stored.kind).toBe('safe_storage');
    const serialized = JSON.stringify(stored);
    expect(serialized).not.toContain(Buffer.from(dataKey).toString('base64'));
    expect(serialized).not.toContain(Buffer.from(dataKey).toString('hex'));
    const { dataKey: back, shouldRewrap } = await slot.unwrap(JSON.parse(serialized));
    expect(Buffer.from(back).equals(Buffer.from(dataKey))).toBe(true);
    expect(shouldRewrap).toBe(false);
  });

  it('reports shouldRewrap when safeStorage answers shouldReEncrypt', async () => {
    const key = randomBytes(32);
    const stored = await new SafeStorageKeySlot(realSafeStorage({ key }).api, 'darwin').wrap(new Uint8Array(32).fill(7));
    const result = await new SafeStorageKeySlot(realSafeStorage({ key, shouldReEncrypt: true }).api, 'darwin').unwrap(stored);
    expect(result.shouldRewrap).toBe(true);
    expect([...result.dataKey]).toEqual(new Array(32).fill(7));
  });

  it('fails with ERR_VAULT_KEY_SLOT when another keychain (a new machine) cannot decrypt', async () => {
    const stored = await new SafeStorageKeySlot(realSafeStorage().api, 'win32').wrap(new Uint8Array(32));
    const other = new SafeStorageKeySlot(realSafeStorage().api, 'win32');
    await expect(other.unwrap(stored)).rejects.toMatchObject({ code: 'ERR_VAULT_KEY_SLOT' });
  });

  it('refuses to wrap on Linux basic_text (no keychain), explaining why', async () => {
    const { api } = realSafeStorage({ backend: 'basic_text' });
    const error = await new SafeStorageKeySlot(api, 'linux').wrap(new Uint8Array(32)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe('ERR_VAULT_KEY_SLOT');
    expect((error as VaultError).message).toMatch(/passphrase/);
  });

  it('refuses a damaged slot', async () => {
    const slot = new SafeStorageKeySlot(realSafeStorage().api, 'linux');
    await expect(slot.unwrap({ kind: 'safe_storage', data: {} })).rejects.toMatchObject({ code: 'ERR_VAULT_DAMAGED' });
  });
});

describe('keychainStatus', () => {
  it('reports basic_text on Linux without a keyring, even if encryption claims to be available', async () => {
    expect(await keychainStatus(realSafeStorage({ backend: 'basic_text', available: true }).api, 'linux')).toBe('basic_text');
  });

  it('reports available or unavailable from isAsyncEncryptionAvailable', async () => {
    expect(await keychainStatus(realSafeStorage({ backend: 'kwallet6' }).api, 'linux')).toBe('available');
    expect(await keychainStatus(realSafeStorage({ available: false }).api, 'darwin')).toBe('unavailable');
  });

  it('asks for the storage backend only on Linux, where it exists', async () => {
    const { api, calls } = realSafeStorage();
    await keychainStatus(api, 'win32');
    expect(calls).toEqual([]);
  });
});
