/**
 * Reads the certificate a server presents, to explain a TLS failure in plain
 * words (its expiry date, the names it is for, who issued it). Neither
 * Node's fetch nor Chromium's `net` puts the certificate on the error, so
 * after a failure TokenDesk opens one more TLS handshake to the same server
 * and reads the certificate off it.
 *
 * The handshake verifies as always (rejectUnauthorized stays true): the
 * certificate is read in the `secure` event, which Node's TLSSocket emits
 * when the handshake is done and before its own verification
 * (lib/_tls_wrap.js: `onConnectSecure` is itself a `secure` listener, so a
 * listener put in front of it sees the peer's certificate before the socket
 * is destroyed). Nothing is ever written to the connection.
 */
import { connect, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';

export interface PeerCertificateFacts {
  /** The subject's common name, else the whole subject. */
  subject: string;
  /** The issuer's common name (or organisation), else the whole issuer. */
  issuer: string;
  /** Epoch milliseconds. */
  validFrom: number;
  /** Epoch milliseconds. */
  validTo: number;
  /** DNS names and IP addresses of subjectAltName. */
  names: string[];
  /** Subject and issuer are the same: the server signed its own certificate. */
  selfIssued: boolean;
}

/** Long enough for a handshake on a slow network, short enough not to hold up the error. */
const PROBE_TIMEOUT_MS = 3000;

function nameOf(fields: PeerCertificate['subject'] | undefined): string {
  if (!fields) return '(unnamed)';
  const cn = fields.CN;
  const o = fields.O;
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  return first(cn) ?? first(o) ?? (Object.entries(fields).map(([key, value]) => `${key}=${String(value)}`).join(', ') || '(unnamed)');
}

/** "DNS:a.example, IP Address:127.0.0.1" as Node prints subjectaltname, without the labels. */
export function altNames(subjectaltname: string | undefined): string[] {
  if (!subjectaltname) return [];
  return subjectaltname
    .split(/,\s*/)
    .map((entry) => entry.replace(/^(DNS|IP Address):/i, '').trim())
    .filter((entry) => entry.length > 0);
}

export function factsOf(cert: PeerCertificate): PeerCertificateFacts {
  const subject = nameOf(cert.subject);
  const issuer = nameOf(cert.issuer);
  return {
    subject,
    issuer,
    validFrom: Date.parse(cert.valid_from),
    validTo: Date.parse(cert.valid_to),
    names: altNames(cert.subjectaltname),
    selfIssued: JSON.stringify(cert.subject) === JSON.stringify(cert.issuer),
  };
}

/**
 * The certificate `url`'s server presents, or undefined when none could be
 * read in time (the server is gone, a proxy stands between, no TLS at all).
 * Connects directly: behind a proxy that blocks direct connections it finds
 * nothing, and the message goes without the details.
 */
export function probePeerCertificate(url: URL, timeoutMs = PROBE_TIMEOUT_MS): Promise<PeerCertificateFacts | undefined> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port) || 443;
  return new Promise((resolve) => {
    let facts: PeerCertificateFacts | undefined;
    const socket = connect({ host, port, ...(isIP(host) ? {} : { servername: host }), ALPNProtocols: ['http/1.1'] });
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(facts);
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.prependOnceListener('secure', () => {
      const cert = socket.getPeerCertificate();
      if (cert && Object.keys(cert).length > 0) facts = factsOf(cert);
    });
    socket.once('secureConnect', finish);
    socket.once('error', finish);
    socket.once('close', finish);
  });
}
