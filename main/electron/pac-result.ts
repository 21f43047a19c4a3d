/**
 * Chromium's answer to "which proxy for this URL" (`session.resolveProxy`),
 * as a proxy URL for Node's fetch. The answer is a PAC result string
 * (Chromium's ProxyList::ToPacString): entries such as "DIRECT",
 * "PROXY host:port", "HTTPS host:port", "SOCKS host:port",
 * "SOCKS5 host:port" or "QUIC host:port", separated by ";". The first entry
 * is the one Chromium itself tries first, so it decides; the later ones are
 * Chromium's fallbacks on failure, which a corporate network relies on less.
 *
 * Used only for accounts with a client certificate: Electron's `net` can
 * present a certificate only through `select-client-certificate` from the
 * operating system's store, never one read from a file, so those requests
 * go through Node's TLS, and this keeps them on the system's proxy.
 */
import { TransportError } from '../core/errors.js';

/**
 * `http://host:port`, `https://host:port`, or undefined for a direct
 * connection. A SOCKS or QUIC proxy, which Node's fetch cannot use, is a
 * TransportError in plain words.
 */
export function proxyFromPacResult(result: string, target: URL): string | undefined {
  const first = result
    .split(';')
    .map((entry) => entry.trim())
    .find((entry) => entry !== '');
  if (first === undefined || /^DIRECT$/i.test(first)) return undefined;
  const match = /^([A-Za-z0-9]+)\s+(\S+)$/.exec(first);
  const scheme = match?.[1]?.toUpperCase();
  const hostPort = match?.[2];
  if (!scheme || !hostPort) throw unusable(target, 'an answer TokenDesk cannot read');
  switch (scheme) {
    case 'PROXY':
      return `http://${hostPort}`;
    case 'HTTPS':
      return `https://${hostPort}`;
    case 'SOCKS':
    case 'SOCKS4':
    case 'SOCKS5':
      throw unusable(target, `a SOCKS proxy (${hostPort}), which the connection that presents a client certificate cannot go through; ask IT for an HTTP proxy for ${target.host}, or for a direct route`);
    default:
      throw unusable(target, `a ${scheme} proxy (${hostPort}), which the connection that presents a client certificate cannot go through`);
  }
}

function unusable(target: URL, what: string): TransportError {
  return new TransportError('ERR_NETWORK', `This computer's proxy settings send ${target.host} to ${what}.`);
}
