/**
 * Everything the CLI does with the terminal and the desktop: stderr messages,
 * the hidden passphrase prompt, reading a redirected URL from stdin, opening
 * the system browser. stdout is reserved for results.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CancelledError, InputError, VaultError } from '../core/errors.js';

export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

export function say(io: Io, line: string): void {
  io.stderr.write(`${line}\n`);
}

/** The vault passphrase: TOKENDESK_PASSPHRASE, else a hidden prompt on a terminal. */
export async function readPassphrase(io: Io, prompt: string): Promise<string> {
  const fromEnv = io.env.TOKENDESK_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!io.stdin.isTTY || !io.stdin.setRawMode) {
    throw new VaultError(
      'ERR_VAULT_LOCKED',
      'The vault needs its passphrase: set TOKENDESK_PASSPHRASE, or run the command in a terminal to be asked for it.',
    );
  }
  return promptHidden(io, prompt);
}

function promptHidden(io: Io, prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = io.stdin;
    // Echo off before the prompt shows: a quick typist must not see the passphrase on screen.
    stdin.setRawMode!(true);
    stdin.resume();
    io.stderr.write(prompt);
    let entered = '';
    const finish = (error?: Error) => {
      stdin.setRawMode!(false);
      stdin.pause();
      stdin.removeListener('data', onData);
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
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    // No browser available is not fatal: the URL is already printed.
    child.once('error', () => resolve());
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
