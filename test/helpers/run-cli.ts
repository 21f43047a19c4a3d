/**
 * Runs the built `tokendesk` binary as a separate process, the way scripts do.
 * `npm test` builds dist/ before vitest; a missing build fails loudly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../../bin/tokendesk.cjs', import.meta.url));
const BUILT_ENTRY = fileURLToPath(new URL('../../dist/main/cli/index.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** Called with the child once it runs (to read stderr live, send signals...). */
  onSpawn?(child: ChildProcess): void;
}

export function assertBuilt(): void {
  if (!existsSync(BUILT_ENTRY)) throw new Error(`${BUILT_ENTRY} is missing: run "npm run build:main" before these tests (npm test does).`);
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tokendesk ${args.join(' ')} did not finish in ${options.timeoutMs ?? 30_000} ms.\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else if (!options.onSpawn) child.stdin.end();
    options.onSpawn?.(child);
  });
}

/** Resolves with the first stderr text matching `pattern`. */
export function waitForStderr(child: ChildProcess, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`stderr never matched ${pattern}: ${seen}`)), timeoutMs);
    child.stderr!.on('data', (chunk: Buffer | string) => {
      seen += chunk.toString();
      const match = seen.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
}
