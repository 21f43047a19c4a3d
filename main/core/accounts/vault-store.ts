/**
 * Adapts the generic encrypted vault to the account service's DocumentStore.
 * Keeps the last document in memory so the cached-token path is a lookup,
 * not a decrypt (SPEC 8: cached token median under 0.05 ms).
 */
import type { Vault } from '../vault/index.js';
import type { DocumentStore } from './account-service.js';
import { migrateDocument, type VaultDocument } from './document.js';

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

  async update<R>(fn: (current: VaultDocument) => Promise<{ next: VaultDocument; result: R }>): Promise<R> {
    return this.#vault.update(async (raw) => {
      const { next, result } = await fn(migrateDocument(raw));
      this.#current = next;
      return { next, result };
    });
  }
}
