/**
 * The core's ports, Electron edition: `net.request` (Chromium's network
 * stack, so the system proxy and the OS certificate store apply; see
 * net-request-fetch.ts for why not `net.fetch`) and the system browser through
 * `shell.openExternal`.
 */
import { randomBytes } from 'node:crypto';
import type { Net, Shell } from 'electron';
import { InputError } from '../core/errors.js';
import { systemClock, type CorePorts } from '../core/ports.js';
import { createNetRequestFetch } from './net-request-fetch.js';

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

export function createElectronPorts(electron: { net: Pick<Net, 'request'>; shell: Pick<Shell, 'openExternal'> }): CorePorts {
  return {
    fetch: createNetRequestFetch((options) => electron.net.request(options)),
    clock: systemClock,
    randomBytes: (length) => new Uint8Array(randomBytes(length)),
    openExternal: createOpenExternal(electron.shell),
  };
}
