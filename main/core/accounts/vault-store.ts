/**
 * Adapts the generic encrypted vault to the account service's DocumentStore.
 * Keeps the last document in memory so the cached-token path is a lookup,
 * not a decrypt (SPEC 8: cached token median under 0.05 ms).
 */
import { createHash } from 'node:crypto';
import { VaultError } from '../errors.js';
import type { Vault } from '../vault/index.js';
import { withFileLock, type FileLockOptions } from '../vault/lock.js';
import type { DocumentStore } from './account-service.js';
import { migrateDocument, type VaultDocument } from './document.js';

/**
 * How long a second process waits for the first one's request for the same
 * account. The holder's own bounds (30 s per request, two 429 retries within
 * 10 s, a basic_raw retry, discovery, a refresh falling back to the grant)
 * stay under this; a holder that dies is detected at once by its pid.
 */
const REQUEST_MARKER_WAIT_MS = 5 * 60_000;

export class VaultDocumentStore implements DocumentStore {
  readonly #vault: Vault<VaultDocument>;
  #current: VaultDocument;

  constructor(vault: Vault<VaultDocument>) {
    this.#vault = vault;
    this.#current = migrateDocument(vault.read());
  }

  read(): VaultDocument {
    return this.#current;
  }

  async reload(): Promise<VaultDocument> {
    this.#current = migrateDocument(await this.#vault.reload());
    return this.#current;
  }

  async update<R>(fn: (current: VaultDocument) => { next: VaultDocument; result: R }, options: { cancellable?: boolean } = {}): Promise<R> {
    let saved: VaultDocument | undefined;
    const result = await this.#vault.update((raw) => {
      const { next, result } = fn(migrateDocument(raw));
      saved = next;
      return { next, result };
    }, options);
    // Adopted only once it is on disk: a failed save leaves the last good document in place.
    if (saved) this.#current = saved;
    return result;
  }

  /**
   * A lock file per account beside the vault (`vault.json.req-<hash>.lock`):
   * the account name is hashed so the folder listing names no account. When
   * the marker cannot even be written (a full disk, a read-only folder), the
   * request goes ahead without it: single flight across processes is lost
   * for that moment, but the token still arrives (SPEC 4), and within this
   * process the account service's single flight still holds.
   */
  async exclusive<R>(key: string, fn: () => Promise<R>, signal?: AbortSignal): Promise<R> {
    const hash = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
    const options: FileLockOptions & { signal?: AbortSignal } = { timeoutMs: REQUEST_MARKER_WAIT_MS, ...(signal ? { signal } : {}) };
    let started = false;
    try {
      return await withFileLock(
        `${this.#vault.path}.req-${hash}.lock`,
        () => {
          started = true;
          return fn();
        },
        options,
      );
    } catch (error) {
      if (started || !isUnwritable(error)) throw error;
      return fn();
    }
  }
}

/** A disk that refuses writes: the vault layer says so with ERR_VAULT_WRITE (write-error.ts). */
function isUnwritable(error: unknown): boolean {
  return error instanceof VaultError && error.code === 'ERR_VAULT_WRITE';
}
