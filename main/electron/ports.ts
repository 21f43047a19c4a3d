/**
 * The core's ports, Electron edition: `net.request` (Chromium's network
 * stack, so the system proxy and the OS certificate store apply; see
 * net-request-fetch.ts for why not `net.fetch`) and the system browser through
 * `shell.openExternal`.
 *
 * Accounts with a client certificate (mutual TLS) are the exception. Chromium's
 * `net` presents a client certificate only from the operating system's store,
 * through the app's `select-client-certificate` event, never one read from a
 * file or the vault; importing the user's key into the OS store behind their
 * back is not ours to do. So their requests go through Node's TLS in this main
 * process (createNodeFetch), still on the system's proxy: each URL's proxy is
 * asked of Chromium (`session.resolveProxy`, pac-result.ts), and the
 * authorities are Node's plus the OS store where Node offers it.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { BaseWindow, Dialog, Net, Session, Shell } from 'electron';
import { InputError } from '../core/errors.js';
import { perIdentity } from '../core/net/identity-cache.js';
import { createNodeFetch, type NodeFetchOptions } from '../core/net/node-fetch.js';
import { systemClock, type CorePorts } from '../core/ports.js';
import { createNetRequestFetch } from './net-request-fetch.js';
import { proxyFromPacResult } from './pac-result.js';

/** True for the only URLs we hand to the system browser. */
export function isBrowserUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Opens an authorization URL in the system browser (RFC 8252 8.12: never an
 * embedded window). Anything but http and https is refused: `file:`, `smb:` or
 * a custom scheme could start a program.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.12
 */
export function createOpenExternal(shell: Pick<Shell, 'openExternal'>): (url: string) => Promise<void> {
  return async (url) => {
    if (!isBrowserUrl(url)) throw new InputError('ERR_INPUT_INSECURE_URL', 'TokenDesk only opens web addresses (http or https) in the browser.');
    await shell.openExternal(url, { activate: true });
  };
}

/** The proxy Chromium would use for `url`, as Node's fetch takes it (undefined: direct). */
export function chromiumProxyResolver(session: Pick<Session, 'resolveProxy'>): (url: URL) => Promise<string | undefined> {
  return async (url) => proxyFromPacResult(await session.resolveProxy(url.href), url);
}

/** What the save dialog needs: Electron's `dialog`, the window to attach to, the folder it opens in. */
export interface SaveDialogHost {
  dialog: Pick<Dialog, 'showSaveDialog'>;
  /** The main window, when there is one: the dialog is then modal to it. */
  parent(): BaseWindow | undefined;
  /** Where the dialog starts (the user's Documents folder). */
  folder(): string;
}

/**
 * `CorePorts.chooseSavePath` on `dialog.showSaveDialog` (electron.d.ts, Dialog:
 * `showSaveDialog(window: BaseWindow, options: SaveDialogOptions):
 * Promise<SaveDialogReturnValue>`, line 8414 for Electron 45.5; `canceled`,
 * and `filePath` "an empty string" when canceled, line 24761). The dialog
 * asks before replacing a file (`showOverwriteConfirmation`, which Linux
 * needs asked for).
 */
export function createChooseSavePath(host: SaveDialogHost): (defaultName: string) => Promise<string | undefined> {
  return async (defaultName) => {
    const options = {
      title: 'Save a backup',
      defaultPath: join(host.folder(), defaultName),
      filters: [{ name: 'TokenDesk backup', extensions: ['json'] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'] as ('createDirectory' | 'showOverwriteConfirmation')[],
    };
    const parent = host.parent();
    const result = parent ? await host.dialog.showSaveDialog(parent, options) : await host.dialog.showSaveDialog(options);
    return result.canceled || result.filePath === '' ? undefined : result.filePath;
  };
}

export function createElectronPorts(
  electron: { net: Pick<Net, 'request'>; shell: Pick<Shell, 'openExternal'>; session: Pick<Session, 'resolveProxy'>; saveDialog?: SaveDialogHost },
  /** Tests pass their own authorities; the app trusts Node's defaults plus the OS store. */
  nodeFetchOptions: Pick<NodeFetchOptions, 'ca'> = {},
): CorePorts {
  const resolveProxy = chromiumProxyResolver(electron.session);
  const withCertificate = perIdentity((clientCertificate) => createNodeFetch({ ...nodeFetchOptions, resolveProxy, clientCertificate }));
  return {
    fetch: createNetRequestFetch((options) => electron.net.request(options)),
    fetchWithClientCertificate: withCertificate,
    forgetClientCertificates: () => withCertificate.clear(),
    clock: systemClock,
    randomBytes: (length) => new Uint8Array(randomBytes(length)),
    openExternal: createOpenExternal(electron.shell),
    ...(electron.saveDialog ? { chooseSavePath: createChooseSavePath(electron.saveDialog) } : {}),
  };
}
