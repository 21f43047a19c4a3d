/**
 * Cancellation for work that does not watch the CLI's AbortSignal itself:
 * the command stops waiting for it and reports "Cancelled." (exit 130).
 */
import { CancelledError } from '../core/errors.js';

/** Settles like `work`, or rejects with CancelledError as soon as `signal` aborts. */
export function untilCancelled<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new CancelledError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Throws CancelledError when `signal` has aborted (between steps that do not watch it themselves). */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}
