/**
 * Key slots wrap the vault's 256-bit data key. The content is encrypted once
 * with the data key; each slot is another way to recover that key (the OS
 * keychain through Electron safeStorage, or a recovery passphrase through
 * scrypt). Adding, removing or replacing a slot keeps the data key (the
 * content is only sealed again under it, with the next save counter);
 * `Vault.rekey` replaces the data key itself, so a dropped slot opens nothing.
 */

export type KeySlotKind = 'safe_storage' | 'passphrase';

/** A slot as stored in the vault file: JSON-serialisable, contains no plain secret. */
export interface StoredKeySlot {
  kind: KeySlotKind;
  /** Slot-specific parameters and the wrapped key (base64 fields, scrypt parameters, ...). */
  data: Record<string, string | number>;
}

/** Something that can wrap and unwrap the data key. Asynchronous because safeStorage's API is. */
export interface KeySlotProvider {
  readonly kind: KeySlotKind;
  /** Wraps a 32-byte data key into storable slot data. */
  wrap(dataKey: Uint8Array): Promise<StoredKeySlot>;
  /**
   * Unwraps the data key. Throws VaultError (ERR_VAULT_PASSPHRASE for a wrong
   * passphrase, ERR_VAULT_KEY_SLOT when the keychain cannot decrypt).
   * `shouldRewrap` is true when the slot should be written again (safeStorage's
   * `shouldReEncrypt`, or outdated scrypt parameters).
   */
  unwrap(slot: StoredKeySlot): Promise<{ dataKey: Uint8Array; shouldRewrap: boolean }>;
}
