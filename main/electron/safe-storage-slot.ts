/**
 * The vault's keychain slot: the data key wrapped by Electron's safeStorage
 * (Keychain on macOS, DPAPI on Windows, libsecret/KWallet on Linux). Uses the
 * asynchronous API only (the synchronous one is deprecated in Electron 45) and
 * must be used after `ready`.
 */
import type { SafeStorage } from 'electron';
import { VaultError } from '../core/errors.js';
import type { KeySlotProvider, StoredKeySlot } from '../core/vault/key-slot.js';

export type SafeStorageApi = Pick<SafeStorage, 'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'>;

export type KeychainStatus = 'available' | 'basic_text' | 'unavailable';

/**
 * Shown to the user when Linux has no keychain. In plain words on purpose:
 * the person reading it is not a developer.
 */
export const BASIC_TEXT_EXPLANATION =
  'This computer has no password keyring that TokenDesk can use (such as GNOME Keyring or KWallet). ' +
  'Without one, anything TokenDesk "locked" for you could be unlocked by any program that reads your files, ' +
  'because the key would be the same on every computer. So TokenDesk asks you for a passphrase instead: ' +
  'your credentials are locked with it, and you type it when you open TokenDesk.';

const DATA_KEY_BYTES = 32;

/**
 * What the keychain can do here. On Linux, `basic_text` means Chromium would
 * "encrypt" with a hard-coded key: we treat that as no keychain and never
 * switch plain-text mode on (no `setUsePlainTextEncryption(true)`).
 */
export async function keychainStatus(safeStorage: SafeStorageApi, platform: NodeJS.Platform): Promise<KeychainStatus> {
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return 'basic_text';
  try {
    return (await safeStorage.isAsyncEncryptionAvailable()) ? 'available' : 'unavailable';
  } catch {
    return 'unavailable';
  }
}

/** Wraps and unwraps the vault's data key with safeStorage. */
export class SafeStorageKeySlot implements KeySlotProvider {
  readonly kind = 'safe_storage' as const;
  readonly #safeStorage: SafeStorageApi;
  readonly #platform: NodeJS.Platform;

  constructor(safeStorage: SafeStorageApi, platform: NodeJS.Platform) {
    this.#safeStorage = safeStorage;
    this.#platform = platform;
  }

  async wrap(dataKey: Uint8Array): Promise<StoredKeySlot> {
    if (dataKey.length !== DATA_KEY_BYTES) throw new VaultError('ERR_VAULT_KEY_SLOT', 'The vault key has the wrong length.');
    const status = await keychainStatus(this.#safeStorage, this.#platform);
    if (status !== 'available') {
      throw new VaultError('ERR_VAULT_KEY_SLOT', status === 'basic_text' ? BASIC_TEXT_EXPLANATION : 'The system keychain is not available, so TokenDesk needs your passphrase.');
    }
    let wrapped: Buffer;
    try {
      wrapped = await this.#safeStorage.encryptStringAsync(Buffer.from(dataKey).toString('base64'));
    } catch (cause) {
      throw new VaultError('ERR_VAULT_KEY_SLOT', 'The system keychain refused to store the vault key.', { cause: sanitize(cause) });
    }
    return { kind: 'safe_storage', data: { v: 1, wrapped: wrapped.toString('base64') } };
  }

  async unwrap(slot: StoredKeySlot): Promise<{ dataKey: Uint8Array; shouldRewrap: boolean }> {
    const wrapped = slot.data['wrapped'];
    if (slot.kind !== 'safe_storage' || typeof wrapped !== 'string') throw new VaultError('ERR_VAULT_DAMAGED', 'The keychain slot of the vault is damaged.');
    if ((await keychainStatus(this.#safeStorage, this.#platform)) !== 'available') {
      throw new VaultError('ERR_VAULT_KEY_SLOT', 'The system keychain is not available; unlock the vault with your recovery passphrase.');
    }
    let result: string;
    let shouldReEncrypt: boolean;
    try {
      ({ result, shouldReEncrypt } = await this.#safeStorage.decryptStringAsync(Buffer.from(wrapped, 'base64')));
    } catch (cause) {
      // A new machine or a reset keychain: the recovery passphrase is the way back in.
      throw new VaultError('ERR_VAULT_KEY_SLOT', 'The system keychain could not unlock the vault (new computer or reset keychain?). Use your recovery passphrase.', { cause: sanitize(cause) });
    }
    const dataKey = new Uint8Array(Buffer.from(result, 'base64'));
    if (dataKey.length !== DATA_KEY_BYTES) throw new VaultError('ERR_VAULT_KEY_SLOT', 'The system keychain returned a key of the wrong length.');
    return { dataKey, shouldRewrap: shouldReEncrypt };
  }
}

/** Keeps only the error's name and message: safeStorage errors carry no secret, but never the data we passed. */
function sanitize(cause: unknown): Error | undefined {
  return cause instanceof Error ? new Error(`${cause.name}: ${cause.message}`) : undefined;
}
