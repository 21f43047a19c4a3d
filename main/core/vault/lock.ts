/**
 * Cross-process lock: an exclusively created lock file (`open(path, 'wx')`)
 * holding `{pid, host, token, at}`. Exclusive creation is atomic on every
 * local file system, so two processes (the app and the CLI) never write the
 * vault at once.
 *
 * A SIGKILLed holder must not block the vault forever, so a lock is stale when
 * its process is gone (same host, `process.kill(pid, 0)` says ESRCH) or when it
 * has not been touched for `staleMs` (holders touch it every `staleMs / 3`,
 * which also covers a reused pid and another host on a shared folder).
 *
 * Breaking a stale lock is itself guarded by a second exclusive file
 * (`<lock>.break`): without it, two waiters could both judge the lock stale,
 * the first remove it and take a fresh one, and the second then remove that
 * fresh lock. Under the guard the waiter re-reads the lock and removes it only
 * if it is still the very same stale file.
 *
 * A refused write (full disk, read-only, no permission) while creating the
 * lock or its guard is ERR_VAULT_WRITE, and the half-made file is removed:
 * an empty lock file would make every other TokenDesk wait for it to age.
 * An aborted `signal` ends a wait at once with CancelledError; it does not
 * stop a caller from taking a lock that is free (a save after Ctrl+C still
 * happens if nobody holds the lock).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { CancelledError, VaultError } from '../errors.js';
import { errnoOf, nodeFs, type VaultFs } from './file-system.js';
import { asWriteError, isWriteRefusal } from './write-error.js';

export interface FileLockOptions {
  /** Give up with ERR_VAULT_BUSY after this long. Default 10 s. */
  timeoutMs?: number;
  /** A lock untouched for this long is stale even if its pid looks alive. Default 30 s. */
  staleMs?: number;
  /** Aborting it ends the wait at once with CancelledError (ERR_CANCELLED). */
  signal?: AbortSignal;
  /** Default node:fs/promises. */
  fs?: VaultFs;
}

interface LockInfo {
  pid: number;
  host: string;
  token: string;
  at: number;
}

const BREAK_GUARD_STALE_MS = 5_000;

/** Runs `fn` while holding the lock file at `lockPath`. */
export async function withFileLock<R>(lockPath: string, fn: () => Promise<R> | R, options: FileLockOptions = {}): Promise<R> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const fs = options.fs ?? nodeFs;
  const token = randomBytes(12).toString('hex');
  await acquire(fs, lockPath, token, timeoutMs, staleMs, options.signal);
  const heartbeat = setInterval(() => {
    const now = new Date();
    fs.utimes(lockPath, now, now).catch(() => undefined);
  }, Math.max(50, Math.floor(staleMs / 3)));
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await release(fs, lockPath, token);
  }
}

async function acquire(fs: VaultFs, lockPath: string, token: string, timeoutMs: number, staleMs: number, signal: AbortSignal | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  let holder: LockInfo | undefined;
  for (;;) {
    if (await tryCreate(fs, lockPath, token)) return;
    holder = await readLock(fs, lockPath);
    if (await isStale(fs, lockPath, holder, staleMs)) {
      // Try again at once if the lock is free now; else pause a moment (the guard is busy, or the file cannot be removed).
      if (!(await breakStaleLock(fs, lockPath, staleMs))) await sleep(2, signal);
      if (signal?.aborted) throw cancelled();
      continue;
    }
    if (signal?.aborted) throw cancelled();
    if (Date.now() >= deadline) {
      const who = holder ? ` (process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`})` : '';
      throw new VaultError('ERR_VAULT_BUSY', `The vault is in use by another TokenDesk${who}. Try again in a moment.`);
    }
    await sleep(Math.min(delay + Math.random() * delay, Math.max(1, deadline - Date.now())), signal);
    if (signal?.aborted) throw cancelled();
    delay = Math.min(delay * 1.5, 50);
  }
}

/** Creates the lock file exclusively with our info; false when it exists. Leaves no empty file behind on failure. */
async function tryCreate(fs: VaultFs, lockPath: string, token: string): Promise<boolean> {
  const dir = dirname(lockPath);
  let handle;
  try {
    handle = await fs.open(lockPath, 'wx', 0o600);
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    if (isWriteRefusal(error)) throw asWriteError(error, dir);
    throw new VaultError('ERR_VAULT_LOCKED', 'The vault lock file could not be created (check the folder permissions).', { cause: error });
  }
  const info: LockInfo = { pid: process.pid, host: hostname(), token, at: Date.now() };
  try {
    await handle.writeFile(JSON.stringify(info));
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.unlink(lockPath).catch(() => undefined);
    throw asWriteError(error, dir);
  }
  try {
    await handle.close();
  } catch (error) {
    await fs.unlink(lockPath).catch(() => undefined);
    throw asWriteError(error, dir);
  }
  return true;
}

async function readLock(fs: VaultFs, lockPath: string): Promise<LockInfo | undefined> {
  try {
    const info = JSON.parse((await fs.readFile(lockPath)).toString('utf8')) as Partial<LockInfo>;
    if (typeof info.pid === 'number' && typeof info.host === 'string' && typeof info.token === 'string') return info as LockInfo;
  } catch {
    // Missing, or created but not yet written (or the writer died in between): judged by age.
  }
  return undefined;
}

async function isStale(fs: VaultFs, lockPath: string, holder: LockInfo | undefined, staleMs: number): Promise<boolean> {
  if (holder && holder.host === hostname() && !isProcessAlive(holder.pid)) return true;
  const age = await ageMs(fs, lockPath);
  if (age === undefined) return false; // gone already: the next tryCreate will tell
  // An unreadable lock is normally a holder between create and write: give it a moment.
  return age > (holder ? staleMs : Math.min(staleMs, 2_000));
}

/** True when the stale lock is gone now. */
async function breakStaleLock(fs: VaultFs, lockPath: string, staleMs: number): Promise<boolean> {
  const guard = `${lockPath}.break`;
  const guardToken = randomBytes(12).toString('hex');
  if (!(await tryCreate(fs, guard, guardToken))) {
    // Another waiter is breaking it. If that waiter died meanwhile, clear its guard.
    const other = await readLock(fs, guard);
    const age = await ageMs(fs, guard);
    if ((other && other.host === hostname() && !isProcessAlive(other.pid)) || (age !== undefined && age > BREAK_GUARD_STALE_MS)) {
      await fs.unlink(guard).catch(() => undefined);
    }
    return false;
  }
  try {
    // Re-judge under the guard: only a lock that is still stale is removed.
    const holder = await readLock(fs, lockPath);
    if (!(await isStale(fs, lockPath, holder, staleMs))) return true;
    try {
      await fs.unlink(lockPath);
      return true;
    } catch (error) {
      return errnoOf(error) === 'ENOENT';
    }
  } finally {
    await release(fs, guard, guardToken);
  }
}

async function release(fs: VaultFs, lockPath: string, token: string): Promise<void> {
  const holder = await readLock(fs, lockPath);
  // Never remove a lock that is no longer ours (it was judged stale and taken over).
  if (holder?.token === token) await fs.unlink(lockPath).catch(() => undefined);
}

/** `kill(pid, 0)` checks existence without sending anything; EPERM means alive but not ours. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoOf(error) === 'EPERM';
  }
}

async function ageMs(fs: VaultFs, path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await fs.stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

function cancelled(): CancelledError {
  return new CancelledError('Cancelled while waiting for another TokenDesk to finish with the vault.');
}

/** A pause that an abort ends at once. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
