/**
 * The shape of the vault's decrypted content, owned by the account service.
 * Bump SCHEMA and add a migration in `migrateDocument` when it changes.
 */
import type { AccountSettings, TokenSet } from '../../../shared/account.js';
import { DEFAULT_AUTO_LOCK_MINUTES } from '../auto-lock.js';
import { VaultError } from '../errors.js';
import type { HistoryEntry } from './types.js';

export interface StoredAccount {
  settings: AccountSettings;
  tokens?: TokenSet;
  /** Newest last; capped at HISTORY_LIMIT. */
  history: HistoryEntry[];
  /** Epoch ms of each network token request inside the budget window. */
  requestTimes: number[];
  lastError?: { code: string; message: string; at: number };
  /** Endpoints found by discovery for `issuer`, so discovery is not repeated before every request. */
  discovered?: DiscoveredEndpoints;
}

export interface DiscoveredEndpoints {
  issuer: string;
  /** Epoch ms. */
  at: number;
  endpoints: Partial<Pick<AccountSettings, 'tokenUrl' | 'authorizeUrl' | 'revokeUrl' | 'deviceAuthorizationUrl' | 'issuerMetadata'>>;
}

export interface Preferences {
  /** Seconds after which a copied token is cleared from the clipboard (0 = never). */
  clipboardClearSeconds: number;
  /** Minutes without use after which the vault locks itself (0 = never); see main/core/auto-lock.ts. */
  autoLockMinutes: number;
}

export interface VaultDocument {
  schema: 1;
  accounts: StoredAccount[];
  preferences: Preferences;
}

export const HISTORY_LIMIT = 100;
export const DEFAULT_PREFERENCES: Preferences = { clipboardClearSeconds: 60, autoLockMinutes: DEFAULT_AUTO_LOCK_MINUTES };

export function emptyDocument(): VaultDocument {
  return { schema: 1, accounts: [], preferences: { ...DEFAULT_PREFERENCES } };
}

/** Accepts what an older TokenDesk wrote; refuses what a newer one wrote. */
export function migrateDocument(raw: unknown): VaultDocument {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as VaultDocument).accounts)) {
    throw new VaultError('ERR_VAULT_DAMAGED', 'The vault opened, but its content is not a TokenDesk account list.');
  }
  const doc = raw as Partial<VaultDocument> & { schema?: number };
  if (doc.schema !== undefined && doc.schema > 1) {
    throw new VaultError('ERR_VAULT_VERSION', 'This vault was written by a newer TokenDesk. Update TokenDesk to open it.');
  }
  return {
    schema: 1,
    accounts: (doc.accounts ?? []).map((account) => ({ ...account, history: account.history ?? [], requestTimes: account.requestTimes ?? [] })),
    preferences: { ...DEFAULT_PREFERENCES, ...(doc.preferences ?? {}) },
  };
}
