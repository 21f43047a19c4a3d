/**
 * Copying in the main process, with Electron 45's asynchronous clipboard
 * (`readText`/`writeText` return promises). The renderer and the tray ask for
 * a copy and never receive the token. The copied text is cleared after the
 * configured delay, but only if the clipboard still holds exactly what we put
 * there: if the user copied something else meanwhile, that is theirs and stays.
 *
 * This has the same contract as main/core/clipboard-guard.ts (which the
 * handler table expects); that guard reads the clipboard synchronously, which
 * Electron 45 no longer offers, hence this asynchronous twin.
 */
import type { Clipboard, Notification, NotificationConstructorOptions } from 'electron';
import type { ClipboardGuard, TimerPort } from '../core/clipboard-guard.js';

export type Notify = (title: string, body: string) => void;

/** Wraps Electron's Notification class; does nothing where notifications are unsupported. */
export function createNotifier(NotificationClass: {
  new (options: NotificationConstructorOptions): Pick<Notification, 'show'>;
  isSupported(): boolean;
}): Notify {
  return (title, body) => {
    if (!NotificationClass.isSupported()) return;
    new NotificationClass({ title, body, silent: true }).show();
  };
}

export interface DesktopClipboardGuard extends ClipboardGuard {
  /** Resolves when every queued clipboard operation has finished (quit, tests). */
  settled(): Promise<void>;
}

const unrefTimers: TimerPort = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * The guard shared by the handler table and the tray (one clear timer for
 * both). `label` is the account name: notifications name the account, never
 * the copied text.
 */
export function createDesktopClipboardGuard(deps: {
  clipboard: Pick<Clipboard, 'writeText' | 'readText' | 'clear'>;
  notify: Notify;
  now(): number;
  timers?: TimerPort;
}): DesktopClipboardGuard {
  const timers = deps.timers ?? unrefTimers;
  let pending: { handle: unknown; text: string; label: string } | undefined;
  // Clipboard operations run one after another, so a clear can never overtake a later copy.
  let queue: Promise<void> = Promise.resolve();

  function enqueue(operation: () => Promise<void>): void {
    queue = queue.then(operation).catch(() => deps.notify('Clipboard problem', 'TokenDesk could not use the clipboard. Please try again.'));
  }

  function cancel(): void {
    if (pending) timers.clearTimeout(pending.handle);
    pending = undefined;
  }

  function clearIfOurs(text: string, label: string): void {
    enqueue(async () => {
      if ((await deps.clipboard.readText()) !== text) return;
      deps.clipboard.clear();
      deps.notify('Clipboard cleared', `The token for ${label || 'your account'} was removed from the clipboard.`);
    });
  }

  return {
    copy(text, clearAfterMs, label = '') {
      // A newer copy supersedes the older timer: the older text is no longer there anyway.
      cancel();
      enqueue(() => deps.clipboard.writeText(text));
      let clearsAt: number | undefined;
      if (clearAfterMs > 0) {
        const handle = timers.setTimeout(() => {
          const current = pending;
          pending = undefined;
          if (current) clearIfOurs(current.text, current.label);
        }, clearAfterMs);
        pending = { handle, text, label };
        clearsAt = deps.now() + clearAfterMs;
      }
      const when = clearsAt === undefined ? '' : ` It will be cleared in ${Math.round(clearAfterMs / 1000)} seconds.`;
      deps.notify('Token copied', `The token for ${label || 'your account'} is on the clipboard.${when}`);
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
