/**
 * Crash-safe replacement of a file, keeping the previous version as a backup.
 *
 * Invariant: at every instant (process killed, power lost) `<file>` holds
 * either the old or the new content, complete; `<file>.bak` holds the version
 * before the current one. The order, and why:
 *
 *  1. write the new bytes to `<file>.tmp-<pid>-<rand>` and fsync it: the new
 *     content is durable before any name points at it (a rename of an
 *     unsynced file can surface as an empty file after power loss);
 *  2. if the current file is good: hard-link it to `<file>.bak.tmp-…` and
 *     rename that over `<file>.bak`. A link, not a copy: no bytes move, the
 *     backup is the current inode itself, and `<file>` is never absent. (Where
 *     links are not supported, a copy plus fsync does the same job.)
 *     If the current file is damaged, it is renamed to `<file>.damaged-<time>`
 *     instead: it is kept for the user, and it never replaces a good backup;
 *  3. rename the temporary file over `<file>` (atomic replace);
 *  4. fsync the folder so both renames are durable.
 *
 * A kill between any two steps leaves `<file>` old (plus an orphaned temp
 * file, removed later by `removeStaleTemps`) or new. Callers serialise
 * writers with the vault lock; readers need no lock because they only ever see
 * complete files.
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { copyFile, link, open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import { isProcessAlive } from './lock.js';

export type CurrentState = 'good' | 'damaged' | 'missing';

export const backupPathOf = (path: string): string => `${path}.bak`;

/**
 * Replaces `path` with `bytes` as described above. `current` is the caller's
 * judgement of the file now at `path`, made under the vault lock (so it still
 * holds): only a good file becomes the backup.
 */
export async function replaceWithBackup(path: string, bytes: Uint8Array, current: CurrentState): Promise<void> {
  const tmp = tempName(path);
  await writeDurable(tmp, bytes);
  try {
    if (current === 'good') await backUp(path);
    else if (current === 'damaged') await rename(path, damagedPathOf(path));
    await rename(tmp, path);
    await fsyncDir(dirname(path));
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}

/**
 * Creates `path` only if it does not exist, atomically: link() fails with
 * EEXIST rather than replacing, so two creators cannot both win.
 * Returns false when the file already exists.
 */
export async function createExclusive(path: string, bytes: Uint8Array): Promise<boolean> {
  const tmp = tempName(path);
  await writeDurable(tmp, bytes);
  try {
    await link(tmp, path);
  } catch (error) {
    if (code(error) === 'EEXIST') return false;
    if (!isLinkUnsupported(error)) throw error;
    // No hard links here: fall back to an exclusive create and a synced write.
    try {
      await writeDurable(path, bytes);
    } catch (inner) {
      if (code(inner) === 'EEXIST') return false;
      throw inner;
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  await fsyncDir(dirname(path));
  return true;
}

/** Reads a file, or `undefined` when it does not exist. */
export async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (code(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** Removes temp files of `path` left by processes that died mid-save. */
export async function removeStaleTemps(path: string): Promise<void> {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(base)) continue;
    const match = /^(?:\.bak)?\.tmp-(\d+)-[0-9a-f]+$/.exec(name.slice(base.length));
    if (!match) continue;
    const pid = Number(match[1]);
    // A live pid may be mid-save; a pid alive for a day on another host's share is not.
    if (isProcessAlive(pid) && (await ageMs(join(dir, name))) < 86_400_000) continue;
    await unlink(join(dir, name)).catch(() => undefined);
  }
}

/** fsync of a folder makes renames in it durable. Not possible on Windows (nor needed: NTFS journals renames). */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some file systems (network shares) refuse fsync on folders; nothing more can be done there.
    if (!['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP', 'EBADF'].includes(code(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

async function backUp(path: string): Promise<void> {
  const bak = backupPathOf(path);
  const bakTmp = `${path}.bak${tempName('')}`;
  try {
    await link(path, bakTmp);
  } catch (error) {
    if (!isLinkUnsupported(error)) throw error;
    await copyFile(path, bakTmp);
    await fsyncFile(bakTmp);
  }
  // If .bak already is this very inode (a crash after step 2 last time), POSIX
  // rename does nothing and leaves bakTmp behind: remove it either way.
  await rename(bakTmp, bak);
  await unlink(bakTmp).catch(() => undefined);
}

async function writeDurable(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

function damagedPathOf(path: string): string {
  return `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

async function ageMs(path: string): Promise<number> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

function isLinkUnsupported(error: unknown): boolean {
  return ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes(code(error) ?? '');
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
