/**
 * Opening the vault in this process for a command: its passphrase from
 * TOKENDESK_PASSPHRASE or the prompt (a new vault's passphrase asked twice
 * and judged), and every notice about what was opened on stderr.
 */
import { userInfo } from 'node:os';
import { AppSession } from '../core/app-session.js';
import { VaultError } from '../core/errors.js';
import { passphraseProblem } from '../core/passphrase-strength.js';
import { throwIfCancelled } from './cancel.js';
import type { CliContext } from './context.js';
import { chooseNewPassphrase, readPassphrase, say } from './terminal.js';
import { localDateTime } from './time-format.js';

/** What `AppSession.unlock()` tells about the vault it opened (SPEC 4: opening from the backup is always announced). */
type UnlockReport = Awaited<ReturnType<AppSession['unlock']>>;

export interface OpenOptions {
  createIfMissing: boolean;
  /** Words that go with what is being stored (account names): a new passphrase must not be made of them. */
  passphraseContext?: string[];
}

export async function openSession(cli: CliContext, dataDir: string, options: OpenOptions): Promise<AppSession> {
  // Every wait for the vault lock ends on Ctrl+C / SIGTERM.
  const session = new AppSession({ dataDir, ports: cli.ports, signal: cli.signal, ...(cli.timeoutMs !== undefined ? { timeoutMs: cli.timeoutMs } : {}) });
  const { vault } = await session.status();
  if (vault === 'missing' && !options.createIfMissing) {
    throw new VaultError('ERR_VAULT_NOT_FOUND', `There is no TokenDesk vault in ${dataDir}. Import credentials first: tokendesk import FILE.`);
  }
  if (vault === 'missing') {
    const words = [...(options.passphraseContext ?? []), loginName()];
    const passphrase = await chooseNewPassphrase(cli.io, (candidate) => passphraseProblem(candidate, words), cli.signal);
    throwIfCancelled(cli.signal);
    say(cli.io, `Creating a new vault in ${dataDir}.`);
    await session.create({ passphrase });
  } else {
    const report: UnlockReport = await session.unlock(await readPassphrase(cli.io, 'Vault passphrase: ', cli.signal));
    if (report.openedFromBackup) say(cli.io, backupNotice(report));
    if (report.rollback) {
      const savedAt = localDateTime(report.rollback.savedAt) ?? 'an earlier time';
      say(cli.io, `Warning: the vault file was replaced by an older copy, saved ${savedAt}. Changes made after that may be lost. If you did not restore a copy yourself, check who else can use this computer.`);
    }
    if (report.folderWarning) say(cli.io, `Warning: ${report.folderWarning}`);
  }
  throwIfCancelled(cli.signal);
  return session;
}

/** Plain words for a vault opened from its backup: what happened, what is lost, where the damaged file is. */
function backupNotice(report: UnlockReport): string {
  const savedAt = localDateTime(report.recovery?.backupSavedAt);
  const version = savedAt ? `the previous version, saved ${savedAt}` : 'the previous version (its backup)';
  const lines = [`Warning: the vault file was damaged, so TokenDesk opened ${version}. Changes made after that version are lost.`];
  const damaged = report.recovery?.damagedCopyPath;
  if (damaged) lines.push(`The damaged file was kept as ${damaged}.`);
  return lines.join(' ');
}

function loginName(): string {
  try {
    return userInfo().username;
  } catch {
    return ''; // no user entry (some containers): nothing to add
  }
}

