/**
 * The `tokendesk` command line (SPEC 6). stdout carries only the result;
 * everything else goes to stderr. Exit codes: 0 ok, 2 bad input or usage,
 * 3 the authorization server refused, 4 network/TLS/timeout/protocol,
 * 5 vault, 6 an API answered `request` with a non-2xx status, 130
 * cancelled; `run` returns its COMMAND's code. Expected failures print one
 * message, no stack.
 */
import { randomBytes } from 'node:crypto';
import { CancelledError, exitCodeFor, InputError, isTokenDeskError } from '../core/errors.js';
import { perIdentity } from '../core/net/identity-cache.js';
import { createNodeFetch } from '../core/net/node-fetch.js';
import { systemClock, type CorePorts } from '../core/ports.js';
import { listFlag, parseArgs, stringFlag, usageError, wholeNumberFlag, type ParsedArgs } from './args.js';
import { untilCancelled } from './cancel.js';
import type { CliContext } from './context.js';
import { defaultDataDir } from './data-dir.js';
import { readStreamBytes, releaseBlockedReads } from './input-file.js';
import { agentFirstTokenSource, asksAgentFirst } from './agent-routing.js';
import { agentCommand, parseLockAfter } from './commands/agent.js';
import { backupCommand, restoreCommand } from './commands/backup.js';
import { decodeToken } from './commands/decode.js';
import { requestCommand } from './commands/request.js';
import { checkVariableName, DEFAULT_TOKEN_VARIABLE, runCommand } from './commands/run.js';
import { tokenFromFile } from './commands/token-from-file.js';
import { importCommand, listCommand, removeCommand, revokeCommand, tokenCommand } from './commands/vault-commands.js';
import { TOKEN_FORMATS, type TokenFormat } from './output.js';
import { terminalSafeJson } from './safe-text.js';
import { openDirectTokenSource } from './direct-token-source.js';
import { processIo, say, type Io } from './terminal.js';
import type { TokenSource } from './token-source.js';

export const USAGE = `Usage:
  tokendesk token --from FILE [--account NAME] [--format raw|json|header|env] [--no-browser]
  tokendesk import FILE [--vault DIR]
  tokendesk list [--json] [--vault DIR]
  tokendesk token NAME [--force] [--min-validity SECONDS] [--format raw|json|header|env] [--no-browser] [--vault DIR]
  tokendesk run NAME [--env VAR] [--min-validity SECONDS] [--force] [--no-browser] [--vault DIR] -- COMMAND [ARGS...]
  tokendesk request NAME URL [-X METHOD] [-H 'Name: value']... [-d DATA | --data-file FILE] [--min-validity SECONDS] [--no-browser] [--vault DIR]
  tokendesk revoke NAME [--vault DIR]
  tokendesk remove NAME [--vault DIR]
  tokendesk backup FILE [--vault DIR]
  tokendesk restore FILE [--vault DIR] [--replace]
  tokendesk decode < FILE             (or: ... | tokendesk decode; a TOKEN argument works too, but ps shows it)
  tokendesk agent [--vault DIR] [--lock-after MINUTES]

token NAME hands out the cached token while at least --min-validity seconds
(default 30) of it remain, else gets a new one. --format env prints
TOKENDESK_ACCESS_TOKEN=... and TOKENDESK_EXPIRES_AT=... lines (eval, .env).
run starts COMMAND (no shell) with the token in VAR (default
TOKENDESK_ACCESS_TOKEN), never in its arguments, and exits with its code.
request sends one request (https or this computer only, redirects not
followed), prints the body on stdout and the status on stderr, and retries
once with a new token when the API says invalid_token; exit 6 when the
status is not 2xx. --data-file - reads the data from stdin.

agent unlocks the vault once and serves tokens to these commands until
Ctrl+C, SIGTERM or --lock-after idle minutes (default 15, 0 never).
Without TOKENDESK_PASSPHRASE, token, run, request and list ask the unlocked
desktop app or a running agent; import, remove and revoke always go through
one when it runs. --no-agent (any vault command) opens the vault directly.

backup writes every account, secrets included, to FILE (never over an
existing file), encrypted under a passphrase chosen for the backup: from
TOKENDESK_BACKUP_PASSPHRASE or asked twice, and as hard to guess as a vault's.
restore lists what a backup holds, then adds its accounts (creating the vault
if there is none); accounts whose name the vault has are skipped unless
--replace. Both open the vault with its passphrase, never through an agent.

The vault passphrase comes from TOKENDESK_PASSPHRASE or a prompt on a terminal;
a new vault's passphrase is asked twice and must be hard to guess.
--vault defaults to the desktop app's data folder. Ctrl+C cancels (exit 130).`;

/** --min-validity: up to a day; a longer wish cannot be met by any token the seed providers issue. */
const MIN_VALIDITY = { min: 0, max: 86_400, fallback: 30, unit: 'seconds' } as const;

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
  // While `run` waits for its COMMAND, signals are the COMMAND's (forwarded), not a cancellation.
  let diverted: ((signal: NodeJS.Signals) => void) | undefined;
  // The first Ctrl+C or SIGTERM cancels: lock waits, requests, prompts and
  // file reads stop, the history says so, the lock is released, exit 130.
  // A second one exits at once, even if something is stuck.
  const onSignal = (signal: NodeJS.Signals) => {
    if (diverted) {
      diverted(signal);
      return;
    }
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
      // Node's TLS through undici: HTTPS_PROXY / NO_PROXY as curl reads them, the system store where Node has it.
      fetch: createNodeFetch({ env: io.env }),
      fetchWithClientCertificate: perIdentity((clientCertificate) => createNodeFetch({ env: io.env, clientCertificate })),
      clock: systemClock,
      randomBytes: (length) => new Uint8Array(randomBytes(length)),
      ...options.ports,
    },
  };
  if (handleSignals) {
    // SIGHUP and SIGQUIT keep their default action (the CLI ends) except while a COMMAND runs.
    const alsoForwarded: NodeJS.Signals[] = process.platform === 'win32' ? [] : ['SIGHUP', 'SIGQUIT'];
    cli.forwardSignals = (handler) => {
      diverted = handler;
      for (const signal of alsoForwarded) process.on(signal, onSignal);
      return () => {
        diverted = undefined;
        for (const signal of alsoForwarded) process.removeListener(signal, onSignal);
      };
    };
  }
  try {
    Object.assign(cli, timeoutFromEnv(io.env));
    return (await run(cli, argv)) ?? 0;
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

/** Runs one command; a number is the exit code it chose (`run`: its COMMAND's), nothing means success. */
async function run(cli: CliContext, argv: string[]): Promise<number | void> {
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
    case 'run':
      return runRun(cli, rest);
    case 'request':
      return runRequest(cli, rest);
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
    case 'backup': {
      const args = parseArgs(rest, { vault: { value: true } }, USAGE);
      return backupCommand(cli, dataDirOf(args, cli), single(args.positionals, 'backup needs one FILE to write'));
    }
    case 'restore': {
      const args = parseArgs(rest, { vault: { value: true }, replace: { value: false } }, USAGE);
      return restoreCommand(cli, dataDirOf(args, cli), single(args.positionals, 'restore needs one backup FILE'), { replace: args.flags.has('replace') });
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
      const token = given ?? (await untilCancelled(readStreamBytes(cli.io.stdin), cli.signal)).toString('utf8');
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
      'min-validity': { value: true },
      'no-browser': { value: false },
    },
    USAGE,
  );
  const format = (stringFlag(args, 'format') ?? 'raw') as TokenFormat;
  const openBrowser = !args.flags.has('no-browser');
  const from = stringFlag(args, 'from');
  if (from !== undefined) {
    if (args.positionals.length) throw usageError('token --from FILE takes no account NAME; use --account NAME.', USAGE);
    if (args.flags.has('vault') || args.flags.has('force') || args.flags.has('min-validity')) {
      throw usageError('--vault, --force and --min-validity do not apply to token --from (it uses no vault and keeps no token).', USAGE);
    }
    return tokenFromFile(cli, { file: from, account: stringFlag(args, 'account'), format, openBrowser });
  }
  if (args.flags.has('account')) throw usageError('--account goes with --from FILE; for the vault, give the account NAME.', USAGE);
  const name = single(args.positionals, 'token needs an account NAME, or --from FILE');
  const minValiditySeconds = wholeNumberFlag(args, 'min-validity', MIN_VALIDITY, USAGE);
  return withTokenSource(cli, args, (source) => tokenCommand(cli, source, { name, force: args.flags.has('force'), minValiditySeconds, format, openBrowser }));
}

async function runRun(cli: CliContext, rest: string[]): Promise<number> {
  // Everything after the first -- is COMMAND's, untouched (its own options included).
  const separator = rest.indexOf('--');
  if (separator < 0) throw usageError('run needs -- before the COMMAND: tokendesk run NAME -- COMMAND [ARGS...]', USAGE);
  const [command, ...commandArgs] = rest.slice(separator + 1);
  if (command === undefined || command === '') throw usageError('run needs a COMMAND after --.', USAGE);
  const args = parseArgs(
    rest.slice(0, separator),
    { ...vaultFlag, env: { value: true }, force: { value: false }, 'min-validity': { value: true }, 'no-browser': { value: false } },
    USAGE,
  );
  const name = single(args.positionals, 'run needs one account NAME before --');
  const variable = checkVariableName(stringFlag(args, 'env') ?? DEFAULT_TOKEN_VARIABLE);
  const minValiditySeconds = wholeNumberFlag(args, 'min-validity', MIN_VALIDITY, USAGE);
  return withTokenSource(cli, args, (source) =>
    runCommand(cli, source, { name, variable, force: args.flags.has('force'), minValiditySeconds, openBrowser: !args.flags.has('no-browser'), command, args: commandArgs }),
  );
}

async function runRequest(cli: CliContext, rest: string[]): Promise<void> {
  const args = parseArgs(
    rest,
    {
      ...vaultFlag,
      method: { value: true, short: 'X' },
      header: { value: true, short: 'H', repeatable: true },
      data: { value: true, short: 'd' },
      'data-file': { value: true },
      'min-validity': { value: true },
      'no-browser': { value: false },
    },
    USAGE,
  );
  if (args.positionals.length !== 2) throw usageError('request needs an account NAME and a URL.', USAGE);
  const [name, url] = args.positionals as [string, string];
  const data = stringFlag(args, 'data');
  const dataFile = stringFlag(args, 'data-file');
  if (data !== undefined && dataFile !== undefined) throw usageError('Give the data either with -d DATA or with --data-file FILE, not both.', USAGE);
  if (data?.startsWith('@')) say(cli.io, 'Note: -d sends its text as it is, "@" included; to send a file, use --data-file FILE.');
  const minValiditySeconds = wholeNumberFlag(args, 'min-validity', MIN_VALIDITY, USAGE);
  const method = stringFlag(args, 'method');
  return withTokenSource(cli, args, (source) =>
    requestCommand(cli, source, {
      name,
      url,
      ...(method !== undefined ? { method } : {}),
      headers: listFlag(args, 'header'),
      ...(data !== undefined ? { data } : {}),
      ...(dataFile !== undefined ? { dataFile } : {}),
      minValiditySeconds,
      openBrowser: !args.flags.has('no-browser'),
    }),
  );
}

/** Where the commands of this invocation get tokens. */
/** A running agent first (without TOKENDESK_PASSPHRASE, unless --no-agent), else the vault opened here (agent-routing.ts). */
function tokenSourceFor(cli: CliContext, dataDir: string, args: ParsedArgs): TokenSource {
  const direct = (): TokenSource => openDirectTokenSource(cli, dataDir);
  return asksAgentFirst(cli, 'read', args.flags.has('no-agent')) ? agentFirstTokenSource(cli, dataDir, direct) : direct();
}

async function withTokenSource<T>(cli: CliContext, args: ParsedArgs, use: (source: TokenSource) => Promise<T>): Promise<T> {
  const source = tokenSourceFor(cli, dataDirOf(args, cli), args);
  try {
    return await use(source);
  } finally {
    source.close();
  }
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

function dataDirOf(args: ParsedArgs, cli: CliContext): string {
  return stringFlag(args, 'vault') ?? defaultDataDir(cli.io.env);
}

function single(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw usageError(`${what}.`, USAGE);
  return positionals[0]!;
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
