/**
 * What one token request produced, kept apart from the vault document while
 * the request runs. SPEC 3: no network request runs while the cross-process
 * vault lock is held, so a request works on a snapshot of its account and
 * records its effects here; the effects are merged into whatever the vault
 * holds by then, under a short lock (`applyRequestResult`).
 */
import type { AccountSettings, TokenSet } from '../../../shared/account.js';
import type { ClientAuthMethod } from '../../../shared/types.js';
import { requestsInWindow } from './budget.js';
import { HISTORY_LIMIT, type DiscoveredEndpoints, type StoredAccount, type VaultDocument } from './document.js';
import type { HistoryEntry } from './types.js';

export interface RequestResult {
  /** History entries of this run, oldest first. */
  history: HistoryEntry[];
  /** When each request of this run reached the wire, for accounts with a request budget. */
  requestTimes: number[];
  /** How many requests of this run reached the wire (any account). */
  requestsSent: number;
  /** The tokens obtained, if any. */
  tokens?: TokenSet;
  /** The stored tokens are dead (a refused refresh token) and must be forgotten. */
  dropTokens?: boolean;
  /** The server accepted another client authentication (basic -> body or basic_raw). */
  learnedClientAuth?: ClientAuthMethod;
  discovered?: DiscoveredEndpoints;
  /** undefined: leave as is; null: clear (a success). */
  lastError?: StoredAccount['lastError'] | null;
}

export function emptyResult(): RequestResult {
  return { history: [], requestTimes: [], requestsSent: 0 };
}

/**
 * Merges `result` into the account named `name` in `doc`. `before` is the
 * settings snapshot the request ran with: when the account was edited
 * meanwhile in a way that changes the grant (another secret, another
 * address), the tokens, the learned client authentication and the discovered
 * endpoints belong to the old settings and are not kept. History and request
 * times are kept in any case: the requests did reach the server. An account
 * removed meanwhile stays removed.
 */
export function applyRequestResult(doc: VaultDocument, name: string, before: AccountSettings, result: RequestResult): void {
  const stored = doc.accounts.find((account) => account.settings.name === name);
  if (!stored) return;
  stored.history = [...stored.history, ...result.history].slice(-HISTORY_LIMIT);
  const budget = stored.settings.requestBudget;
  if (result.requestTimes.length > 0 && budget) {
    const merged = mergeTimes(stored.requestTimes, result.requestTimes);
    stored.requestTimes = requestsInWindow(merged, budget, merged.at(-1)!);
  }
  if (grantIdentityChanged(before, stored.settings)) return;
  if (result.dropTokens) delete stored.tokens;
  if (result.tokens) stored.tokens = result.tokens;
  if (result.learnedClientAuth) {
    // What the server accepted is no guess any more: the fallback never runs again.
    const { clientAuthAuto: _guessed, ...settings } = stored.settings;
    stored.settings = { ...settings, clientAuth: result.learnedClientAuth };
  }
  if (result.discovered) stored.discovered = result.discovered;
  if (result.lastError === null) delete stored.lastError;
  else if (result.lastError) stored.lastError = result.lastError;
}

/**
 * Both lists, sorted: another process may have counted its own requests
 * meanwhile. Not a set: two requests in the same millisecond are two requests.
 */
function mergeTimes(stored: readonly number[], added: readonly number[]): number[] {
  return [...stored, ...added].sort((a, b) => a - b);
}

/** The settings that decide which tokens a grant produces; a change to any of them makes cached tokens stale. */
const GRANT_IDENTITY_FIELDS: readonly (keyof AccountSettings)[] = [
  'grant', 'tokenUrl', 'authorizeUrl', 'revokeUrl', 'deviceAuthorizationUrl', 'issuer', 'clientId', 'clientSecret', 'clientAuth',
  'username', 'password', 'scopes', 'key', 'accessToken', 'redirectUri',
  // A token issued for another API (RFC 8707 `aud`) is no token for this one.
  'resource', 'audience',
];

export function grantIdentityChanged(before: AccountSettings, after: AccountSettings): boolean {
  return GRANT_IDENTITY_FIELDS.some((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}
