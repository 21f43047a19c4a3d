/** `tokendesk token --from FILE`: run the grant straight from a credentials file, no vault. */
import { dirname, resolve } from 'node:path';
import type { AccountSettings } from '../../../shared/account.js';
import { InputError } from '../../core/errors.js';
import { importCredentials } from '../../core/import/index.js';
import { AuthorizationFlows, obtainToken, resolveEndpoints } from '../../core/oauth/index.js';
import type { GrantContext } from '../../core/oauth/context.js';
import { throwIfCancelled, untilCancelled } from '../cancel.js';
import type { CliContext } from '../context.js';
import { readInputText } from '../input-file.js';
import { formatToken, type TokenFormat } from '../output.js';
import { authorizationPromptHandler, deviceCodePromptHandler } from '../prompts.js';
import { say } from '../terminal.js';
import { handedToken } from '../token-source.js';

export interface TokenFromFileOptions {
  file: string;
  account?: string;
  format: TokenFormat;
  openBrowser: boolean;
}

export async function tokenFromFile(cli: CliContext, options: TokenFromFileOptions): Promise<void> {
  const path = resolve(options.file);
  const text = await readInputFile(path, options.file, cli.signal);
  const accounts = await untilCancelled(importCredentials({ text, fileName: options.file, baseDir: dirname(path) }), cli.signal);
  const settings = pickAccount(accounts, options.account, options.file);

  const flows = new AuthorizationFlows({ ports: cli.ports });
  let pasteFailure: unknown;
  const ctx: GrantContext = {
    ports: cli.ports,
    signal: cli.signal,
    ...(cli.timeoutMs !== undefined ? { timeoutMs: cli.timeoutMs } : {}),
    onClientAuthLearned: (method) => say(cli.io, `Note: the server accepted the client credentials only as "${method}". Set client_auth = "${method}" in ${options.file} to skip the first attempt.`),
    onAuthorizationPrompt: authorizationPromptHandler({
      io: cli.io,
      flows,
      openBrowser: options.openBrowser,
      signal: cli.signal,
      onPasteError: (error) => {
        pasteFailure = error;
        flows.cancelAll();
      },
    }),
    onDeviceCodePrompt: deviceCodePromptHandler(cli.io, options.openBrowser),
    onProgress: (message) => say(cli.io, message),
  };
  try {
    const resolved = await resolveEndpoints(settings, ctx);
    const tokens = await obtainToken(resolved, ctx, flows);
    cli.io.stdout.write(formatToken(handedToken(tokens), options.format, cli.ports.clock.now()));
  } catch (error) {
    throw pasteFailure ?? error;
  } finally {
    flows.cancelAll();
  }
}

async function readInputFile(path: string, shown: string, signal: AbortSignal): Promise<string> {
  try {
    return await readInputText(path, signal);
  } catch (error) {
    throwIfCancelled(signal);
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : 'it cannot be read';
    throw new InputError('ERR_INPUT_FIELD', `Cannot read the credentials file: ${why}.`, { file: shown });
  }
}

function pickAccount(accounts: AccountSettings[], wanted: string | undefined, file: string): AccountSettings {
  const names = accounts.map((account) => `"${account.name}"`).join(', ');
  if (wanted !== undefined) {
    const found = accounts.find((account) => account.name === wanted);
    if (!found) throw new InputError('ERR_INPUT_UNKNOWN', `There is no account named "${wanted}". The file has: ${names}.`, { file });
    return found;
  }
  if (accounts.length === 1) return accounts[0]!;
  throw new InputError('ERR_INPUT_USAGE', `The file has ${accounts.length} accounts (${names}): choose one with --account NAME.`, { file });
}
