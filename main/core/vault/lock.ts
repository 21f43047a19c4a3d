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
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { VaultError } from '../errors.js';

export interface FileLockOptions {
  /** Give up with ERR_VAULT_BUSY after this long. Default 10 s. */
  timeoutMs?: number;
  /** A lock untouched for this long is stale even if its pid looks alive. Default 30 s. */
  staleMs?: number;
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
  const token = randomBytes(12).toString('hex');
  await acquire(lockPath, token, timeoutMs, staleMs);
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => undefined);
  }, Math.max(50, Math.floor(staleMs / 3)));
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await release(lockPath, token);
  }
}

async function acquire(lockPath: string, token: string, timeoutMs: number, staleMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  let holder: LockInfo | undefined;
  for (;;) {
    if (await tryCreate(lockPath, token)) return;
    holder = await readLock(lockPath);
    if (await isStale(lockPath, holder, staleMs)) {
      await breakStaleLock(lockPath, staleMs);
      continue; // try again at once: the lock may be free now
    }
    if (Date.now() >= deadline) {
      const who = holder ? ` (process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`})` : '';
      throw new VaultError('ERR_VAULT_BUSY', `The vault is in use by another TokenDesk${who}. Try again in a moment.`);
    }
    await sleep(Math.min(delay + Math.random() * delay, Math.max(1, deadline - Date.now())));
    delay = Math.min(delay * 1.5, 50);
  }
}

async function tryCreate(lockPath: string, token: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, 'wx', 0o600);
  } catch (error) {
    if (code(error) === 'EEXIST') return false;
    throw new VaultError('ERR_VAULT_LOCKED', 'The vault lock file could not be created (check the folder permissions).', { cause: error });
  }
  try {
    const info: LockInfo = { pid: process.pid, host: hostname(), token, at: Date.now() };
    await handle.writeFile(JSON.stringify(info));
  } finally {
    await handle.close();
  }
  return true;
}

async function readLock(lockPath: string): Promise<LockInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockInfo>;
    if (typeof info.pid === 'number' && typeof info.host === 'string' && typeof info.token === 'string') return info as LockInfo;
  } catch {
    // Missing, or created but not yet written (or the writer died in between): judged by age.
  }
  return undefined;
}

async function isStale(lockPath: string, holder: LockInfo | undefined, staleMs: number): Promise<boolean> {
  if (holder && holder.host === hostname() && !isProcessAlive(holder.pid)) return true;
  const age = await ageMs(lockPath);
  if (age === undefined) return false; // gone already: the next tryCreate will tell
  // An unreadable lock is normally a holder between create and write: give it a moment.
  return age > (holder ? staleMs : Math.min(staleMs, 2_000));
}

async function breakStaleLock(lockPath: string, staleMs: number): Promise<void> {
  const guard = `${lockPath}.break`;
  const guardToken = randomBytes(12).toString('hex');
  if (!(await tryCreate(guard, guardToken))) {
    // Another waiter is breaking it. If that waiter died meanwhile, clear its guard.
    const other = await readLock(guard);
    const age = await ageMs(guard);
    if ((other && other.host === hostname() && !isProcessAlive(other.pid)) || (age !== undefined && age > BREAK_GUARD_STALE_MS)) {
      await unlink(guard).catch(() => undefined);
    }
    await sleep(2);
    return;
  }
  try {
    // Re-judge under the guard: only a lock that is still stale is removed.
    const holder = await readLock(lockPath);
    if (await isStale(lockPath, holder, staleMs)) await unlink(lockPath).catch(() => undefined);
  } finally {
    await release(guard, guardToken);
  }
}

async function release(lockPath: string, token: string): Promise<void> {
  const holder = await readLock(lockPath);
  // Never remove a lock that is no longer ours (it was judged stale and taken over).
  if (holder?.token === token) await unlink(lockPath).catch(() => undefined);
}

/** `kill(pid, 0)` checks existence without sending anything; EPERM means alive but not ours. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return code(error) === 'EPERM';
  }
}

async function ageMs(path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
