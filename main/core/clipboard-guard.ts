/**
 * Clears a copied token from the clipboard after a delay, but only when the
 * clipboard still holds what TokenDesk put there: if the user copied something
 * else meanwhile, that is theirs and stays. Shared by the Electron shell and
 * the browser test harness; timers and the clipboard are injected.
 */

export interface ClipboardPort {
  writeText(text: string): void;
  readText(): string;
}

export interface TimerPort {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ClipboardGuardOptions {
  clipboard: ClipboardPort;
  now(): number;
  timers?: TimerPort;
  /** Called after the guard cleared the clipboard (not when it left it alone). */
  onCleared?(label: string): void;
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
  let pending: { handle: unknown; text: string; label: string } | undefined;

  function cancel(): void {
    if (pending) timers.clearTimeout(pending.handle);
    pending = undefined;
  }

  function clearIfOurs(text: string, label: string): void {
    if (options.clipboard.readText() !== text) return;
    options.clipboard.writeText('');
    options.onCleared?.(label);
  }

  return {
    copy(text, clearAfterMs, label = '') {
      // A newer copy supersedes the older timer: the older text is no longer there anyway.
      cancel();
      options.clipboard.writeText(text);
      if (!(clearAfterMs > 0)) return {};
      const handle = timers.setTimeout(() => {
        const current = pending;
        pending = undefined;
        if (current) clearIfOurs(current.text, current.label);
      }, clearAfterMs);
      pending = { handle, text, label };
      return { clearsAt: options.now() + clearAfterMs };
    },
    flush() {
      const current = pending;
      cancel();
      if (current) clearIfOurs(current.text, current.label);
    },
    dispose: cancel,
  };
}
