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
 *
 * A refused write (full disk, quota, read-only, permission, a file held by
 * another program) at any step is a VaultError ERR_VAULT_WRITE, and nothing
 * half-written stays behind: the temporary files are removed and `<file>`
 * still holds the old content. The one exception is step 4: when the folder
 * fsync fails, the rename has happened (the new content is in place, maybe
 * not yet durable), and the error still reaches the caller, whose next save
 * writes it again. On Windows, a rename refused with EPERM/EBUSY/EACCES
 * (an antivirus or indexer holding the file for a moment) is retried for
 * about a second first.
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { errnoOf, type FileIo } from './file-system.js';
import { isProcessAlive } from './lock.js';
import { asWriteError, writeStep } from './write-error.js';

export type CurrentState = 'good' | 'damaged' | 'missing';

export const backupPathOf = (path: string): string => `${path}.bak`;

/** Pauses between rename attempts on Windows: about one second in all. */
const WINDOWS_RENAME_RETRY_MS = [10, 20, 40, 80, 150, 200, 250, 250];

/**
 * Replaces `path` with `bytes` as described above. `current` is the caller's
 * judgement of the file now at `path`, made under the vault lock (so it still
 * holds): only a good file becomes the backup. Returns where a damaged file
 * was set aside.
 */
export async function replaceWithBackup(io: FileIo, path: string, bytes: Uint8Array, current: CurrentState): Promise<{ damagedCopyPath?: string }> {
  const dir = dirname(path);
  const tmp = tempName(path);
  let aside: string | undefined;
  try {
    await writeDurable(io, tmp, bytes);
    if (current === 'good') await backUp(io, path);
    else if (current === 'damaged') {
      const target = damagedPathOf(path);
      await renameRetrying(io, path, target);
      aside = target;
    }
    await renameRetrying(io, tmp, path);
  } catch (error) {
    await io.fs.unlink(tmp).catch(() => undefined);
    // Put a damaged file back where it was: the folder is then exactly as before.
    if (aside !== undefined) await io.fs.rename(aside, path).catch(() => undefined);
    throw asWriteError(error, dir);
  }
  await writeStep(dir, () => fsyncDir(io, dir));
  return aside === undefined ? {} : { damagedCopyPath: aside };
}

/**
 * Replaces `target` atomically without keeping a backup (a damaged copy whose
 * slots are rewritten). The temporary file is named after `tempBase` (the
 * vault file), so `removeStaleTemps` cleans it up after a crash.
 */
export async function replaceFile(io: FileIo, target: string, bytes: Uint8Array, tempBase: string): Promise<void> {
  const dir = dirname(target);
  const tmp = tempName(tempBase);
  try {
    await writeDurable(io, tmp, bytes);
    await renameRetrying(io, tmp, target);
  } catch (error) {
    await io.fs.unlink(tmp).catch(() => undefined);
    throw asWriteError(error, dir);
  }
  await writeStep(dir, () => fsyncDir(io, dir));
}

/**
 * Creates `path` only if it does not exist, atomically: link() fails with
 * EEXIST rather than replacing, so two creators cannot both win.
 * Returns false when the file already exists.
 */
export async function createExclusive(io: FileIo, path: string, bytes: Uint8Array): Promise<boolean> {
  const dir = dirname(path);
  const tmp = tempName(path);
  try {
    await writeDurable(io, tmp, bytes);
    try {
      await io.fs.link(tmp, path);
    } catch (error) {
      if (errnoOf(error) === 'EEXIST') return false;
      if (!isLinkUnsupported(error)) throw error;
      // No hard links here: fall back to an exclusive create and a synced write.
      try {
        await writeDurable(io, path, bytes);
      } catch (inner) {
        if (errnoOf(inner) === 'EEXIST') return false;
        throw inner;
      }
    }
  } catch (error) {
    throw asWriteError(error, dir);
  } finally {
    await io.fs.unlink(tmp).catch(() => undefined);
  }
  try {
    await fsyncDir(io, dir);
  } catch (error) {
    // The caller is told the create failed: leave no vault it does not know about.
    await io.fs.unlink(path).catch(() => undefined);
    throw asWriteError(error, dir);
  }
  return true;
}

/** Reads a file, or `undefined` when it does not exist. */
export async function readIfExists(io: FileIo, path: string): Promise<Buffer | undefined> {
  try {
    return await io.fs.readFile(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** Temporary file names of `path`'s saves: `<base>.tmp-<pid>-<hex>` and `<base>.bak.tmp-<pid>-<hex>`. */
export const TEMP_SUFFIX = /^(?:\.bak)?\.tmp-(\d+)-[0-9a-f]+$/;

/**
 * Removes temp files of `path` left by processes that died mid-save. With
 * `all` (only under the vault lock, where no save can be running) every temp
 * file is an orphan and goes.
 */
export async function removeStaleTemps(io: FileIo, path: string, options: { all?: boolean } = {}): Promise<void> {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = await io.fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(base)) continue;
    const match = TEMP_SUFFIX.exec(name.slice(base.length));
    if (!match) continue;
    const pid = Number(match[1]);
    // A live pid may be mid-save; a pid alive for a day on another host's share is not.
    if (!options.all && isProcessAlive(pid) && (await ageMs(io, join(dir, name))) < 86_400_000) continue;
    await io.fs.unlink(join(dir, name)).catch(() => undefined);
  }
}

/** fsync of a folder makes renames in it durable. Not possible on Windows (nor needed: NTFS journals renames). */
export async function fsyncDir(io: FileIo, dir: string): Promise<void> {
  if (io.platform === 'win32') return;
  let handle;
  try {
    handle = await io.fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some file systems (network shares) refuse fsync on folders; nothing more can be done there.
    if (!['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP', 'EBADF'].includes(errnoOf(error) ?? '')) throw error;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** rename(), retried on Windows while another program holds the file. */
export async function renameRetrying(io: FileIo, from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await io.fs.rename(from, to);
      return;
    } catch (error) {
      const pause = WINDOWS_RENAME_RETRY_MS[attempt];
      if (io.platform !== 'win32' || pause === undefined || !['EPERM', 'EBUSY', 'EACCES'].includes(errnoOf(error) ?? '')) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

async function backUp(io: FileIo, path: string): Promise<void> {
  const bak = backupPathOf(path);
  const bakTmp = `${path}.bak${tempName('')}`;
  try {
    try {
      await io.fs.link(path, bakTmp);
    } catch (error) {
      if (!isLinkUnsupported(error)) throw error;
      await io.fs.copyFile(path, bakTmp);
      await fsyncFile(io, bakTmp);
    }
    await renameRetrying(io, bakTmp, bak);
  } finally {
    // If .bak already is this very inode (a crash after step 2 last time), POSIX
    // rename does nothing and leaves bakTmp behind; on failure it is a leftover.
    await io.fs.unlink(bakTmp).catch(() => undefined);
  }
}

/** Writes a new file and fsyncs it; on any failure the file is removed again. */
async function writeDurable(io: FileIo, path: string, bytes: Uint8Array): Promise<void> {
  const handle = await io.fs.open(path, 'wx', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await io.fs.unlink(path).catch(() => undefined);
    throw error;
  }
  try {
    await handle.close(); // network file systems report a full disk as late as close()
  } catch (error) {
    await io.fs.unlink(path).catch(() => undefined);
    throw error;
  }
}

async function fsyncFile(io: FileIo, path: string): Promise<void> {
  const handle = await io.fs.open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** `<file>.damaged-<time>-<hex>`: the random tail keeps two damaged files set aside in one millisecond apart. */
function damagedPathOf(path: string): string {
  return `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}`;
}

async function ageMs(io: FileIo, path: string): Promise<number> {
  try {
    return Date.now() - (await io.fs.stat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

function isLinkUnsupported(error: unknown): boolean {
  return ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].includes(errnoOf(error) ?? '');
}
