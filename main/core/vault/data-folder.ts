/**
 * The data folder's permissions (POSIX). The vault file itself is always
 * 0600, but a folder other users can read lets them see when it changes, and
 * one they can write lets them swap files (an older copy, a foreign vault).
 *
 * TokenDesk tightens the folder to 0700 only when it owns it: the folder
 * belongs to the current user and holds nothing but TokenDesk's own files
 * (so no other program's files lose access they relied on). Otherwise it
 * leaves the folder alone and says so, in words the CLI and the app can show.
 */
import { errnoOf, type FileIo } from './file-system.js';

/**
 * True for the files TokenDesk keeps next to a vault named `base`: the vault,
 * its backup, its lock and lock-break guard, temporary files of saves,
 * damaged copies set aside, and the per-account request markers
 * (`<base>.req-<hex>.lock`, with their `.break` guards).
 */
export function isTokenDeskFile(name: string, base: string): boolean {
  if (!name.startsWith(base)) return false;
  return /^(?:|\.bak|\.lock|\.lock\.break|(?:\.bak)?\.tmp-\d+-[0-9a-f]+|\.damaged-[0-9A-Za-z-]+|\.req-[0-9a-f]+\.lock(?:\.break)?)$/.test(name.slice(base.length));
}

/**
 * Tightens `dir` to 0700 when TokenDesk owns it; returns a warning in plain
 * words when it stays open to other users. Never fails: the vault works
 * either way.
 */
export async function secureDataFolder(io: FileIo, dir: string, base: string): Promise<string | undefined> {
  if (io.platform === 'win32' || typeof process.getuid !== 'function') return undefined; // ACLs, not mode bits
  let mode: number;
  let uid: number;
  try {
    ({ mode, uid } = await io.fs.stat(dir));
  } catch {
    return undefined;
  }
  const open = mode & 0o077;
  if (open === 0) return undefined;
  const ownedByUs = uid === process.getuid();
  let foreign: string[] = [];
  if (ownedByUs) {
    try {
      foreign = (await io.fs.readdir(dir)).filter((name) => !isTokenDeskFile(name, base));
    } catch {
      foreign = ['?'];
    }
  }
  let why: string;
  if (!ownedByUs) why = 'it belongs to another user';
  else if (foreign.length > 0) why = 'it also holds files that are not TokenDesk\'s';
  else {
    try {
      await io.fs.chmod(dir, 0o700);
      return undefined;
    } catch (error) {
      why = `changing its permissions failed (${errnoOf(error) ?? 'unknown error'})`;
    }
  }
  const readable = (open & 0o044) !== 0;
  const writable = (open & 0o022) !== 0;
  if (!readable && !writable) return undefined; // search (x) bits only: nobody can list or change it
  const what = readable && writable ? 'can be read and changed' : writable ? 'can be changed' : 'can be read';
  return (
    `The folder ${dir} ${what} by other users of this computer (permissions ${(mode & 0o777).toString(8).padStart(3, '0')}). ` +
    `TokenDesk left it as it is because ${why}. The vault file itself is readable by you alone; ` +
    `to keep others from seeing or replacing it, make the folder private (chmod 700).`
  );
}
