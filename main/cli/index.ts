/**
 * The `tokendesk` command line (SPEC 6). stdout carries only the result;
 * everything else goes to stderr. Exit codes: 0 ok, 2 bad input or usage,
 * 3 the authorization server refused, 4 network/TLS/timeout/protocol,
 * 5 vault, 130 cancelled. Expected failures print one message, no stack.
 */
import { randomBytes } from 'node:crypto';
import { CancelledError, exitCodeFor, InputError, isTokenDeskError } from '../core/errors.js';
import { systemClock, type CorePorts } from '../core/ports.js';
import { parseArgs, stringFlag, usageError } from './args.js';
import { untilCancelled } from './cancel.js';
import type { CliContext } from './context.js';
import { defaultDataDir } from './data-dir.js';
import { releaseBlockedReads } from './input-file.js';
import { agentCommand, parseLockAfter } from './commands/agent.js';
import { decodeToken } from './commands/decode.js';
import { tokenFromFile } from './commands/token-from-file.js';
import { importCommand, listCommand, removeCommand, revokeCommand, tokenCommand } from './commands/vault-commands.js';
import { TOKEN_FORMATS, type TokenFormat } from './output.js';
import { terminalSafeJson } from './safe-text.js';
import { processIo, say, type Io } from './terminal.js';

export const USAGE = `Usage:
  tokendesk token --from FILE [--account NAME] [--format raw|json|header] [--no-browser]
  tokendesk import FILE [--vault DIR]
  tokendesk list [--json] [--vault DIR]
  tokendesk token NAME [--force] [--format raw|json|header] [--no-browser] [--vault DIR]
  tokendesk revoke NAME [--vault DIR]
  tokendesk remove NAME [--vault DIR]
  tokendesk decode < FILE             (or: ... | tokendesk decode; a TOKEN argument works too, but ps shows it)

The vault passphrase comes from TOKENDESK_PASSPHRASE or a prompt on a terminal;
a new vault's passphrase is asked twice and must be hard to guess.
--vault defaults to the desktop app's data folder. Ctrl+C cancels (exit 130).`;

const vaultFlag = { vault: { value: true }, 'no-agent': { value: false } } as const;

export interface MainOptions {
  io?: Io;
  ports?: Partial<CorePorts>;
  /** Install SIGINT/SIGTERM handlers (the real binary does; tests that call main() in-process do not). */
  handleSignals?: boolean;
}

/** After a first Ctrl+C, how long until the CLI says that a second one quits at once. */
const STILL_STOPPING_HINT_MS = 1_000;

export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIo();
  const controller = new AbortController();
  let hint: NodeJS.Timeout | undefined;
  // The first Ctrl+C or SIGTERM cancels: lock waits, requests, prompts and
  // file reads stop, the history says so, the lock is released, exit 130.
  // A second one exits at once, even if something is stuck.
  const onSignal = () => {
    if (!controller.signal.aborted) {
      controller.abort();
      hint = setTimeout(() => say(io, 'Stopping... press Ctrl+C again to quit at once.'), STILL_STOPPING_HINT_MS);
      hint.unref();
      return;
    }
    say(io, 'tokendesk: Cancelled.');
    // A read still blocked in the OS would make exit() wait for its thread.
    releaseBlockedReads();
    process.exit(exitCodeFor(new CancelledError()));
  };
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const cli: CliContext = {
    io,
    signal: controller.signal,
    ports: {
      fetch: (input, init) => fetch(input, init),
      clock: systemClock,
      randomBytes: (length) => new Uint8Array(randomBytes(length)),
      ...options.ports,
    },
  };
  try {
    Object.assign(cli, timeoutFromEnv(io.env));
    await run(cli, argv);
    return 0;
  } catch (error) {
    const failure = controller.signal.aborted && !isTokenDeskError(error) ? new CancelledError() : error;
    reportError(io, failure);
    return exitCodeFor(failure);
  } finally {
    clearTimeout(hint);
    if (handleSignals) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  }
}

async function run(cli: CliContext, argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      cli.io.stdout.write(`${USAGE}\n`);
      return;
    case 'token':
      return runToken(cli, rest);
    case 'import': {
      const args = parseArgs(rest, vaultFlag, USAGE);
      return importCommand(cli, dataDirOf(args, cli), single(args.positionals, 'import needs one FILE'), { noAgent: args.flags.has('no-agent') });
    }
    case 'list': {
      const args = parseArgs(rest, { ...vaultFlag, json: { value: false } }, USAGE);
      if (args.positionals.length) throw usageError('list takes no arguments.', USAGE);
      return listCommand(cli, dataDirOf(args, cli), { json: args.flags.has('json'), noAgent: args.flags.has('no-agent') });
    }
    case 'revoke':
    case 'remove': {
      const args = parseArgs(rest, vaultFlag, USAGE);
      const name = single(args.positionals, `${command} needs one account NAME`);
      const options = { noAgent: args.flags.has('no-agent') };
      return command === 'revoke' ? revokeCommand(cli, dataDirOf(args, cli), name, options) : removeCommand(cli, dataDirOf(args, cli), name, options);
    }
    case 'agent': {
      const args = parseArgs(rest, { vault: { value: true }, 'lock-after': { value: true } }, USAGE);
      if (args.positionals.length) throw usageError('agent takes no arguments.', USAGE);
      const lockAfterMinutes = parseLockAfter(stringFlag(args, 'lock-after'));
      if (lockAfterMinutes === undefined) throw usageError('--lock-after takes minutes: a number from 0 (never lock) to 10080, such as 15 or 0.5.', USAGE);
      return agentCommand(cli, dataDirOf(args, cli), { lockAfterMinutes });
    }
    case 'decode': {
      const args = parseArgs(rest, {}, USAGE);
      if (args.positionals.length > 1) throw usageError('decode takes at most one TOKEN.', USAGE);
      const given = args.positionals[0];
      // Still accepted (scripts use it), but argv is public on this computer.
      if (given !== undefined) say(cli.io, 'Warning: a token given as an argument can be seen by other programs on this computer (ps); pipe it instead: ... | tokendesk decode');
      const token = given ?? (await untilCancelled(readAll(cli.io.stdin), cli.signal));
      cli.io.stdout.write(`${terminalSafeJson(decodeToken(token, cli.ports.clock.now()))}\n`);
      return;
    }
    default:
      throw usageError(`Unknown command "${command}".`, USAGE);
  }
}

async function runToken(cli: CliContext, rest: string[]): Promise<void> {
  const args = parseArgs(
    rest,
    {
      ...vaultFlag,
      from: { value: true },
      account: { value: true },
      format: { value: true, choices: TOKEN_FORMATS },
      force: { value: false },
      'no-browser': { value: false },
    },
    USAGE,
  );
  const format = (stringFlag(args, 'format') ?? 'raw') as TokenFormat;
  const openBrowser = !args.flags.has('no-browser');
  const from = stringFlag(args, 'from');
  if (from !== undefined) {
    if (args.positionals.length) throw usageError('token --from FILE takes no account NAME; use --account NAME.', USAGE);
    if (args.flags.has('vault') || args.flags.has('force')) throw usageError('--vault and --force do not apply to token --from (it uses no vault).', USAGE);
    return tokenFromFile(cli, { file: from, account: stringFlag(args, 'account'), format, openBrowser });
  }
  if (args.flags.has('account')) throw usageError('--account goes with --from FILE; for the vault, give the account NAME.', USAGE);
  const name = single(args.positionals, 'token needs an account NAME, or --from FILE');
  return tokenCommand(cli, dataDirOf(args, cli), { name, force: args.flags.has('force'), format, openBrowser });
}

/** TOKENDESK_TIMEOUT_MS: for slow corporate proxies (longer) or scripts that must fail fast (shorter). */
function timeoutFromEnv(env: NodeJS.ProcessEnv): { timeoutMs?: number } {
  const raw = env.TOKENDESK_TIMEOUT_MS;
  if (raw === undefined || raw === '') return {};
  const timeoutMs = Number(raw);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 600_000) {
    throw new InputError('ERR_INPUT_USAGE', `TOKENDESK_TIMEOUT_MS must be a whole number of milliseconds between 100 and 600000, not "${raw}".`);
  }
  return { timeoutMs };
}

function dataDirOf(args: ReturnType<typeof parseArgs>, cli: CliContext): string {
  return stringFlag(args, 'vault') ?? defaultDataDir(cli.io.env);
}

function single(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw usageError(`${what}.`, USAGE);
  return positionals[0]!;
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.once('end', () => resolve(text));
    stream.once('error', reject);
  });
}

function reportError(io: Io, error: unknown): void {
  if (isTokenDeskError(error)) {
    say(io, `tokendesk: ${error.message}`);
    return;
  }
  // Unexpected failures: a one-line hint, the detail only on request (it may quote anything).
  say(io, 'tokendesk: an unexpected error happened. Run with TOKENDESK_DEBUG=1 to see the details.');
  if (io.env.TOKENDESK_DEBUG === '1') say(io, error instanceof Error ? (error.stack ?? error.message) : String(error));
}
