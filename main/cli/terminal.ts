/**
 * Everything the CLI does with the terminal and the desktop: stderr messages,
 * the hidden passphrase prompt, reading a redirected URL from stdin, opening
 * the system browser. stdout is reserved for results.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CancelledError, InputError, VaultError } from '../core/errors.js';
import { childEnvironment } from '../core/child-environment.js';
import { terminalSafe } from './safe-text.js';

export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/**
 * One message on stderr. Every message may quote a server or a file (an
 * issuer, a device code, an account name, an error description), so each is
 * stripped of terminal control characters here, in the one place they pass.
 */
export function say(io: Io, line: string): void {
  io.stderr.write(`${terminalSafe(line)}\n`);
}

/** The vault passphrase: TOKENDESK_PASSPHRASE, else a hidden prompt on a terminal. */
export async function readPassphrase(io: Io, prompt: string, signal?: AbortSignal): Promise<string> {
  const fromEnv = io.env.TOKENDESK_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  requireTerminal(io);
  return promptHidden(io, prompt, signal);
}

/**
 * A passphrase being SET (a new vault): TOKENDESK_PASSPHRASE, else asked
 * twice on a terminal, because a typo here would lock the credentials away
 * for good. `check` runs after the first entry, so a weak passphrase is
 * refused before the person types it again; a refusal or a mismatch is an
 * InputError and nothing is created.
 */
export async function chooseNewPassphrase(io: Io, check: (passphrase: string) => string | undefined, signal?: AbortSignal): Promise<string> {
  const fromEnv = io.env.TOKENDESK_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') {
    const problem = check(fromEnv);
    if (problem !== undefined) throw new InputError('ERR_INPUT_FIELD', `TOKENDESK_PASSPHRASE cannot protect a new vault. ${problem} Nothing was created.`);
    return fromEnv;
  }
  requireTerminal(io);
  const first = await promptHidden(io, 'Choose a passphrase for the new vault (four or more words picked at random work well): ', signal);
  const problem = check(first);
  if (problem !== undefined) throw new InputError('ERR_INPUT_FIELD', `${problem} Nothing was created.`);
  const second = await promptHidden(io, 'Type the same passphrase again: ', signal);
  if (second !== first) throw new InputError('ERR_INPUT_FIELD', 'The two passphrases differ; nothing was created.');
  return first;
}

/**
 * A passphrase for something other than the vault (a backup file): from the
 * environment variable `env`, else a hidden prompt on a terminal, asked
 * twice when it is being chosen (`choose`, whose check runs after the first
 * entry). Never from the command line, which other users can read (ps).
 */
export async function readSecondPassphrase(
  io: Io,
  options: { env: string; prompt: string; choose?: { check: (passphrase: string) => string | undefined; refused: string }; signal?: AbortSignal },
): Promise<string> {
  const fromEnv = io.env[options.env];
  const { choose } = options;
  if (fromEnv !== undefined && fromEnv !== '') {
    const problem = choose?.check(fromEnv);
    if (problem !== undefined) throw new InputError('ERR_INPUT_FIELD', `${options.env} cannot be used. ${problem} ${choose!.refused}`);
    return fromEnv;
  }
  if (!io.stdin.isTTY || !io.stdin.setRawMode) {
    throw new InputError('ERR_INPUT_MISSING', `A passphrase for the backup is needed: set ${options.env}, or run the command in a terminal to be asked for it.`);
  }
  const first = await promptHidden(io, options.prompt, options.signal);
  if (!choose) return first;
  const problem = choose.check(first);
  if (problem !== undefined) throw new InputError('ERR_INPUT_FIELD', `${problem} ${choose.refused}`);
  const second = await promptHidden(io, 'Type the same passphrase again: ', options.signal);
  if (second !== first) throw new InputError('ERR_INPUT_FIELD', `The two passphrases differ. ${choose.refused}`);
  return first;
}

function requireTerminal(io: Io): void {
  if (!io.stdin.isTTY || !io.stdin.setRawMode) {
    throw new VaultError(
      'ERR_VAULT_LOCKED',
      'The vault needs its passphrase: set TOKENDESK_PASSPHRASE, or run the command in a terminal to be asked for it.',
    );
  }
}

function promptHidden(io: Io, prompt: string, signal?: AbortSignal): Promise<string> {
  if (signal?.aborted) return Promise.reject(new CancelledError());
  return new Promise((resolve, reject) => {
    const stdin = io.stdin;
    // Echo off before the prompt shows: a quick typist must not see the passphrase on screen.
    stdin.setRawMode!(true);
    stdin.resume();
    io.stderr.write(prompt);
    let entered = '';
    const onAbort = () => finish(new CancelledError());
    const finish = (error?: Error) => {
      stdin.setRawMode!(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      signal?.removeEventListener('abort', onAbort);
      io.stderr.write('\n');
      if (error) reject(error);
      else resolve(entered);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new CancelledError());
        if (char === '\u007f' || char === '\b') entered = entered.slice(0, -1);
        else entered += char;
      }
    };
    stdin.on('data', onData);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Reads one line (the URL the browser was redirected to) from stdin. */
export function readLine(io: Io, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: io.stdin, terminal: false });
    const onAbort = () => {
      lines.close();
      reject(new CancelledError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    lines.once('line', (line) => {
      signal.removeEventListener('abort', onAbort);
      // Settle before closing: close() emits 'close', which would otherwise reject first.
      resolve(line.trim());
      lines.close();
    });
    lines.once('close', () => reject(new InputError('ERR_INPUT_USAGE', 'No redirected URL was given on standard input.')));
  });
}

/** Opens http(s) URLs in the system browser. Anything else is refused. */
export async function openInBrowser(url: string): Promise<void> {
  const protocol = new URL(url).protocol;
  if (protocol !== 'https:' && protocol !== 'http:') throw new InputError('ERR_INPUT_FIELD', `TokenDesk opens only web addresses in the browser, not "${protocol}" links.`);
  const [command, args] =
    process.platform === 'win32' ? ['rundll32', ['url.dll,FileProtocolHandler', url]] : process.platform === 'darwin' ? ['open', [url]] : ['xdg-open', [url]];
  await new Promise<void>((resolve) => {
    // The browser lives on after the CLI: it must not keep TOKENDESK_PASSPHRASE.
    const child = spawn(command, args, { stdio: 'ignore', detached: true, env: childEnvironment(process.env) });
    // No browser available is not fatal: the URL is already printed.
    child.once('error', () => resolve());
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
