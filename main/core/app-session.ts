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
import { createPassphraseSlot, Vault, type VaultOptions } from './vault/index.js';

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
  async unlock(passphrase?: string): Promise<{ openedFromBackup: boolean }> {
    const providers: KeySlotProvider[] = [];
    if (passphrase !== undefined) providers.push(createPassphraseSlot(passphrase));
    else if ((await this.keychainStatus()) === 'available' && this.#options.keychain) providers.push(this.#options.keychain.provider);
    if (providers.length === 0) {
      throw new VaultError('ERR_VAULT_LOCKED', 'The vault is locked. Enter the recovery passphrase to open it.');
    }
    this.#vault = await Vault.open<VaultDocument>(this.#vaultOptions(), providers);
    this.#accounts = undefined;
    if (passphrase !== undefined) await this.#enrolKeychain();
    return { openedFromBackup: this.#vault.openedFromBackup };
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

  /** Sets or changes the recovery passphrase; the content is not re-encrypted. */
  async setRecoveryPassphrase(passphrase: string): Promise<void> {
    const vault = this.#requireVault();
    const slot = createPassphraseSlot(checkPassphrase(passphrase));
    if (vault.slotKinds().includes('passphrase')) await vault.replaceSlot(slot);
    else await vault.addSlot(slot);
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

  /** Forgets the unwrapped key and pending sign-ins. */
  lock(): void {
    this.flows.cancelAll();
    this.#vault = undefined;
    this.#accounts = undefined;
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
   * Waiting for the lock must outlast one token request (30 s timeout): a
   * second process waits while the first fetches, then reuses its token.
   */
  #vaultOptions(): VaultOptions {
    return { dir: this.dataDir, lockTimeoutMs: 60_000 };
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
