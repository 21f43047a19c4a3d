/**
 * What a backup holds, how it is listed before a restore, and how it goes
 * back into a vault.
 *
 * Kept: each account's settings with its secrets (client secret, password,
 * key, client certificate, static token), its request history and the times
 * of its recent token requests (a restored Myfox account must still know how
 * much of its daily budget is used: the provider counts, not TokenDesk).
 * Tokens: the refresh token is kept (with the token set it came in), because
 * it is what spares a browser or device sign-in after a restore; a token set
 * without a refresh token is left out: an access token lives minutes to
 * hours (300 s at myfiber and Vyopta), a backup is restored days later, and
 * a bearer token nobody needs is one less thing a stolen file holds. An
 * access token kept beside a refresh token is handed out only while it is
 * still valid (freshness.ts), like any cached token.
 * Not kept: the last error (it describes the old computer's situation),
 * discovered endpoints (found again on the first request) and the vault's
 * preferences (they belong to the computer, not to the accounts).
 */
import type { AccountSettings, TokenSet } from '../../../shared/account.js';
import type { StoredAccount, VaultDocument } from '../accounts/document.js';
import type { HistoryEntry } from '../accounts/types.js';
import { VaultError } from '../errors.js';
import { isRecord } from '../vault/vault-file.js';

/** The schema of the content inside the ciphertext (the file's version is the envelope's). */
export const BACKUP_CONTENT_SCHEMA = 1;

export interface BackupAccount {
  settings: AccountSettings;
  /** Present only with a refresh token (see the module comment). */
  tokens?: TokenSet;
  history: HistoryEntry[];
  requestTimes: number[];
}

export interface BackupContent {
  schema: typeof BACKUP_CONTENT_SCHEMA;
  accounts: BackupAccount[];
}

/** One line of the listing shown before a restore: what the account is, never a secret. */
export interface BackupListingEntry {
  name: string;
  preset?: string;
  grant: AccountSettings['grant'];
  /** When the account was added; the vault does not record it, so it is absent for now. */
  createdAt?: number;
  /** Epoch ms of the newest entry of its history: when it was last used. */
  lastUsedAt?: number;
  /** True when the vault already has an account of this name (skipped unless replaced). */
  exists: boolean;
  hasRefreshToken: boolean;
}

export interface RestoreResult {
  added: string[];
  replaced: string[];
  /** Names already in the vault, left as they were (restore without replace). */
  skipped: string[];
}

/** The content of a backup of `accounts` (deep copies). */
export function backupContentOf(accounts: readonly StoredAccount[]): BackupContent {
  return {
    schema: BACKUP_CONTENT_SCHEMA,
    accounts: accounts.map((account) => ({
      settings: structuredClone(account.settings),
      ...(account.tokens?.refreshToken ? { tokens: structuredClone(account.tokens) } : {}),
      history: structuredClone(account.history),
      requestTimes: [...account.requestTimes],
    })),
  };
}

/**
 * Checks the shape of decrypted content. GCM proved it is what a backup
 * wrote, so a wrong shape means a newer schema or a bug, never an attack;
 * each account's settings are validated again when restored.
 */
export function readBackupContent(content: unknown, fileName: string): BackupAccount[] {
  if (!isRecord(content) || !Array.isArray(content['accounts'])) throw damagedContent(fileName);
  const schema = content['schema'];
  if (typeof schema === 'number' && schema > BACKUP_CONTENT_SCHEMA) {
    throw new VaultError('ERR_BACKUP_VERSION', `The backup ${fileName} was saved by a newer TokenDesk. Update TokenDesk to restore it. Nothing was changed.`);
  }
  if (schema !== BACKUP_CONTENT_SCHEMA) throw damagedContent(fileName);
  const seen = new Set<string>();
  return content['accounts'].map((entry: unknown) => {
    if (!isRecord(entry) || !isRecord(entry['settings'])) throw damagedContent(fileName);
    const settings = entry['settings'];
    const name = settings['name'];
    if (typeof name !== 'string' || typeof settings['grant'] !== 'string' || seen.has(name)) throw damagedContent(fileName);
    seen.add(name);
    const tokens = entry['tokens'];
    if (tokens !== undefined && (!isRecord(tokens) || typeof tokens['accessToken'] !== 'string' || typeof tokens['obtainedAt'] !== 'number')) throw damagedContent(fileName);
    const history = entry['history'];
    const requestTimes = entry['requestTimes'];
    if (!Array.isArray(history) || !history.every(isRecord) || !Array.isArray(requestTimes) || !requestTimes.every((time) => typeof time === 'number')) {
      throw damagedContent(fileName);
    }
    return {
      settings: settings as unknown as AccountSettings,
      ...(tokens !== undefined ? { tokens: tokens as unknown as TokenSet } : {}),
      history: history as unknown as HistoryEntry[],
      requestTimes: requestTimes as number[],
    };
  });
}

/** The listing of a backup's accounts against the names the vault has now. */
export function listBackup(accounts: readonly BackupAccount[], existingNames: ReadonlySet<string>): BackupListingEntry[] {
  return accounts.map(({ settings, tokens, history }) => {
    const lastUsedAt = history.reduce<number | undefined>((newest, entry) => (typeof entry.at === 'number' && (newest === undefined || entry.at > newest) ? entry.at : newest), undefined);
    return {
      name: settings.name,
      ...(settings.preset ? { preset: settings.preset } : {}),
      grant: settings.grant,
      ...(lastUsedAt !== undefined ? { lastUsedAt } : {}),
      exists: existingNames.has(settings.name),
      hasRefreshToken: Boolean(tokens?.refreshToken),
    };
  });
}

/**
 * Puts the backup's accounts into `doc` (mutated): new names are added at
 * the end; a name the vault has is replaced in place when `replace`, else
 * skipped. The caller saves `doc` in one atomic write, so a restore is all
 * or nothing.
 */
export function mergeBackup(doc: VaultDocument, accounts: readonly BackupAccount[], replace: boolean): RestoreResult {
  const result: RestoreResult = { added: [], replaced: [], skipped: [] };
  for (const account of accounts) {
    const restored: StoredAccount = {
      settings: structuredClone(account.settings),
      ...(account.tokens ? { tokens: structuredClone(account.tokens) } : {}),
      history: structuredClone(account.history),
      requestTimes: [...account.requestTimes],
    };
    const at = doc.accounts.findIndex((existing) => existing.settings.name === account.settings.name);
    if (at < 0) {
      doc.accounts.push(restored);
      result.added.push(account.settings.name);
    } else if (replace) {
      doc.accounts[at] = restored;
      result.replaced.push(account.settings.name);
    } else {
      result.skipped.push(account.settings.name);
    }
  }
  return result;
}

function damagedContent(fileName: string): VaultError {
  return new VaultError('ERR_BACKUP_DAMAGED', `The backup ${fileName} opened, but its content is not a list of TokenDesk accounts. Nothing was changed.`);
}
