/**
 * `tokendesk backup FILE` and `tokendesk restore FILE [--replace]`: an
 * encrypted backup of the vault's accounts (main/core/backup). The backup's
 * passphrase comes from TOKENDESK_BACKUP_PASSPHRASE or a hidden prompt
 * (asked twice when saving), never from the command line. Both open the
 * vault here with its passphrase: the agent does not hand out secrets, and a
 * backup is every secret.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeBackup, makeBackup, readBackup, writeBackupFile, type BackupListingEntry } from '../../core/backup/index.js';
import { InputError } from '../../core/errors.js';
import { passphraseProblem } from '../../core/passphrase-strength.js';
import { throwIfCancelled } from '../cancel.js';
import type { CliContext } from '../context.js';
import { readInputBytes } from '../input-file.js';
import { openSession } from '../open-session.js';
import { readSecondPassphrase, say } from '../terminal.js';
import { localDateTime } from '../time-format.js';

export const BACKUP_PASSPHRASE_ENV = 'TOKENDESK_BACKUP_PASSPHRASE';

export async function backupCommand(cli: CliContext, dataDir: string, file: string): Promise<void> {
  const path = resolve(file);
  // Checked again, atomically, when the file is created; this spares the prompts.
  if (existsSync(path)) throw exists(path);
  const session = await openSession(cli, dataDir, { createIfMissing: false });
  const accounts = session.accounts();
  const names = accounts.exportAccounts().map((account) => account.settings.name);
  const passphrase = await readSecondPassphrase(cli.io, {
    env: BACKUP_PASSPHRASE_ENV,
    prompt: 'Choose a passphrase for the backup (four or more words picked at random work well): ',
    choose: { check: (candidate) => passphraseProblem(candidate, names), refused: 'No backup was saved.' },
    signal: cli.signal,
  });
  throwIfCancelled(cli.signal);
  const backup = await makeBackup(accounts, passphrase, { now: () => cli.ports.clock.now() });
  await writeBackupFile(path, backup.bytes, { overwrite: false });
  const count = backup.accounts.length === 1 ? '1 account' : `${backup.accounts.length} accounts`;
  say(cli.io, `Saved a backup of ${count} to ${path}${backup.accounts.length ? ` (${backup.accounts.join(', ')})` : ''}.`);
  say(cli.io, 'Keep the backup passphrase somewhere safe: without it, nobody can open the backup.');
}

export async function restoreCommand(cli: CliContext, dataDir: string, file: string, options: { replace: boolean }): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await readInputBytes(resolve(file), cli.signal);
  } catch {
    throwIfCancelled(cli.signal);
    throw new InputError('ERR_INPUT_FIELD', `Cannot read the backup ${file}: check the path and permissions.`);
  }
  const passphrase = await readSecondPassphrase(cli.io, { env: BACKUP_PASSPHRASE_ENV, prompt: 'Backup passphrase: ', signal: cli.signal });
  // Decrypted and checked before the vault is touched: a wrong passphrase or a damaged file changes nothing.
  const backup = await readBackup(bytes, passphrase, file);
  throwIfCancelled(cli.signal);
  const names = backup.accounts.map((account) => account.settings.name);
  const session = await openSession(cli, dataDir, { createIfMissing: true, passphraseContext: names });
  const accounts = session.accounts();
  const listing = describeBackup(backup, (await accounts.list()).map((account) => account.name));
  const savedAt = localDateTime(listing.createdAt);
  say(cli.io, `The backup ${file}${savedAt ? `, saved ${savedAt},` : ''} holds ${listing.accounts.length === 1 ? '1 account' : `${listing.accounts.length} accounts`}:`);
  for (const entry of listing.accounts) say(cli.io, `  ${describeEntry(entry)}`);
  const result = await accounts.restoreAccounts(backup.accounts, options.replace);
  if (result.added.length) say(cli.io, `Added: ${result.added.join(', ')}.`);
  if (result.replaced.length) say(cli.io, `Replaced: ${result.replaced.join(', ')}.`);
  if (result.skipped.length) say(cli.io, `Skipped, because the vault already has an account of that name: ${result.skipped.join(', ')}. Restore with --replace to replace them.`);
  if (!result.added.length && !result.replaced.length) say(cli.io, 'Nothing was restored.');
}

function describeEntry(entry: BackupListingEntry): string {
  const parts = [entry.preset ? `${entry.preset}, ${entry.grant}` : entry.grant];
  const lastUsed = localDateTime(entry.lastUsedAt);
  if (lastUsed) parts.push(`last used ${lastUsed}`);
  if (entry.exists) parts.push('already in the vault');
  return `${entry.name} (${parts.join('; ')})`;
}

function exists(path: string): InputError {
  return new InputError('ERR_BACKUP_EXISTS', `${path} already exists. TokenDesk never overwrites a file with a backup: choose another name, or move the old file away first.`);
}
