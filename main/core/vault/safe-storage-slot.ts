/**
 * The everyday slot: the data key wrapped by the operating system's keychain
 * through Electron's asynchronous safeStorage API (SPEC 4). The core never
 * imports Electron: the app passes `safeStorage` itself, which satisfies
 * `SafeStorageLike` structurally.
 */
import { VaultError } from '../errors.js';
import { KEY_BYTES, fromBase64, toBase64 } from './envelope.js';
import type { KeySlotProvider, StoredKeySlot } from './key-slot.js';

/** The part of Electron's `safeStorage` the slot uses (Electron >= 42). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Uint8Array>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /** Linux only; `basic_text` means no keychain, which we refuse (SPEC 4). */
  getSelectedStorageBackend?(): string;
}

/** True when the OS keychain can hold the data key (never true on Linux `basic_text`). */
export async function isSafeStorageUsable(api: SafeStorageLike): Promise<boolean> {
  if (api.getSelectedStorageBackend?.() === 'basic_text') return false;
  return api.isAsyncEncryptionAvailable();
}

/**
 * A key slot backed by the OS keychain.
 * @see https://www.electronjs.org/docs/latest/api/safe-storage
 */
export function createSafeStorageSlot(api: SafeStorageLike): KeySlotProvider {
  return {
    kind: 'safe_storage',

    async wrap(dataKey: Uint8Array): Promise<StoredKeySlot> {
      if (!(await isSafeStorageUsable(api))) throw unavailable();
      let encrypted: Uint8Array;
      try {
        encrypted = await api.encryptStringAsync(toBase64(dataKey));
      } catch (cause) {
        throw new VaultError('ERR_VAULT_KEY_SLOT', 'The system keychain could not store the vault key.', { cause: sanitized(cause) });
      }
      return { kind: 'safe_storage', data: { wrapped: toBase64(encrypted) } };
    },

    async unwrap(slot: StoredKeySlot): Promise<{ dataKey: Uint8Array; shouldRewrap: boolean }> {
      const wrapped = fromBase64(slot.data['wrapped']);
      if (slot.kind !== 'safe_storage' || !wrapped) throw new VaultError('ERR_VAULT_DAMAGED', 'The keychain slot of the vault is damaged.');
      if (!(await isSafeStorageUsable(api))) throw unavailable();
      let answer: { result: string; shouldReEncrypt: boolean };
      try {
        answer = await api.decryptStringAsync(wrapped);
      } catch (cause) {
        // A new machine or a reset keychain: the recovery passphrase is the way in.
        throw new VaultError('ERR_VAULT_KEY_SLOT', 'The system keychain could not unlock the vault. Use the recovery passphrase.', { cause: sanitized(cause) });
      }
      const dataKey = fromBase64(answer.result);
      if (!dataKey || dataKey.length !== KEY_BYTES) throw new VaultError('ERR_VAULT_KEY_SLOT', 'The system keychain returned something that is not the vault key.');
      return { dataKey, shouldRewrap: answer.shouldReEncrypt };
    },
  };
}

function unavailable(): VaultError {
  return new VaultError('ERR_VAULT_KEY_SLOT', 'The system keychain is not available. Use a passphrase instead.');
}

/** Keychain errors are OS text; keep only the message, never an attached buffer. */
function sanitized(cause: unknown): Error {
  return new Error(cause instanceof Error ? cause.message : 'keychain error');
}
