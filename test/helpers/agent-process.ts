/**
 * Starts `tokendesk agent` as a separate process, the way a server or a CI
 * runner does, and waits until it says it is serving.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI_PATH, assertBuilt } from './run-cli.js';

export interface AgentProcess {
  child: ChildProcess;
  /** Everything the agent wrote on stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startAgentProcess(args: string[], env: Record<string, string | undefined>, readyTimeoutMs = 20_000): Promise<AgentProcess> {
  assertBuilt();
  const child = spawn(process.execPath, [CLI_PATH, 'agent', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the agent did not start within ${readyTimeoutMs} ms: ${stderr}`)), readyTimeoutMs);
    const check = (): void => {
      if (stderr.includes('TokenDesk agent serving')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      if (!stderr.includes('TokenDesk agent serving')) reject(new Error(`the agent exited before serving: ${stderr}`));
    });
  });
  return {
    child,
    stderr: () => stderr,
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
