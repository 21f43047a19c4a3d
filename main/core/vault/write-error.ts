/**
 * A write that the disk refuses (full, over quota, read-only, no permission,
 * a file held by another program) is a VaultError ERR_VAULT_WRITE in plain
 * words, naming the folder; the caller keeps what it has in memory and saves
 * at the next chance. Anything else (a bug, EIO) stays what it was.
 */
import { VaultError } from '../errors.js';
import { errnoOf } from './file-system.js';

const REFUSALS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EBUSY']);

/** True for the errors this module turns into ERR_VAULT_WRITE. */
export function isWriteRefusal(error: unknown): boolean {
  return REFUSALS.has(errnoOf(error) ?? '');
}

/** The VaultError for a refused write in `dir`, or `error` itself when it is something else. */
export function asWriteError(error: unknown, dir: string): unknown {
  if (error instanceof VaultError) return error;
  const message = refusalMessage(errnoOf(error), dir);
  return message === undefined ? error : new VaultError('ERR_VAULT_WRITE', message, { cause: error });
}

/** Runs one write step, translating a refusal. */
export async function writeStep<R>(dir: string, step: () => Promise<R>): Promise<R> {
  try {
    return await step();
  } catch (error) {
    throw asWriteError(error, dir);
  }
}

function refusalMessage(code: string | undefined, dir: string): string | undefined {
  switch (code) {
    case 'ENOSPC':
      return `The disk is full: TokenDesk could not save the vault in ${dir}. Free some space and try again.`;
    case 'EDQUOT':
      return `Your disk quota is used up: TokenDesk could not save the vault in ${dir}. Free some space and try again.`;
    case 'EROFS':
      return `The disk is read-only: TokenDesk could not save the vault in ${dir}.`;
    case 'EACCES':
    case 'EPERM':
      return `TokenDesk has no permission to write in ${dir}, so it could not save the vault. Check the folder's permissions, or whether another program (an antivirus, a backup tool) holds the file.`;
    case 'EBUSY':
      return `Another program (an antivirus, a search indexer, a backup tool) is holding the vault file in ${dir}, so TokenDesk could not save it. Try again in a moment.`;
    default:
      return undefined;
  }
}
