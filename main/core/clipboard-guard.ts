/**
 * Clears a copied token from the clipboard after a delay, but only when the
 * clipboard still holds what TokenDesk put there: if the user copied something
 * else meanwhile, that is theirs and stays. Shared by the Electron shell, whose
 * clipboard is asynchronous since Electron 45, and the browser test harness,
 * whose clipboard is a plain variable; timers and the clipboard are injected.
 *
 * A copy is reported only once it happened: `copy` resolves after the write
 * and a read-back that finds the text there (Windows drops a write silently
 * when another program holds the clipboard), and rejects otherwise.
 */
import { SystemError } from './errors.js';

export interface ClipboardPort {
  writeText(text: string): void | Promise<void>;
  readText(): string | Promise<string>;
  /** Clears every format (Electron); without it the guard writes an empty text. */
  clear?(): void | Promise<void>;
}

export interface TimerPort {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ClipboardGuardOptions {
  clipboard: ClipboardPort;
  now(): number;
  timers?: TimerPort;
  /** After a copy that happened; `clearsAt` is undefined when it will not be cleared. Never receives the text. */
  onCopied?(label: string, clearsAt: number | undefined): void;
  /** Called after the guard cleared the clipboard (not when it left it alone). */
  onCleared?(label: string): void;
  /** A clearing in the background failed (the OS refused). Failed copies reject instead. */
  onError?(error: unknown): void;
}

export interface ClipboardGuard {
  /**
   * Writes `text` and, once it is there, schedules its removal after
   * `clearAfterMs` (0 = never). Resolves with when the clipboard will be
   * cleared, if it will; rejects with ERR_CLIPBOARD when the copy did not happen.
   */
  copy(text: string, clearAfterMs: number, label?: string): Promise<{ clearsAt?: number }>;
  /** Clears now if the clipboard still holds our text (app quit), and cancels the timer. */
  flush(): void;
  /** Cancels the pending clear without touching the clipboard. */
  dispose(): void;
  /** Resolves when every queued clipboard operation has finished (quit, tests). */
  settled(): Promise<void>;
}

const systemTimers: TimerPort = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A pending clear must not keep a CLI or test process alive.
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createClipboardGuard(options: ClipboardGuardOptions): ClipboardGuard {
  const timers = options.timers ?? systemTimers;
  const { clipboard } = options;
  let pending: { handle: unknown; text: string; label: string } | undefined;
  // Operations run one after another, so a clear can never overtake a later copy.
  let queue: Promise<void> = Promise.resolve();
  let disposed = false;

  function enqueue(operation: () => void | Promise<void>): void {
    queue = queue.then(operation).catch((error: unknown) => options.onError?.(error));
  }

  function cancel(): void {
    if (pending) timers.clearTimeout(pending.handle);
    pending = undefined;
  }

  function clearIfOurs(text: string, label: string): void {
    enqueue(async () => {
      if ((await clipboard.readText()) !== text) return;
      await (clipboard.clear ? clipboard.clear() : clipboard.writeText(''));
      options.onCleared?.(label);
    });
  }

  return {
    copy(text, clearAfterMs, label = '') {
      return new Promise((resolve, reject) => {
        enqueue(async () => {
          try {
            await clipboard.writeText(text);
          } catch (error) {
            reject(new SystemError('ERR_CLIPBOARD', 'The operating system did not let TokenDesk use the clipboard (another program may be holding it). Try again.', { cause: error }));
            return;
          }
          if ((await Promise.resolve(clipboard.readText()).catch(() => undefined)) !== text) {
            reject(new SystemError('ERR_CLIPBOARD', 'The clipboard did not keep what TokenDesk copied (another program may have taken it over). Try again.'));
            return;
          }
          // Only now does the newer copy supersede the older timer: had this write
          // failed, the older token would still be there and still need clearing.
          cancel();
          let clearsAt: number | undefined;
          if (clearAfterMs > 0 && !disposed) {
            const handle = timers.setTimeout(() => {
              const current = pending;
              pending = undefined;
              if (current) clearIfOurs(current.text, current.label);
            }, clearAfterMs);
            pending = { handle, text, label };
            clearsAt = options.now() + clearAfterMs;
          }
          resolve(clearsAt === undefined ? {} : { clearsAt });
          options.onCopied?.(label, clearsAt);
        });
      });
    },
    flush() {
      // Queued, so a copy still being written is cleared too (quit right after a copy).
      enqueue(() => {
        const current = pending;
        cancel();
        if (current) clearIfOurs(current.text, current.label);
      });
    },
    dispose() {
      disposed = true;
      cancel();
    },
    async settled() {
      // An operation may queue another (flush queues the clear): wait until the queue stays put.
      for (let previous: Promise<void> | undefined; previous !== queue; ) {
        previous = queue;
        await previous;
      }
    },
  };
}
