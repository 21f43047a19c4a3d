/**
 * Encrypted backups (issue 13 item 11, SPEC 4): "Save a backup" writes one
 * file holding the vault's accounts under a passphrase chosen for it;
 * "Restore from a backup" lists what it holds, then adds (or replaces)
 * accounts in one atomic save. The app (api/backup-handlers.ts) and the CLI
 * (cli/commands/backup.ts) both go through here.
 */
import { basename, dirname } from 'node:path';
import type { AccountService } from '../accounts/account-service.js';
import { InputError, VaultError } from '../errors.js';
import { passphraseProblem } from '../passphrase-strength.js';
import { createExclusive, replaceFile } from '../vault/atomic-file.js';
import { defaultIo, errnoOf, type FileIo } from '../vault/file-system.js';
import type { ScryptParams } from '../vault/passphrase-slot.js';
import { isWriteRefusal } from '../vault/write-error.js';
import { backupContentOf, listBackup, readBackupContent, type BackupAccount, type BackupListingEntry } from './backup-content.js';
import { openBackup, sealBackup } from './backup-file.js';

export { BACKUP_FORMAT, BACKUP_VERSION } from './backup-file.js';
export type { BackupAccount, BackupListingEntry, RestoreResult } from './backup-content.js';

export interface MakeBackupOptions {
  now: () => number;
  /** Default: the vault's scrypt parameters; tests pass cheaper ones. */
  scrypt?: ScryptParams;
}

/**
 * Why `passphrase` cannot protect a backup (the vault's own strength rule,
 * passphrase-strength.ts), thrown as an InputError on the `passphrase` field.
 * The account names count as guessable words, as for a new vault.
 */
export function checkBackupPassphrase(passphrase: string, accountNames: readonly string[]): void {
  const problem = passphraseProblem(passphrase, [...accountNames]);
  if (problem !== undefined) throw new InputError('ERR_INPUT_FIELD', `${problem} No backup was saved.`, { field: 'passphrase' });
}

/** The bytes of a backup of every account of `service`, after the strength check. */
export async function makeBackup(service: AccountService, passphrase: string, options: MakeBackupOptions): Promise<{ bytes: Buffer; accounts: string[] }> {
  const stored = service.exportAccounts();
  const names = stored.map((account) => account.settings.name);
  checkBackupPassphrase(passphrase, names);
  const bytes = await sealBackup(backupContentOf(stored), passphrase, { createdAt: options.now(), ...(options.scrypt ? { scrypt: options.scrypt } : {}) });
  return { bytes, accounts: names };
}

export interface OpenedBackupAccounts {
  /** When the backup was saved (epoch ms). */
  createdAt: number;
  accounts: BackupAccount[];
}

/** Decrypts and checks a backup file's bytes; errors name `fileName` (backup-file.ts). */
export async function readBackup(bytes: Uint8Array, passphrase: string, fileName: string): Promise<OpenedBackupAccounts> {
  const opened = await openBackup(bytes, passphrase, fileName);
  return { createdAt: opened.createdAt, accounts: readBackupContent(opened.content, fileName) };
}

/** What the backup holds, against the accounts the vault has now. Never a secret. */
export function describeBackup(backup: OpenedBackupAccounts, existingNames: Iterable<string>): { createdAt: number; accounts: BackupListingEntry[] } {
  return { createdAt: backup.createdAt, accounts: listBackup(backup.accounts, new Set(existingNames)) };
}

/**
 * Writes a backup file atomically (temporary file, fsync, rename): a crash
 * leaves the old file or the complete new one, never half a backup. Without
 * `overwrite` (the CLI), an existing file is refused with ERR_BACKUP_EXISTS
 * and left untouched; the app's save dialog has asked before overwriting.
 */
export async function writeBackupFile(path: string, bytes: Uint8Array, options: { overwrite: boolean }, io: FileIo = defaultIo): Promise<void> {
  try {
    if (options.overwrite) {
      await replaceFile(io, path, bytes, path);
      return;
    }
    if (!(await createExclusive(io, path, bytes))) {
      throw new InputError('ERR_BACKUP_EXISTS', `${path} already exists. TokenDesk never overwrites a file with a backup: choose another name, or move the old file away first.`);
    }
  } catch (error) {
    throw backupWriteError(error, path);
  }
}

/** A name for the save dialog: the date, so several backups sort and do not collide. */
export function defaultBackupFileName(now: number): string {
  const day = new Date(now);
  const two = (value: number): string => String(value).padStart(2, '0');
  return `tokendesk-backup-${day.getFullYear()}-${two(day.getMonth() + 1)}-${two(day.getDate())}.json`;
}

/** The vault's write errors speak of the vault; a backup's name the backup file. */
function backupWriteError(error: unknown, path: string): unknown {
  if (error instanceof InputError) return error;
  const cause = error instanceof VaultError && error.code === 'ERR_VAULT_WRITE' ? error.cause : error;
  const code = errnoOf(cause);
  const folder = dirname(path);
  if (code === 'ENOENT' || code === 'ENOTDIR') return new InputError('ERR_INPUT_FIELD', `The folder ${folder} does not exist, so the backup ${basename(path)} was not saved.`);
  if (code === 'EISDIR') return new InputError('ERR_INPUT_FIELD', `${path} is a folder. Give the backup a file name.`);
  if (isWriteRefusal(cause)) {
    const why =
      code === 'ENOSPC' || code === 'EDQUOT'
        ? 'the disk is full'
        : code === 'EROFS'
          ? 'the disk is read-only'
          : code === 'EBUSY'
            ? 'another program holds the file'
            : 'TokenDesk has no permission to write there';
    return new VaultError('ERR_VAULT_WRITE', `The backup could not be saved as ${path}: ${why}. Nothing was written.`, { cause });
  }
  return error;
}
