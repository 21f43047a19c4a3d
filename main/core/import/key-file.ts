/**
 * Reads a `key_file` named by a credentials file. The file is someone else's
 * text, so the path may name anything: a FIFO (an open that blocks forever
 * waiting for a writer), /dev/zero or /dev/urandom (a read that never ends), a
 * folder, a huge file. Only a regular file of at most MAX_KEY_FILE_BYTES is read.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/** A Zitadel key JSON is about 2 KB (a 4096-bit RSA key in PEM is about 3.3 KB); 64 KiB leaves room for anything real. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

/** Why a key file was not read, in words that finish "cannot read key_file "…": ". */
export class KeyFileRefusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * O_NONBLOCK makes opening a FIFO return at once instead of waiting for a
 * writer (POSIX open(2)); on a regular file it changes nothing. Windows has no
 * FIFOs of this kind and no such flag (undefined there).
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function describeErrno(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
      return 'the file does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ELOOP':
      return 'it is a link that points to itself';
    default:
      return 'it cannot be read';
  }
}

/**
 * The text of the regular file at `path`, at most MAX_KEY_FILE_BYTES.
 * Opens without blocking, then checks the opened handle itself (fstat), so
 * the check and the read are about the same file. Throws KeyFileRefusal.
 */
export async function readKeyFileText(path: string): Promise<string> {
  return (await readKeyFileBytes(path)).toString('utf8');
}

/** readKeyFileText for a binary file (a PKCS#12 client certificate): the same checks, the bytes as they are. */
export async function readKeyFileBytes(path: string): Promise<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    throw new KeyFileRefusal(describeErrno((error as NodeJS.ErrnoException | undefined)?.code));
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw new KeyFileRefusal('it is a folder, not a file');
    if (stats.isFIFO()) throw new KeyFileRefusal('it is a named pipe (FIFO), not a file');
    if (stats.isCharacterDevice() || stats.isBlockDevice()) throw new KeyFileRefusal('it is a device, not a file');
    if (stats.isSocket()) throw new KeyFileRefusal('it is a socket, not a file');
    if (!stats.isFile()) throw new KeyFileRefusal('it is not a regular file');
    if (stats.size > MAX_KEY_FILE_BYTES) throw new KeyFileRefusal(`it is ${stats.size} bytes; a key file is at most ${MAX_KEY_FILE_BYTES} bytes (64 KiB)`);
    // Read one byte past the cap: a file that grew after fstat is refused, never read without end.
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_KEY_FILE_BYTES) throw new KeyFileRefusal(`it is larger than ${MAX_KEY_FILE_BYTES} bytes (64 KiB), the most a key file can be`);
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof KeyFileRefusal) throw error;
    throw new KeyFileRefusal(describeErrno((error as NodeJS.ErrnoException | undefined)?.code));
  } finally {
    await handle.close().catch(() => undefined);
  }
}
