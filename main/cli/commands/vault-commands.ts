/** The vault commands of SPEC 6: import, list, token NAME, revoke, remove. */
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { AgentAccountRow } from '../../core/agent/protocol.js';
import { AppSession } from '../../core/app-session.js';
import { InputError, VaultError } from '../../core/errors.js';
import { importCredentials } from '../../core/import/index.js';
import { passphraseProblem } from '../../core/passphrase-strength.js';
import { askAgentIfRunning, asksAgentFirst, requirePassphraseSource } from '../agent-routing.js';
import { throwIfCancelled, untilCancelled } from '../cancel.js';
import type { CliContext } from '../context.js';
import { readInputText } from '../input-file.js';
import { formatToken, type TokenFormat } from '../output.js';
import { authorizationPromptHandler, deviceCodePromptHandler } from '../prompts.js';
import { terminalSafeCell, terminalSafeJson } from '../safe-text.js';
import { chooseNewPassphrase, readPassphrase, say } from '../terminal.js';
import { isoTime, localDateTime } from '../time-format.js';

/** What `AppSession.unlock()` tells about the vault it opened (SPEC 4: opening from the backup is always announced). */
type UnlockReport = Awaited<ReturnType<AppSession['unlock']>>;

interface OpenOptions {
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

export async function importCommand(cli: CliContext, dataDir: string, file: string, options: { noAgent: boolean }): Promise<void> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readInputText(path, cli.signal);
  } catch {
    throwIfCancelled(cli.signal);
    throw new InputError('ERR_INPUT_FIELD', 'Cannot read the credentials file: check the path and permissions.', { file });
  }
  if (asksAgentFirst(cli, 'change', options.noAgent)) {
    // The agent parses and stores it (all or nothing, the same checks); the text never leaves this user's processes.
    const imported = await askAgentIfRunning(cli, dataDir, { op: 'import', text, fileName: file, baseDir: dirname(path) });
    if (imported) return sayImported(cli, imported.names);
    requirePassphraseSource(cli);
  }
  // Parse and validate before touching the vault: nothing is half-imported.
  const accounts = await untilCancelled(importCredentials({ text, fileName: file, baseDir: dirname(path) }), cli.signal);
  const session = await openSession(cli, dataDir, { createIfMissing: true, passphraseContext: accounts.map((account) => account.name) });
  await session.accounts().importAccounts(accounts);
  sayImported(cli, accounts.map((account) => account.name));
}

function sayImported(cli: CliContext, names: string[]): void {
  say(cli.io, `Imported ${names.length === 1 ? '1 account' : `${names.length} accounts`}: ${names.join(', ')}.`);
}

export async function listCommand(cli: CliContext, dataDir: string, options: { json: boolean; noAgent: boolean }): Promise<void> {
  let rows: AgentAccountRow[] | undefined;
  if (asksAgentFirst(cli, 'read', options.noAgent)) {
    rows = await askAgentIfRunning(cli, dataDir, { op: 'list' });
    if (!rows) requirePassphraseSource(cli);
  }
  if (!rows) {
    const session = await openSession(cli, dataDir, { createIfMissing: false });
    rows = await session.accounts().list();
  }
  printAccounts(cli, rows, options.json);
}

function printAccounts(cli: CliContext, accounts: AgentAccountRow[], json: boolean): void {
  if (json) {
    const rows = accounts.map((account) => ({
      name: account.name,
      preset: account.preset ?? null,
      grant: account.grant,
      status: account.status,
      // One unrepresentable expiry is null for that account, not a failure of the whole list.
      expires_at: isoTime(account.expiresAt) ?? null,
      has_refresh_token: account.hasRefreshToken,
    }));
    cli.io.stdout.write(`${terminalSafeJson(rows)}\n`);
    return;
  }
  if (accounts.length === 0) {
    say(cli.io, 'The vault has no accounts yet. Add one with: tokendesk import FILE');
    return;
  }
  const table = [['NAME', 'GRANT', 'STATUS', 'EXPIRES'], ...accounts.map((account) => [
    terminalSafeCell(account.name),
    account.grant,
    account.status,
    account.expiresAt === undefined ? '-' : (isoTime(account.expiresAt) ?? 'unknown'),
  ])];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  cli.io.stdout.write(table.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n') + '\n');
}

export async function tokenCommand(
  cli: CliContext,
  dataDir: string,
  options: { name: string; force: boolean; format: TokenFormat; openBrowser: boolean },
): Promise<void> {
  const session = await openSession(cli, dataDir, { createIfMissing: false });
  let pasteFailure: unknown;
  try {
    const tokens = await session.accounts().getToken(options.name, {
      force: options.force,
      signal: cli.signal,
      onAuthorizationPrompt: authorizationPromptHandler({
        io: cli.io,
        flows: session.flows,
        openBrowser: options.openBrowser,
        signal: cli.signal,
        onPasteError: (error) => {
          pasteFailure = error;
          session.flows.cancelAll();
        },
      }),
      onDeviceCodePrompt: deviceCodePromptHandler(cli.io, options.openBrowser),
      onProgress: (message) => say(cli.io, message),
      onWarning: (message) => say(cli.io, `Warning: ${message}`),
    });
    cli.io.stdout.write(formatToken(tokens, options.format, cli.ports.clock.now()));
  } catch (error) {
    throw pasteFailure ?? error;
  } finally {
    session.lock();
  }
}

export async function revokeCommand(cli: CliContext, dataDir: string, name: string, options: { noAgent: boolean }): Promise<void> {
  const agentFirst = asksAgentFirst(cli, 'change', options.noAgent);
  let outcome = agentFirst ? await askAgentIfRunning(cli, dataDir, { op: 'revoke', name }) : undefined;
  if (!outcome) {
    if (agentFirst) requirePassphraseSource(cli);
    const session = await openSession(cli, dataDir, { createIfMissing: false });
    outcome = await session.accounts().revoke(name);
  }
  say(cli.io, outcome.revokedAtServer ? `Revoked the tokens of "${name}" at the server and forgot them.` : `Forgot the tokens of "${name}" (it has no revocation endpoint).`);
}

export async function removeCommand(cli: CliContext, dataDir: string, name: string, options: { noAgent: boolean }): Promise<void> {
  const agentFirst = asksAgentFirst(cli, 'change', options.noAgent);
  const viaAgent = agentFirst ? await askAgentIfRunning(cli, dataDir, { op: 'remove', name }) : undefined;
  if (!viaAgent) {
    if (agentFirst) requirePassphraseSource(cli);
    const session = await openSession(cli, dataDir, { createIfMissing: false });
    await session.accounts().removeAccount(name);
  }
  say(cli.io, `Removed "${name}" and its tokens from the vault.`);
}
