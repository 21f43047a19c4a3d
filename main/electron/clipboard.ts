/**
 * Copying in the main process, with Electron 45's asynchronous clipboard
 * (`readText`/`writeText` return promises). The renderer and the tray ask for
 * a copy and never receive the token. The copied text is cleared after the
 * configured delay, but only if the clipboard still holds exactly what we put
 * there: if the user copied something else meanwhile, that is theirs and stays.
 * The timing and "only if still ours" logic is main/core/clipboard-guard.ts;
 * this file adds Electron's clipboard and the notifications.
 */
import type { Clipboard, Notification, NotificationConstructorOptions } from 'electron';
import { createClipboardGuard, type ClipboardGuard, type TimerPort } from '../core/clipboard-guard.js';

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

/**
 * The guard shared by the handler table and the tray (one clear timer for
 * both), over Electron's asynchronous clipboard. `label` is the account name:
 * notifications name the account, never the copied text.
 */
export function createDesktopClipboardGuard(deps: {
  clipboard: Pick<Clipboard, 'writeText' | 'readText' | 'clear'>;
  notify: Notify;
  now(): number;
  timers?: TimerPort;
}): ClipboardGuard {
  const account = (label: string): string => label || 'your account';
  return createClipboardGuard({
    clipboard: deps.clipboard,
    now: deps.now,
    ...(deps.timers ? { timers: deps.timers } : {}),
    onCopied: (label, clearsAt) => {
      const when = clearsAt === undefined ? '' : ` It will be cleared in ${Math.round((clearsAt - deps.now()) / 1000)} seconds.`;
      deps.notify('Token copied', `The token for ${account(label)} is on the clipboard.${when}`);
    },
    onCleared: (label) => deps.notify('Clipboard cleared', `The token for ${account(label)} was removed from the clipboard.`),
    onError: () => deps.notify('Clipboard problem', 'TokenDesk could not use the clipboard. Please try again.'),
  });
}
