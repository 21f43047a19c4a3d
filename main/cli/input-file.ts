/**
 * Reading a file the user named (a credentials file) so that Ctrl+C ends it.
 *
 * A FIFO that nobody writes to blocks the read inside the operating system,
 * on one of Node's worker threads, where no AbortSignal reaches; worse,
 * Node's exit waits for that thread, so even process.exit() would hang.
 * On cancellation the CLI therefore becomes the writer for a moment: it
 * opens the FIFO without blocking, writes one byte and closes it, which
 * lets the blocked open or read return; the read then sees the aborted
 * signal and stops. A regular file is read as usual.
 */
import { closeSync, constants, openSync, statSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { untilCancelled } from './cancel.js';

/** Paths being read right now, so a cancellation can release them. */
const reading = new Map<string, number>();

/** The text of `path`; rejects with CancelledError as soon as `signal` aborts. */
export async function readInputText(path: string, signal: AbortSignal): Promise<string> {
  return (await readInputBytes(path, signal)).toString('utf8');
}

/** The bytes of `path` (`tokendesk request --data-file`); rejects with CancelledError as soon as `signal` aborts. */
export async function readInputBytes(path: string, signal: AbortSignal): Promise<Buffer> {
  reading.set(path, (reading.get(path) ?? 0) + 1);
  const onAbort = () => releaseBlockedReads();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await untilCancelled(readFile(path, { signal }), signal);
  } finally {
    signal.removeEventListener('abort', onAbort);
    const count = (reading.get(path) ?? 1) - 1;
    if (count > 0) reading.set(path, count);
    else reading.delete(path);
  }
}

/** Lets every read of a FIFO in progress return (see the module comment). Synchronous: signal handlers call it. */
export function releaseBlockedReads(): void {
  if (process.platform === 'win32') return; // no POSIX FIFOs there
  for (const path of reading.keys()) {
    try {
      if (!statSync(path).isFIFO()) continue;
      // O_NONBLOCK: fails at once (ENXIO) when no reader is waiting, never blocks.
      const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      try {
        writeSync(fd, '\n');
      } finally {
        closeSync(fd);
      }
    } catch {
      // Gone, not ours to open, or nobody reading it any more: nothing to release.
    }
  }
}

/** Everything a stream (stdin) carries until it ends, as bytes. */
export function readStreamBytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer | string) => chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}
