/**
 * The certificate authorities Node's TLS trusts for TokenDesk.
 *
 * - Node 22.15+ and 23.8+ offer `tls.getCACertificates('system')`: the
 *   operating system's store (Windows certificate store, macOS keychain,
 *   the OpenSSL folder on Linux), where IT installs a company authority.
 *   TokenDesk then trusts Node's bundled Mozilla list, NODE_EXTRA_CA_CERTS
 *   and the system store together, as `node --use-system-ca` does.
 * - Older Node (20) has no such call: Node's defaults apply, which are the
 *   bundled list plus the file NODE_EXTRA_CA_CERTS names (read by Node at
 *   start, so it must be set before `tokendesk` starts).
 * Electron 45's Node offers the call, so the app's Node transport (accounts
 * with a client certificate) trusts the system store as Chromium does.
 */
import * as tls from 'node:tls';

/** The part of `node:tls` this module reads; `getCACertificates` is missing on Node 20. */
export interface TlsAuthorities {
  getCACertificates?: (type?: 'default' | 'system' | 'bundled' | 'extra') => string[];
}

/**
 * The authorities to pass as `ca`, or undefined for Node's defaults (when
 * the running Node cannot read the system store). Reading the store costs a
 * few milliseconds, so callers ask once, on the first connection.
 */
export function trustedAuthorities(api: TlsAuthorities = tls as TlsAuthorities): string[] | undefined {
  if (typeof api.getCACertificates !== 'function') return undefined;
  const defaults = api.getCACertificates('default');
  let system: string[] = [];
  try {
    system = api.getCACertificates('system');
  } catch {
    // A store that cannot be read leaves Node's defaults, as on Node 20.
  }
  return [...new Set([...defaults, ...system])];
}

/** Whether the running Node reads the operating system's store (for the README's and `--version`'s words). */
export function readsSystemStore(api: TlsAuthorities = tls as TlsAuthorities): boolean {
  return typeof api.getCACertificates === 'function';
}
