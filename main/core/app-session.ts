/**
 * The vault's life in one process: missing -> created, locked -> unlocked,
 * and the account service on top of it. The Electron shell passes a keychain
 * (safeStorage) slot; the CLI and the browser harness use the passphrase slot.
 */
import { AccountService } from './accounts/account-service.js';
import { emptyDocument, type Preferences, type VaultDocument } from './accounts/document.js';
import { VaultDocumentStore } from './accounts/vault-store.js';
import { InputError, VaultError } from './errors.js';
import { AuthorizationFlows } from './oauth/authorization-flows.js';
import { passphraseProblem } from './passphrase-strength.js';
import type { CorePorts } from './ports.js';
import type { KeySlotProvider } from './vault/key-slot.js';
import { createPassphraseSlot, Vault, type VaultOptions, type VaultRecovery, type VaultRollback } from './vault/index.js';

export type KeychainStatus = 'available' | 'basic_text' | 'unavailable';

/** The OS keychain slot (Electron safeStorage) and whether it can be used. */
export interface Keychain {
  status(): Promise<KeychainStatus>;
  provider: KeySlotProvider;
}

export interface AppSessionOptions {
  dataDir: string;
  ports: CorePorts;
  keychain?: Keychain;
  minValiditySeconds?: number;
  timeoutMs?: number;
  /** Aborting it ends every wait for the vault lock (the CLI's Ctrl+C). */
  signal?: AbortSignal;
}

/** What the user must be told about the vault they opened (SPEC 4: opening from the backup is always announced). */
export interface VaultNotices {
  /** vault.json was damaged or missing: its backup was opened, and changes saved after it are lost. */
  recovery?: VaultRecovery;
  /** vault.json is older than a version this vault already had (an old copy put in its place). */
  rollback?: VaultRollback;
  /** The data folder can be read by other users (TokenDesk left it as it was: it holds other files). */
  folderWarning?: string;
}


export class AppSession {
  readonly #options: AppSessionOptions;
  readonly flows: AuthorizationFlows;
  #vault: Vault<VaultDocument> | undefined;
  #accounts: AccountService | undefined;

  constructor(options: AppSessionOptions) {
    this.#options = options;
    this.flows = new AuthorizationFlows({ ports: options.ports });
  }

  get dataDir(): string {
    return this.#options.dataDir;
  }

  async keychainStatus(): Promise<KeychainStatus> {
    return this.#options.keychain ? this.#options.keychain.status() : 'unavailable';
  }

  async status(): Promise<{ vault: 'missing' | 'locked' | 'unlocked'; keychain: KeychainStatus }> {
    const keychain = await this.keychainStatus();
    if (this.#vault) return { vault: 'unlocked', keychain };
    return { vault: (await Vault.exists(this.dataDir)) ? 'locked' : 'missing', keychain };
  }

  /**
   * Creates the vault. With a usable keychain the passphrase is an optional
   * recovery slot; without one (Linux `basic_text`, the CLI) it is required,
   * because storing the key under a hard-coded secret would be no protection.
   */
  async create(options: { passphrase?: string } = {}): Promise<void> {
    const slots: KeySlotProvider[] = [];
    if ((await this.keychainStatus()) === 'available' && this.#options.keychain) slots.push(this.#options.keychain.provider);
    if (options.passphrase !== undefined) slots.push(createPassphraseSlot(checkPassphrase(options.passphrase)));
    if (slots.length === 0) {
      throw new InputError(
        'ERR_INPUT_MISSING',
        'A passphrase is needed: this computer has no keychain TokenDesk can use to protect the vault.',
        { field: 'passphrase' },
      );
    }
    this.#vault = await Vault.create<VaultDocument>(this.#vaultOptions(), slots, emptyDocument());
    this.#accounts = undefined;
  }

  /** Opens the vault with the keychain, or with the recovery passphrase. */
  async unlock(passphrase?: string): Promise<{ openedFromBackup: boolean } & VaultNotices> {
    const providers: KeySlotProvider[] = [];
    if (passphrase !== undefined) providers.push(createPassphraseSlot(passphrase));
    else if ((await this.keychainStatus()) === 'available' && this.#options.keychain) providers.push(this.#options.keychain.provider);
    if (providers.length === 0) {
      throw new VaultError('ERR_VAULT_LOCKED', 'The vault is locked. Enter the recovery passphrase to open it.');
    }
    this.#vault = await Vault.open<VaultDocument>(this.#vaultOptions(), providers);
    this.#accounts = undefined;
    if (passphrase !== undefined) await this.#enrolKeychain();
    return { openedFromBackup: this.#vault.openedFromBackup, ...this.notices() };
  }

  /** What the open vault must tell the user; empty while locked or when all is well. */
  notices(): VaultNotices {
    const vault = this.#vault;
    if (!vault) return {};
    return {
      ...(vault.recovery ? { recovery: { ...vault.recovery } } : {}),
      ...(vault.rollback ? { rollback: { ...vault.rollback } } : {}),
      ...(vault.folderWarning ? { folderWarning: vault.folderWarning } : {}),
    };
  }

  /**
   * The everyday start of the desktop app: open the vault with the OS
   * keychain, silently. False when that is not possible (no vault, no
   * keychain, a new computer): the window then asks for the passphrase.
   */
  async unlockWithKeychain(): Promise<boolean> {
    if (this.#vault) return true;
    if ((await this.status()).vault !== 'locked' || (await this.keychainStatus()) !== 'available') return false;
    try {
      await this.unlock();
      return true;
    } catch {
      return false;
    }
  }

  /** Opens the vault if it exists, creates it otherwise (`tokendesk import`). */
  async openOrCreate(passphrase: string): Promise<void> {
    if (await Vault.exists(this.dataDir)) await this.unlock(passphrase);
    else await this.create({ passphrase });
  }

  /**
   * Sets the first recovery passphrase, or changes it. Changing needs the
   * current one (someone at an unlocked window must not take the vault over),
   * and re-encrypts everything under a new data key (Vault.rekey), so that
   * no file in the data folder opens with the old passphrase any more: a
   * copy of an old file plus the old passphrase yields nothing saved later.
   */
  async setRecoveryPassphrase(passphrase: string, currentPassphrase?: string): Promise<void> {
    const vault = this.#requireVault();
    checkPassphrase(passphrase);
    if (!vault.slotKinds().includes('passphrase')) {
      await vault.addSlot(createPassphraseSlot(passphrase));
      return;
    }
    await this.#confirmCurrent(vault, currentPassphrase);
    await vault.rekey([...(await this.#keychainProviders(vault)), createPassphraseSlot(passphrase)]);
    await this.#accounts?.reload();
  }

  /**
   * Removes the recovery passphrase (the keychain then is the only way in):
   * needs the current passphrase and a working keychain, and re-encrypts
   * under a new data key like a change does.
   */
  async removeRecoveryPassphrase(currentPassphrase: string): Promise<void> {
    const vault = this.#requireVault();
    if (!vault.slotKinds().includes('passphrase')) throw new VaultError('ERR_VAULT_KEY_SLOT', 'The vault has no recovery passphrase.');
    await this.#confirmCurrent(vault, currentPassphrase);
    const keychain = await this.#keychainProviders(vault, true);
    if (keychain.length === 0) {
      throw new VaultError('ERR_VAULT_KEY_SLOT', 'The recovery passphrase is the only way to open this vault here (no keychain works), so it cannot be removed.');
    }
    await vault.rekey(keychain);
    await this.#accounts?.reload();
  }

  async #confirmCurrent(vault: Vault<VaultDocument>, currentPassphrase: string | undefined): Promise<void> {
    if (currentPassphrase === undefined || currentPassphrase === '') {
      throw new InputError('ERR_INPUT_MISSING', 'Enter the current recovery passphrase to change it.', { field: 'currentPassphrase' });
    }
    if (!(await vault.unlocksWith(createPassphraseSlot(currentPassphrase)))) {
      throw new VaultError('ERR_VAULT_PASSPHRASE', 'The current passphrase is not right; nothing was changed.');
    }
  }

  /** The keychain slot to keep through a rekey: when the vault has one (or `always`) and the keychain works now. */
  async #keychainProviders(vault: Vault<VaultDocument>, always = false): Promise<KeySlotProvider[]> {
    const keychain = this.#options.keychain;
    if (!keychain || (await keychain.status()) !== 'available') return [];
    return always || vault.slotKinds().includes('safe_storage') ? [keychain.provider] : [];
  }

  hasRecoveryPassphrase(): boolean {
    return this.#requireVault().slotKinds().includes('passphrase');
  }

  accounts(): AccountService {
    const vault = this.#requireVault();
    this.#accounts ??= new AccountService({
      store: new VaultDocumentStore(vault),
      ports: this.#options.ports,
      flows: this.flows,
      ...(this.#options.minValiditySeconds !== undefined ? { minValiditySeconds: this.#options.minValiditySeconds } : {}),
      ...(this.#options.timeoutMs !== undefined ? { timeoutMs: this.#options.timeoutMs } : {}),
    });
    return this.#accounts;
  }

  preferences(): Preferences {
    return { ...(this.#requireVault().read() as VaultDocument).preferences };
  }

  async setPreferences(patch: Partial<Preferences>): Promise<Preferences> {
    const vault = this.#requireVault();
    const next = await vault.update(async (doc) => {
      const updated = { ...doc, preferences: { ...doc.preferences, ...patch } };
      return { next: updated, result: updated.preferences };
    });
    await this.#accounts?.reload();
    return next;
  }

  /**
   * Forgets the unwrapped key and pending sign-ins. What a failed save kept
   * in memory gets one last try first (best effort: the vault locks either way).
   */
  lock(): void {
    this.flows.cancelAll();
    // Connections that present a client certificate hold its key: they close with the vault.
    void this.#options.ports.forgetClientCertificates?.();
    const vault = this.#vault;
    const accounts = this.#accounts;
    this.#vault = undefined;
    this.#accounts = undefined;
    if (!vault) return;
    void (accounts?.hasUnsaved() ? accounts.saveUnsaved() : Promise.resolve(true)).finally(() => vault.close());
  }

  /**
   * After a passphrase unlock where a keychain works (a new computer, a reset
   * profile, a keyring installed later), wrap the key for this keychain so the
   * next start needs no passphrase. Failing that is not an error: the vault
   * is open and the passphrase keeps working.
   */
  async #enrolKeychain(): Promise<void> {
    const keychain = this.#options.keychain;
    if (!keychain || !this.#vault || (await keychain.status()) !== 'available') return;
    try {
      await this.#vault.replaceSlot(keychain.provider);
    } catch {
      // Keychain refused: keep going with the passphrase.
    }
  }

  /**
   * The lock is held only for reading and writing files, never across a
   * network request (SPEC 3), so a writer waits seconds at most.
   */
  #vaultOptions(): VaultOptions {
    return { dir: this.dataDir, lockTimeoutMs: 15_000, ...(this.#options.signal ? { signal: this.#options.signal } : {}) };
  }

  #requireVault(): Vault<VaultDocument> {
    if (!this.#vault) throw new VaultError('ERR_VAULT_LOCKED', 'The vault is locked. Unlock it first.');
    return this.#vault;
  }
}

function checkPassphrase(passphrase: string): string {
  const problem = passphraseProblem(passphrase);
  if (problem !== undefined) throw new InputError('ERR_INPUT_FIELD', problem, { field: 'passphrase' });
  return passphrase;
}
