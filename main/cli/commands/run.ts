/**
 * `tokendesk run NAME [--env VAR] -- COMMAND [ARGS...]`: COMMAND with the
 * access token in one environment variable, so it never appears in argv
 * (which `ps` shows every user) nor in a shell's history (aws-vault exec,
 * 1Password's `op run`). The standard streams are COMMAND's own, signals
 * reach it, and its exit status is the CLI's.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { childEnvironment } from '../../core/child-environment.js';
import { InputError } from '../../core/errors.js';
import { throwIfCancelled } from '../cancel.js';
import type { CliContext } from '../context.js';
import { say } from '../terminal.js';
import type { TokenSource } from '../token-source.js';

export const DEFAULT_TOKEN_VARIABLE = 'TOKENDESK_ACCESS_TOKEN';

/** A name every shell and `env` accept (POSIX: letters, digits, underscore, not starting with a digit). */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Exit codes of a POSIX shell when a command cannot run (XCU 2.8.2). */
const NOT_FOUND = 127;
const NOT_EXECUTABLE = 126;

export interface RunOptions {
  name: string;
  /** The variable that holds the token (default TOKENDESK_ACCESS_TOKEN). */
  variable: string;
  force: boolean;
  minValiditySeconds: number;
  openBrowser: boolean;
  command: string;
  args: string[];
}

export function checkVariableName(variable: string): string {
  if (!VARIABLE_NAME.test(variable)) {
    throw new InputError('ERR_INPUT_USAGE', `--env needs a variable name made of letters, digits and _ that does not start with a digit, not "${variable}".`);
  }
  return variable;
}

/** Runs COMMAND and resolves with the exit code the CLI returns: COMMAND's own, 128 + N after signal N, 126 or 127 when it cannot start. */
export async function runCommand(cli: CliContext, source: TokenSource, options: RunOptions): Promise<number> {
  checkVariableName(options.variable);
  const token = await source.getToken({ name: options.name, force: options.force, minValiditySeconds: options.minValiditySeconds, openBrowser: options.openBrowser });
  // COMMAND may run for hours: the vault's key is forgotten now, not when it ends.
  source.close();
  throwIfCancelled(cli.signal);
  // No TOKENDESK_* setting (the passphrase!) goes to COMMAND; then the one variable it is given.
  const env = { ...childEnvironment(cli.io.env), [options.variable]: token.accessToken };
  return runChild(cli, options.command, options.args, env);
}

function runChild(cli: CliContext, command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (code: number) => {
      if (settled) return;
      settled = true;
      stopForwarding?.();
      resolve(code);
    };
    // No shell: COMMAND and ARGS reach exec as they are (PATH is searched as execvp does, with COMMAND's PATH).
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { stdio: 'inherit', env });
    } catch {
      // Node refuses before exec: an empty COMMAND, a NUL byte in an argument.
      throw new InputError('ERR_INPUT_USAGE', 'The COMMAND or one of its arguments cannot be passed to a program (empty, or it contains a NUL character).');
    }
    // From here a Ctrl+C or SIGTERM is COMMAND's to handle; the CLI waits for it to exit.
    const stopForwarding = cli.forwardSignals?.((signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // it runs: a failed kill() (it just exited), nothing to report
      say(cli.io, `tokendesk: ${command}: ${cannotRun(error.code)}`);
      finish(error.code === 'ENOENT' ? NOT_FOUND : NOT_EXECUTABLE);
    });
    child.once('exit', (code, signal) => {
      finish(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}

function cannotRun(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
      return 'command not found (check the name and PATH).';
    case 'EACCES':
      return 'permission denied: it is not an executable file.';
    default:
      return `it could not be started${code ? ` (${code})` : ''}.`;
  }
}
