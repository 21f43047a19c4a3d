/**
 * Copying in the main process, with Electron 45's asynchronous clipboard
 * (`readText`/`writeText` return promises). The renderer and the tray ask for
 * a copy and never receive the token. The copied text is cleared after the
 * configured delay, but only if the clipboard still holds exactly what we put
 * there: if the user copied something else meanwhile, that is theirs and stays.
 * The timing and "only if still ours" logic is main/core/clipboard-guard.ts;
 * this file adds Electron's clipboard, the notifications, and what can be
 * claimed about a copy on Wayland.
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
 * True when Electron runs as a native Wayland client. There a copy made
 * without a recent click or key press in one of our windows (a tray menu
 * item, which arrives over D-Bus) is never offered to the compositor:
 * Chromium's Wayland clipboard sends `wl_data_device.set_selection` only with
 * the serial of a recent input event (ui/ozone/platform/wayland/host/
 * wayland_clipboard.cc), GNOME and KDE cancel a selection from an unfocused
 * client, and Chromium still answers `readText()` from its own copy
 * (ui/base/clipboard/clipboard_ozone.cc), so reading back proves nothing.
 * Electron 38 and later pick Wayland by themselves on a Wayland session
 * (`--ozone-platform` defaults to `auto`: docs/breaking-changes.md, 38.0);
 * `--ozone-platform=x11` runs through XWayland, where a copy can be checked.
 */
export function isNativeWayland(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, ozonePlatform: string): boolean {
  if (platform !== 'linux') return false;
  if (ozonePlatform === 'x11') return false;
  return ozonePlatform === 'wayland' || env['XDG_SESSION_TYPE'] === 'wayland';
}

/**
 * The guard shared by the handler table and the tray (one clear timer for
 * both), over Electron's asynchronous clipboard. `label` is the account name:
 * notifications name the account, never the copied text. A copy is announced
 * by whoever asked for it (the window, the tray); the guard announces only
 * what happens later, in the background.
 */
export function createDesktopClipboardGuard(deps: {
  clipboard: Pick<Clipboard, 'writeText' | 'readText' | 'clear'>;
  notify: Notify;
  now(): number;
  timers?: TimerPort;
  /** On native Wayland the clear cannot be confirmed either: say what TokenDesk did, not what the clipboard holds. */
  wayland?: boolean;
}): ClipboardGuard {
  const account = (label: string): string => label || 'your account';
  return createClipboardGuard({
    clipboard: deps.clipboard,
    now: deps.now,
    ...(deps.timers ? { timers: deps.timers } : {}),
    onCleared: (label) =>
      deps.wayland
        ? deps.notify('Copied token withdrawn', `TokenDesk withdrew its copy of the token for ${account(label)} from the clipboard.`)
        : deps.notify('Clipboard cleared', `The token for ${account(label)} was removed from the clipboard.`),
    onError: () => deps.notify('Clipboard problem', 'TokenDesk could not use the clipboard. Please try again.'),
  });
}
