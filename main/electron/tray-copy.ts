/**
 * "Copy token" and "Refresh & copy" from the tray menu, and the one
 * notification that tells how it went. It says only what is true: a copy that
 * failed says so; on native Wayland, where a copy made from the tray cannot
 * be confirmed (clipboard.ts, isNativeWayland), it says that it was asked
 * for and how to copy from the window instead.
 */
import type { IpcHandlers } from '../../shared/ipc.js';
import type { Notify } from './clipboard.js';

export interface TrayCopyDeps {
  copy: IpcHandlers['tokens:copy'];
  notify: Notify;
  now(): number;
  wayland: boolean;
}

function clearsIn(clearsAt: number | undefined, now: number): string {
  return clearsAt === undefined ? '' : ` It will be cleared in ${Math.max(1, Math.round((clearsAt - now) / 1000))} seconds.`;
}

export function createTrayCopy(deps: TrayCopyDeps): (name: string, force: boolean) => Promise<void> {
  return async (name, force) => {
    const result = await deps.copy({ name, what: 'token', force });
    if (!result.ok) {
      deps.notify(result.error.code === 'ERR_CLIPBOARD' ? `Could not copy the token for ${name}` : `No token for ${name}`, result.error.message);
      return;
    }
    const later = clearsIn(result.value.clearsAt, deps.now());
    if (deps.wayland) {
      deps.notify(
        'Copy requested',
        `TokenDesk put the token for ${name} on the clipboard, but on Wayland a copy made from the tray cannot be confirmed. If pasting does not work, open TokenDesk and press Copy in the window.${later}`,
      );
      return;
    }
    deps.notify('Token copied', `The token for ${name} is on the clipboard.${later}`);
  };
}
