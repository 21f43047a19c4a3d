/**
 * The one loopback rule of TokenDesk. The importer (which URLs may use plain
 * http), the transport (which URLs a request may go to over plain http) and
 * the redirect listener (which address to bind) all ask this module, so an
 * address that imports is an address that works.
 *
 * The rule: `localhost`, the IPv6 loopback address `::1`, and every address of
 * the IPv4 loopback block 127.0.0.0/8.
 * - RFC 6890 (table 4, "Loopback") reserves the whole of 127.0.0.0/8 for
 *   loopback, and RFC 1122 3.2.1.3 forbids such a datagram to leave the host,
 *   so plain http to 127.0.0.2 is exactly as private as to 127.0.0.1. ::1/128
 *   is the only IPv6 loopback address (RFC 6890 table 18; RFC 4291 2.5.3).
 * - RFC 8252 8.3 recommends the literals over `localhost` (a name can be
 *   resolved elsewhere by a hostile resolver configuration); SPEC 3 keeps
 *   `localhost` allowed for endpoints because local test servers use it, and
 *   the redirect listener binds 127.0.0.1 for it (never a name lookup).
 * - IPv4-mapped forms such as `[::ffff:127.0.0.1]` are not accepted: whether
 *   they reach the loopback interface depends on the socket's dual-stack setting.
 *
 * Hosts are compared as the WHATWG URL parser leaves them, which already turns
 * `127.1`, `0x7f.0.0.1` and `2130706433` into `127.0.0.1` and `[0::1]` into `[::1]`.
 */

const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_LOOPBACK = new RegExp(`^127(?:\\.${IPV4_OCTET}){3}$`);

/**
 * True for `localhost`, `::1` (with or without brackets) and 127.0.0.0/8.
 * @see https://www.rfc-editor.org/rfc/rfc6890#section-2.2.2
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.3
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || IPV4_LOOPBACK.test(host);
}

/**
 * The address a loopback listener binds for a redirect URI host: the IPv4 or
 * IPv6 literal itself, 127.0.0.1 for `localhost` (RFC 8252 8.3: never bind a
 * name), undefined when the host is not loopback.
 */
export function loopbackBindAddress(hostname: string): string | undefined {
  if (!isLoopbackHost(hostname)) return undefined;
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost') return '127.0.0.1';
  return host;
}
