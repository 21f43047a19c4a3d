import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError, VaultError } from '../../../main/core/errors.js';
import { isProcessAlive, withFileLock } from '../../../main/core/vault/lock.js';
import { compiledVaultProblem } from '../../fixtures/vault/dist-check.js';
import { holdLockInChild } from '../../fixtures/vault/lock-holder.js';

let dir: string;
let lockPath: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-lock-'));
  lockPath = join(dir, 'vault.json.lock');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

const lockBody = (pid: number, host = hostname()) => JSON.stringify({ pid, host, token: 'someone-else', at: Date.now() });

describe('cross-process file lock', () => {
  it('holds the lock file while running and removes it afterwards', async () => {
    const seen = await withFileLock(lockPath, async () => JSON.parse(await readFile(lockPath, 'utf8')) as { pid: number });
    expect(seen.pid).toBe(process.pid);
    await expect(readFile(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('serialises concurrent holders in one process', async () => {
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withFileLock(lockPath, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 5));
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
  });

  it('takes over a lock left by a process that died', async () => {
    const pid = await deadPid();
    expect(isProcessAlive(pid)).toBe(false);
    await writeFile(lockPath, lockBody(pid));
    const started = Date.now();
    await expect(withFileLock(lockPath, () => 'got it', { timeoutMs: 5_000 })).resolves.toBe('got it');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('fails with ERR_VAULT_BUSY after the timeout while a live process holds the lock', async () => {
    await writeFile(lockPath, lockBody(process.pid)); // alive: this very process, another token
    const started = Date.now();
    const error = await withFileLock(lockPath, () => 'never', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe('ERR_VAULT_BUSY');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(3_000);
    // Not ours: left in place.
    expect(JSON.parse(await readFile(lockPath, 'utf8')).token).toBe('someone-else');
  });

  it('takes over a lock nobody has touched for longer than staleMs (pid reused, or another host)', async () => {
    await writeFile(lockPath, lockBody(process.pid, 'another-host'));
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath, old, old);
    await expect(withFileLock(lockPath, () => 'ok', { timeoutMs: 2_000, staleMs: 30_000 })).resolves.toBe('ok');
  });

  it('keeps a long-held lock fresh so waiters do not steal it', async () => {
    let secondRanWhileFirstHeld = false;
    let firstHolding = false;
    const first = withFileLock(
      lockPath,
      async () => {
        firstHolding = true;
        await new Promise((r) => setTimeout(r, 700));
        firstHolding = false;
      },
      { staleMs: 300 },
    );
    await new Promise((r) => setTimeout(r, 50));
    const second = withFileLock(lockPath, () => {
      secondRanWhileFirstHeld = firstHolding;
    }, { staleMs: 300, timeoutMs: 5_000 });
    await Promise.all([first, second]);
    expect(secondRanWhileFirstHeld).toBe(false);
  });

  it('releases the lock when the function throws', async () => {
    await expect(withFileLock(lockPath, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(readFile(lockPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('cancelling a lock wait', () => {
  beforeAll(() => {
    const problem = compiledVaultProblem(fileURLToPath(new URL('../../../', import.meta.url)));
    if (problem) throw new Error(problem);
  });

  it('ends the wait for a lock another process holds within 100 ms of the abort, with ERR_CANCELLED', async () => {
    const holder = await holdLockInChild(lockPath);
    try {
      const controller = new AbortController();
      let ran = false;
      const waiting = withFileLock(lockPath, () => (ran = true), { timeoutMs: 20_000, signal: controller.signal }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 200));
      const abortedAt = Date.now();
      controller.abort();
      const error = await waiting;
      const took = Date.now() - abortedAt;
      expect(error).toBeInstanceOf(CancelledError);
      expect((error as CancelledError).code).toBe('ERR_CANCELLED');
      expect(took).toBeLessThan(100);
      expect(ran).toBe(false);
      // The holder's lock is untouched.
      expect(JSON.parse(await readFile(lockPath, 'utf8')).pid).toBe(holder.pid);
    } finally {
      await holder.release();
    }
  });

  it('an already aborted signal does not wait at all, but a free lock is still taken (a save after Ctrl+C still happens)', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(withFileLock(lockPath, () => 'free', { signal: controller.signal })).resolves.toBe('free');
    const holder = await holdLockInChild(lockPath);
    try {
      const started = Date.now();
      const error = await withFileLock(lockPath, () => 'never', { timeoutMs: 20_000, signal: controller.signal }).catch((e: unknown) => e);
      expect((error as CancelledError).code).toBe('ERR_CANCELLED');
      expect(Date.now() - started).toBeLessThan(100);
    } finally {
      await holder.release();
    }
  });
});
