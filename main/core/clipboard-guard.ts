/**
 * Clears a copied token from the clipboard after a delay, but only when the
 * clipboard still holds what TokenDesk put there: if the user copied something
 * else meanwhile, that is theirs and stays. Shared by the Electron shell, whose
 * clipboard is asynchronous since Electron 45, and the browser test harness,
 * whose clipboard is a plain variable; timers and the clipboard are injected.
 */

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
  /** After a copy; `clearsAt` is undefined when it will not be cleared. Never receives the text. */
  onCopied?(label: string, clearsAt: number | undefined): void;
  /** Called after the guard cleared the clipboard (not when it left it alone). */
  onCleared?(label: string): void;
  /** A clipboard operation failed (the OS refused). */
  onError?(error: unknown): void;
}

export interface ClipboardGuard {
  /**
   * Writes `text` and schedules its removal after `clearAfterMs` (0 = never).
   * Returns when the clipboard will be cleared, if it will.
   */
  copy(text: string, clearAfterMs: number, label?: string): { clearsAt?: number };
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
      // A newer copy supersedes the older timer: the older text is no longer there anyway.
      cancel();
      let clearsAt: number | undefined;
      if (clearAfterMs > 0) {
        const handle = timers.setTimeout(() => {
          const current = pending;
          pending = undefined;
          if (current) clearIfOurs(current.text, current.label);
        }, clearAfterMs);
        pending = { handle, text, label };
        clearsAt = options.now() + clearAfterMs;
      }
      enqueue(async () => {
        await clipboard.writeText(text);
        options.onCopied?.(label, clearsAt);
      });
      return clearsAt === undefined ? {} : { clearsAt };
    },
    flush() {
      const current = pending;
      cancel();
      if (current) clearIfOurs(current.text, current.label);
    },
    dispose: cancel,
    settled: () => queue,
  };
}
