/** The vault commands of SPEC 6: import, list, token NAME, revoke, remove. */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { AppSession } from '../../core/app-session.js';
import { InputError, VaultError } from '../../core/errors.js';
import { importCredentials } from '../../core/import/index.js';
import type { CliContext } from '../context.js';
import { formatToken, type TokenFormat } from '../output.js';
import { authorizationPromptHandler, deviceCodePromptHandler } from '../prompts.js';
import { readPassphrase, say } from '../terminal.js';

async function openSession(cli: CliContext, dataDir: string, createIfMissing: boolean): Promise<AppSession> {
  const session = new AppSession({ dataDir, ports: cli.ports, ...(cli.timeoutMs !== undefined ? { timeoutMs: cli.timeoutMs } : {}) });
  const { vault } = await session.status();
  if (vault === 'missing' && !createIfMissing) {
    throw new VaultError('ERR_VAULT_NOT_FOUND', `There is no TokenDesk vault in ${dataDir}. Import credentials first: tokendesk import FILE.`);
  }
  if (vault === 'missing') {
    say(cli.io, `Creating a new vault in ${dataDir}.`);
    const passphrase = await readPassphrase(cli.io, 'Choose a passphrase for the new vault (at least 8 characters): ');
    await session.create({ passphrase });
  } else {
    await session.unlock(await readPassphrase(cli.io, 'Vault passphrase: '));
  }
  return session;
}

export async function importCommand(cli: CliContext, dataDir: string, file: string): Promise<void> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError('ERR_INPUT_FIELD', 'Cannot read the credentials file: check the path and permissions.', { file });
  }
  // Parse and validate before touching the vault: nothing is half-imported.
  const accounts = await importCredentials({ text, fileName: file, baseDir: dirname(path) });
  const session = await openSession(cli, dataDir, true);
  await session.accounts().importAccounts(accounts);
  say(cli.io, `Imported ${accounts.length === 1 ? '1 account' : `${accounts.length} accounts`}: ${accounts.map((account) => account.name).join(', ')}.`);
}

export async function listCommand(cli: CliContext, dataDir: string, json: boolean): Promise<void> {
  const session = await openSession(cli, dataDir, false);
  const accounts = await session.accounts().list();
  if (json) {
    const rows = accounts.map((account) => ({
      name: account.name,
      preset: account.preset ?? null,
      grant: account.grant,
      status: account.status,
      expires_at: account.expiresAt !== undefined ? new Date(account.expiresAt).toISOString() : null,
      has_refresh_token: account.hasRefreshToken,
    }));
    cli.io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (accounts.length === 0) {
    say(cli.io, 'The vault has no accounts yet. Add one with: tokendesk import FILE');
    return;
  }
  const table = [['NAME', 'GRANT', 'STATUS', 'EXPIRES'], ...accounts.map((account) => [
    account.name,
    account.grant,
    account.status,
    account.expiresAt !== undefined ? new Date(account.expiresAt).toISOString() : '-',
  ])];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  cli.io.stdout.write(table.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n') + '\n');
}

export async function tokenCommand(
  cli: CliContext,
  dataDir: string,
  options: { name: string; force: boolean; format: TokenFormat; openBrowser: boolean },
): Promise<void> {
  const session = await openSession(cli, dataDir, false);
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
    cli.io.stdout.write(formatToken(tokens, options.format));
  } catch (error) {
    throw pasteFailure ?? error;
  } finally {
    session.lock();
  }
}

export async function revokeCommand(cli: CliContext, dataDir: string, name: string): Promise<void> {
  const session = await openSession(cli, dataDir, false);
  const { revokedAtServer } = await session.accounts().revoke(name);
  say(cli.io, revokedAtServer ? `Revoked the tokens of "${name}" at the server and forgot them.` : `Forgot the tokens of "${name}" (it has no revocation endpoint).`);
}

export async function removeCommand(cli: CliContext, dataDir: string, name: string): Promise<void> {
  const session = await openSession(cli, dataDir, false);
  await session.accounts().removeAccount(name);
  say(cli.io, `Removed "${name}" and its tokens from the vault.`);
}
