/** The vault commands of SPEC 6: import, list, token NAME, revoke, remove. */
import { dirname, resolve } from 'node:path';
import type { AgentAccountRow } from '../../core/agent/protocol.js';
import { InputError } from '../../core/errors.js';
import { importCredentials } from '../../core/import/index.js';
import { askAgentIfRunning, asksAgentFirst, requirePassphraseSource } from '../agent-routing.js';
import { throwIfCancelled, untilCancelled } from '../cancel.js';
import type { CliContext } from '../context.js';
import { readInputText } from '../input-file.js';
import { openSession } from '../open-session.js';
import { formatToken, type TokenFormat } from '../output.js';
import { terminalSafeCell, terminalSafeJson } from '../safe-text.js';
import { say } from '../terminal.js';
import { isoTime } from '../time-format.js';
import type { TokenSource } from '../token-source.js';

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

/** `token NAME`: the token from `source` (the caller opens and closes it), printed in `format`. */
export async function tokenCommand(
  cli: CliContext,
  source: TokenSource,
  options: { name: string; force: boolean; minValiditySeconds: number; format: TokenFormat; openBrowser: boolean },
): Promise<void> {
  const tokens = await source.getToken({ name: options.name, force: options.force, minValiditySeconds: options.minValiditySeconds, openBrowser: options.openBrowser });
  cli.io.stdout.write(formatToken(tokens, options.format, cli.ports.clock.now()));
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
