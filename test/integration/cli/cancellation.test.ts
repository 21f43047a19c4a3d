/**
 * Issue 9 item 12: Ctrl+C and SIGTERM end long waits. A first signal cancels
 * (exit 130, "Cancelled."), a second Ctrl+C exits at once even when the CLI
 * is stuck where no signal reaches (opening a FIFO that nobody writes to).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { holdLock } from '../../helpers/hold-lock.js';
import { runCli, type CliResult } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const PASSPHRASE = 'velvet cactus orbit tundra';
const dir = useTempDir('tokendesk-cli-cancel-');
const canMakeFifo = process.platform !== 'win32' && spawnSync('mkfifo', ['--version'], { stdio: 'ignore' }).status === 0;

function fifo(name: string): string {
  const path = join(dir.path(), name);
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  return path;
}

/**
 * Resolves once one of the CLI's threads is blocked opening a FIFO (Linux
 * shows it as `wait_for_partner`); elsewhere, after a generous pause.
 */
async function blockedOnFifo(child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const tasks = await readdir(`/proc/${child.pid}/task`).catch(() => undefined);
    if (!tasks) break;
    for (const task of tasks) {
      const wchan = await readFile(`/proc/${child.pid}/task/${task}/wchan`, 'utf8').catch(() => '');
      if (wchan.includes('wait_for_partner') || wchan.includes('fifo')) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 3_000));
}

interface Timed extends CliResult {
  /** ms from the first signal to the exit. */
  afterSignalMs: number;
}

function runAndSignal(args: string[], signals: NodeJS.Signals[], ready: (child: ChildProcess) => Promise<void>): Promise<Timed> {
  let signalledAt = 0;
  return runCli(args, {
    env: { TOKENDESK_PASSPHRASE: PASSPHRASE },
    timeoutMs: 10_000,
    onSpawn: (child) => {
      child.stdin!.end();
      void ready(child).then(async () => {
        signalledAt = Date.now();
        for (const [index, signal] of signals.entries()) {
          if (index > 0) await new Promise((resolve) => setTimeout(resolve, 200));
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        }
      });
    },
  }).then((result) => ({ ...result, afterSignalMs: Date.now() - signalledAt }));
}

describe.skipIf(!canMakeFifo)('cancelling a CLI stuck on a FIFO', () => {
  it('Ctrl+C twice against `tokendesk import FIFO` exits 130 promptly and creates nothing', async () => {
    const vault = join(dir.path(), 'vault-int');
    const result = await runAndSignal(['import', fifo('int.toml'), '--vault', vault], ['SIGINT', 'SIGINT'], blockedOnFifo);
    expect(result.signal, result.stderr).toBeNull();
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toMatch(/Cancelled[. ]/);
    expect(result.afterSignalMs).toBeLessThan(2_000);
    expect(await readdir(vault).catch(() => [])).toEqual([]);
  });

  it('one SIGTERM against `tokendesk import FIFO` is enough: exit 130, "Cancelled."', async () => {
    const result = await runAndSignal(['import', fifo('term.toml'), '--vault', join(dir.path(), 'vault-term')], ['SIGTERM'], blockedOnFifo);
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toBe('tokendesk: Cancelled.\n');
    expect(result.afterSignalMs).toBeLessThan(2_000);
  });

  it('one Ctrl+C against `tokendesk token --from FIFO` exits 130', async () => {
    const result = await runAndSignal(['token', '--from', fifo('from.toml')], ['SIGINT'], blockedOnFifo);
    expect(result.code, result.stderr).toBe(130);
    expect(result.stdout).toBe('');
    expect(result.afterSignalMs).toBeLessThan(2_000);
  });
});

/**
 * Needs the session to pass its signal down to the vault lock wait
 * (AppSessionOptions.signal and VaultOptions.signal): without them the CLI
 * waits out the 60 s lock timeout.
 */
describe('cancelling a CLI that waits for the vault lock', () => {
  const vault = (): string => join(dir.path(), 'vault-locked');
  beforeAll(async () => {
    const file = await dir.write('two.toml', '[accounts.first]\ngrant = "static"\naccess_token = "t1"\n\n[accounts.second]\ngrant = "static"\naccess_token = "t2"\n');
    const imported = await runCli(['import', file, '--vault', vault()], { env: { TOKENDESK_PASSPHRASE: PASSPHRASE } });
    expect(imported.code, imported.stderr).toBe(0);
  });

  it('SIGTERM while another process holds the lock exits 130 within about a second, and changes nothing', async () => {
    // This test process holds the writers' lock, as the desktop app would in the middle of a save.
    const lock = await holdLock(join(vault(), 'vault.json.lock'));
    try {
      // Start-up and the scrypt unwrap take well under 3 s; then `remove` waits for the lock.
      const result = await runAndSignal(['remove', 'first', '--vault', vault()], ['SIGTERM'], () => new Promise((resolve) => setTimeout(resolve, 3_000)));
      expect(result.code, result.stderr).toBe(130);
      expect(result.stderr).toMatch(/Cancelled[. ]/);
      expect(result.afterSignalMs).toBeLessThan(1_500);
    } finally {
      await lock.release();
    }
    const listed = await runCli(['list', '--json', '--vault', vault()], { env: { TOKENDESK_PASSPHRASE: PASSPHRASE } });
    expect(JSON.parse(listed.stdout).map((row: { name: string }) => row.name)).toEqual(['first', 'second']);
  });

  it('a second Ctrl+C exits 130 at once, whatever the first is still waiting for', async () => {
    const lock = await holdLock(join(vault(), 'vault.json.lock'));
    try {
      const result = await runAndSignal(['remove', 'second', '--vault', vault()], ['SIGINT', 'SIGINT'], () => new Promise((resolve) => setTimeout(resolve, 3_000)));
      expect(result.signal, result.stderr).toBeNull();
      expect(result.code, result.stderr).toBe(130);
      expect(result.stderr).toMatch(/Cancelled[. ]/);
      expect(result.afterSignalMs).toBeLessThan(1_500);
    } finally {
      await lock.release();
    }
  });
});
