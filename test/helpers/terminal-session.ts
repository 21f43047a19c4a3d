/**
 * The CLI on a real terminal: `script` (util-linux) gives it a
 * pseudo-terminal, and the test types at each prompt as a person would.
 */
import { spawn, spawnSync } from 'node:child_process';
import { CLI_PATH } from './run-cli.js';

/** Whether util-linux `script` is installed (the terminal tests skip without it). */
export const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

export interface TerminalStep {
  /** Text the CLI shows before it waits for the answer. */
  prompt: string;
  answer: string;
}

/**
 * Runs `tokendesk ARGS` on a pseudo-terminal and types each answer once its
 * prompt shows, in order. `screen` is everything the terminal showed; the
 * session is killed (and the promise rejects) after `timeoutMs`.
 */
export function onTerminal(args: string[], steps: readonly TerminalStep[], timeoutMs = 20_000): Promise<{ code: number | null; screen: string }> {
  const pending = [...steps];
  const command = [process.execPath, CLI_PATH, ...args].map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'dumb' } });
    let screen = '';
    let seen = 0; // how much of the screen earlier prompts used up
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no answer from the terminal session: ${screen}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      screen += chunk;
      const next = pending[0];
      const at = next ? screen.indexOf(next.prompt, seen) : -1;
      if (next && at !== -1) {
        pending.shift();
        seen = at + next.prompt.length;
        child.stdin.write(`${next.answer}\r`);
      }
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}
