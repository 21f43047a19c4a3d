/** The encrypted vault (SPEC 4): everything other modules may use. */
export { Vault, DEFAULT_VAULT_FILE } from './vault.js';
export type { VaultOptions, VaultRecovery, VaultRollback } from './vault.js';
export type { KeySlotKind, KeySlotProvider, StoredKeySlot } from './key-slot.js';
export { createPassphraseSlot, DEFAULT_SCRYPT_PARAMS } from './passphrase-slot.js';
export type { ScryptParams } from './passphrase-slot.js';
export { withFileLock, isProcessAlive } from './lock.js';
export type { FileLockOptions } from './lock.js';
export { nodeFs } from './file-system.js';
export type { VaultFs, VaultFileHandle, VaultStats } from './file-system.js';
export { isTokenDeskFile } from './data-folder.js';
export { CURRENT_VERSION, VAULT_FORMAT } from './vault-file.js';
