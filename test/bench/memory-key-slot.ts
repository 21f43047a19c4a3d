/**
 * A key slot that holds the data key in memory: opening a vault with it costs
 * what opening costs once the OS keychain (or scrypt) has already handed the
 * key over. SPEC 8 measures open and save "with the key already unwrapped";
 * the scrypt unwrap is measured on its own.
 */
import { VaultError } from '../../main/core/errors.js';
import type { KeySlotProvider, StoredKeySlot } from '../../main/core/vault/key-slot.js';

export function memoryKeySlot(): KeySlotProvider {
  let held: Buffer | undefined;
  return {
    kind: 'safe_storage',
    async wrap(dataKey: Uint8Array): Promise<StoredKeySlot> {
      held = Buffer.from(dataKey);
      return { kind: 'safe_storage', data: { scheme: 'bench-memory' } };
    },
    async unwrap(): Promise<{ dataKey: Uint8Array; shouldRewrap: boolean }> {
      if (!held) throw new VaultError('ERR_VAULT_KEY_SLOT', 'The bench key slot holds no key.');
      // The vault zeroes what it receives, so it gets a copy.
      return { dataKey: new Uint8Array(held), shouldRewrap: false };
    },
  };
}
