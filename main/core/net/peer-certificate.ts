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
import { trustedAuthorities } from './trust.js';

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

export interface ProbeResult {
  /** The server's certificate, when the handshake got that far. */
  certificate?: PeerCertificateFacts;
  /**
   * The error the server's TLS alert raised right after the handshake
   * (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED): in TLS 1.3 a server checks
   * the client certificate after the client has finished, so a refusal
   * arrives then, and Node's fetch reports it only as a closed socket.
   */
  alert?: string;
}

export interface ProbeOptions {
  timeoutMs?: number;
  /** The authorities the failed request trusted; default: what TokenDesk trusts (trust.ts). */
  ca?: readonly string[];
  /** How long to wait for an alert after the handshake; 0 (default) ends the probe at the handshake. */
  listenAfterHandshakeMs?: number;
}

/**
 * What `url`'s server presents: its certificate, and an alert it sends right
 * after the handshake when asked for. Empty when nothing could be read in
 * time (the server is gone, a proxy stands between, no TLS at all).
 * Connects directly: behind a proxy that blocks direct connections it finds
 * nothing, and the message goes without the details.
 */
export function probeServer(url: URL, options: ProbeOptions = {}): Promise<ProbeResult> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port) || 443;
  const listenMs = options.listenAfterHandshakeMs ?? 0;
  return new Promise((resolve) => {
    const result: ProbeResult = {};
    const ca = options.ca ?? trustedAuthorities();
    const socket = connect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...(ca ? { ca: [...ca] } : {}), ALPNProtocols: ['http/1.1'] });
    let done = false;
    let handshakeDone = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(finish, options.timeoutMs ?? PROBE_TIMEOUT_MS);
    socket.prependOnceListener('secure', () => {
      const cert = socket.getPeerCertificate();
      if (cert && Object.keys(cert).length > 0) result.certificate = factsOf(cert);
    });
    socket.once('secureConnect', () => {
      handshakeDone = true;
      if (listenMs <= 0) return finish();
      // Read (nothing is written): the alert is processed only as records arrive.
      socket.resume();
      setTimeout(finish, listenMs).unref();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (handshakeDone && typeof error.code === 'string' && error.code.startsWith('ERR_SSL_')) result.alert = error.code;
      finish();
    });
    socket.once('close', finish);
  });
}

/** The certificate `url`'s server presents, or undefined (see probeServer). */
export async function probePeerCertificate(url: URL, options: Omit<ProbeOptions, 'listenAfterHandshakeMs'> = {}): Promise<PeerCertificateFacts | undefined> {
  return (await probeServer(url, options)).certificate;
}
