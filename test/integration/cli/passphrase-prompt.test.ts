/**
 * The passphrase prompt on a real terminal: `script` (util-linux) gives the
 * CLI a pseudo-terminal, and the test types at the prompt as a person would.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, runCli } from '../../helpers/run-cli.js';

const PASSPHRASE = 'typed at the prompt 42';
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-pty-'));
  const imported = await runCli(['import', fileURLToPath(new URL('../../fixtures/import/myfox.toml', import.meta.url)), '--vault', dir], { env: { TOKENDESK_PASSPHRASE: PASSPHRASE } });
  expect(imported.code, imported.stderr).toBe(0);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Runs `tokendesk ARGS` on a pseudo-terminal and types `answer` once the prompt shows. */
function onTerminal(args: string[], answer: string): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, CLI_PATH, ...args].map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'dumb' } });
    let screen = '';
    let answered = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no answer from the terminal session: ${screen}`));
    }, 20_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      screen += chunk;
      if (!answered && screen.includes('Vault passphrase:')) {
        answered = true;
        child.stdin.write(`${answer}\r`);
      }
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

describe.skipIf(!hasScript)('the passphrase prompt on a terminal', () => {
  it('asks for the passphrase without echoing it, then runs the command', async () => {
    const { code, screen } = await onTerminal(['list', '--vault', dir], PASSPHRASE);
    expect(code).toBe(0);
    expect(screen).toContain('Vault passphrase:');
    expect(screen).toContain('Myfox home');
    expect(screen).not.toContain(PASSPHRASE);
  });

  it('refuses a wrong passphrase with exit code 5', async () => {
    const { code, screen } = await onTerminal(['list', '--vault', dir], 'not the passphrase');
    expect(code).toBe(5);
    expect(screen).toContain('passphrase');
    expect(screen).not.toContain('not the passphrase');
  });
});
