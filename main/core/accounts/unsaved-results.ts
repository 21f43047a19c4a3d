/**
 * Request results the vault could not save (a full disk, a read-only folder,
 * a file held by an antivirus). SPEC 4: the token just obtained is still
 * handed out, and it is kept in memory, with any rotated refresh token, until
 * the next save succeeds: a rotated refresh token lost here would be gone for
 * good, because the server has already invalidated the old one.
 */
import type { AccountSettings, TokenSet } from '../../../shared/account.js';
import type { VaultDocument } from './document.js';
import { applyRequestResult, type RequestResult } from './request-result.js';

interface Pending {
  name: string;
  before: AccountSettings;
  result: RequestResult;
}

export class UnsavedResults {
  #pending: Pending[] = [];

  add(name: string, before: AccountSettings, result: RequestResult): void {
    this.#pending.push({ name, before, result });
  }

  get size(): number {
    return this.#pending.length;
  }

  /** The newest unsaved tokens of an account: newer than what the vault holds. */
  tokens(name: string): TokenSet | undefined {
    for (let index = this.#pending.length - 1; index >= 0; index--) {
      const pending = this.#pending[index]!;
      if (pending.name === name && pending.result.tokens) return pending.result.tokens;
    }
    return undefined;
  }

  /** Applies every pending result to `doc`, oldest first. Call `saved` once the save of `doc` succeeded. */
  applyTo(doc: VaultDocument): void {
    for (const pending of this.#pending) applyRequestResult(doc, pending.name, pending.before, pending.result);
  }

  /** Forgets the results that were part of a successful save (`count` = size when applyTo ran). */
  saved(count: number): void {
    this.#pending = this.#pending.slice(count);
  }
}
