/**
 * A failed fetch, explained in plain words. The error chain is what the
 * transports really throw:
 * - Node's fetch (undici): `TypeError: fetch failed` whose `cause` carries
 *   OpenSSL's or Node's `code` (CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID,
 *   ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED, ECONNREFUSED, …), wrapped by
 *   node-fetch.ts in a NodeFetchFailure saying whether a proxy or a client
 *   certificate was involved;
 * - Electron's `net`: Chromium's net error in the message (`net::ERR_CERT_DATE_INVALID`).
 * Certificate problems become ERR_TLS, proxy problems ERR_PROXY, the rest
 * ERR_NETWORK; all are TransportErrors (exit 4). Where the error does not
 * carry the certificate (an expiry date, the names it is for), one more
 * handshake reads it (peer-certificate.ts).
 */
import { isTokenDeskError, TransportError, type TokenDeskError } from '../errors.js';
import { altNames, probePeerCertificate, probeServer, type PeerCertificateFacts } from './peer-certificate.js';

/** What went wrong with a secure connection, as a user would tell it apart. */
export type TlsProblem =
  | 'unknown-authority'
  | 'self-signed'
  | 'expired'
  | 'not-yet-valid'
  | 'name-mismatch'
  | 'revoked'
  | 'client-certificate-required'
  | 'client-certificate-refused'
  | 'not-tls'
  | 'old-protocol'
  | 'other';

const TLS_PROBLEMS: Readonly<Record<string, TlsProblem>> = {
  // Node / OpenSSL verification results (X509_V_ERR_* as Node names them)
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown-authority',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown-authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown-authority',
  SELF_SIGNED_CERT_IN_CHAIN: 'unknown-authority',
  CERT_UNTRUSTED: 'unknown-authority',
  INVALID_CA: 'unknown-authority',
  CERT_SIGNATURE_FAILURE: 'unknown-authority',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'name-mismatch',
  HOSTNAME_MISMATCH: 'name-mismatch',
  CERT_REVOKED: 'revoked',
  // TLS alerts the server sent about our client certificate
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'client-certificate-required',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'client-certificate-refused',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'client-certificate-refused',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'client-certificate-refused',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: 'client-certificate-refused',
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: 'client-certificate-refused',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'client-certificate-refused',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'client-certificate-refused',
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: 'client-certificate-refused',
  // Not TLS at all, or a protocol the server or TokenDesk no longer speaks
  ERR_SSL_WRONG_VERSION_NUMBER: 'not-tls',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'not-tls',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'old-protocol',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'old-protocol',
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: 'old-protocol',
  // Chromium (net/base/net_error_list.h), as Electron's net reports them
  ERR_CERT_AUTHORITY_INVALID: 'unknown-authority',
  ERR_CERT_DATE_INVALID: 'expired',
  ERR_CERT_COMMON_NAME_INVALID: 'name-mismatch',
  ERR_CERT_REVOKED: 'revoked',
  ERR_BAD_SSL_CLIENT_AUTH_CERT: 'client-certificate-refused',
  ERR_SSL_CLIENT_AUTH_CERT_NEEDED: 'client-certificate-required',
  ERR_SSL_VERSION_OR_CIPHER_MISMATCH: 'old-protocol',
  ERR_SSL_PROTOCOL_ERROR: 'other',
};

/** Codes that are certificate or TLS trouble without a more precise name. */
const OTHER_TLS = /^(?:ERR_CERT_|ERR_SSL_|ERR_TLS_|CERT_|X509_)|^EPROTO$/;

/** Chromium's proxy failures (net_error_list.h); Node's are recognised by the NodeFetchFailure around them. */
const CHROMIUM_PROXY = /^ERR_(?:PROXY_|TUNNEL_CONNECTION_FAILED|MANDATORY_PROXY_CONFIGURATION_FAILED)/;

export function tlsProblemOf(code: string): TlsProblem | undefined {
  return TLS_PROBLEMS[code] ?? (OTHER_TLS.test(code) ? 'other' : undefined);
}

/** What the error chain says, gathered once. */
export interface FailureFacts {
  /** Every `code` in the chain, outermost first, Chromium's from messages included. */
  codes: string[];
  /** The proxy the request went through (scheme, host, port), when one was used. */
  proxy?: string;
  /** The proxy URL carried a user name and password. */
  proxyCredentials?: boolean;
  /** The status the proxy answered CONNECT with, when it was not 200. */
  proxyStatus?: number;
  /** The connection presented the account's client certificate. */
  clientCertificate?: boolean;
  /** The authorities the transport trusted instead of the defaults (node-fetch.ts says so). */
  trust?: readonly string[];
  /** Node's name-mismatch error carries the host and the certificate. */
  mismatch?: { host: string; names: string[]; subject?: string };
}

interface ChainLink {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  proxy?: unknown;
  proxyCredentials?: unknown;
  clientCertificate?: unknown;
  trust?: unknown;
  host?: unknown;
  cert?: { subjectaltname?: unknown; subject?: { CN?: unknown } };
}

/** Walks `cause` a few levels deep (fetch nests the socket error one or two down). */
export function failureFacts(error: unknown): FailureFacts {
  const facts: FailureFacts = { codes: [] };
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
    const link = current as ChainLink;
    if (typeof link.code === 'string') facts.codes.push(link.code);
    if (typeof link.message === 'string') {
      const chromium = /net::(ERR_[A-Z0-9_]+)/.exec(link.message);
      if (chromium?.[1]) facts.codes.push(chromium[1]);
      // undici: "Proxy response (407) !== 200 when HTTP Tunneling"; "Proxy Authentication Required (407)" without a tunnel
      const proxyStatus = /Proxy response \((\d{3})\)|Proxy Authentication Required \((407)\)/.exec(link.message);
      if (proxyStatus) facts.proxyStatus = Number(proxyStatus[1] ?? proxyStatus[2]);
    }
    if (typeof link.proxy === 'string') facts.proxy = link.proxy;
    if (link.proxyCredentials === true) facts.proxyCredentials = true;
    if (link.clientCertificate === true) facts.clientCertificate = true;
    if (Array.isArray(link.trust) && link.trust.every((pem) => typeof pem === 'string')) facts.trust = link.trust as string[];
    if (link.code === 'ERR_TLS_CERT_ALTNAME_INVALID' && typeof link.host === 'string' && link.cert) {
      const names = altNames(typeof link.cert.subjectaltname === 'string' ? link.cert.subjectaltname : undefined);
      const subject = typeof link.cert.subject?.CN === 'string' ? link.cert.subject.CN : undefined;
      facts.mismatch = { host: link.host, names, ...(subject ? { subject } : {}) };
    }
    current = link.cause;
  }
  return facts;
}

/** A date as staff read it in any country: 2026-12-01 14:15 UTC. */
export function formatCertificateDate(ms: number): string {
  if (!Number.isFinite(ms)) return 'an unreadable date';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function listNames(names: readonly string[]): string {
  if (names.length === 0) return 'no name';
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

const TRUST_ADVICE =
  "If your company inspects secure connections, its certificate authority must be trusted: ask IT to install it in the operating system's certificate store, which the app uses. The command line uses that store too on Node 22.15 or later; on any Node it also trusts the PEM file that the NODE_EXTRA_CA_CERTS variable names.";

interface Explained {
  problem: TlsProblem;
  text: string;
}

/** The plain-words sentence for a TLS problem; `cert` fills in the details when it could be read. */
function explainTls(problem: TlsProblem, code: string, facts: FailureFacts, target: URL, cert: PeerCertificateFacts | undefined, now: number): Explained {
  const host = target.hostname;
  switch (problem) {
    case 'unknown-authority':
      if (cert?.selfIssued) return explainTls('self-signed', code, facts, target, cert, now);
      return {
        problem,
        text: `The server's certificate was not issued by an authority this computer trusts${cert ? ` (it names "${cert.issuer}" as its issuer)` : ''}. ${TRUST_ADVICE}`,
      };
    case 'self-signed':
      return {
        problem,
        text: `The server presented a self-signed certificate${cert ? ` for "${cert.subject}"` : ''}: it vouches for itself, and no authority this computer trusts vouches for it. TokenDesk never accepts one. If the address is right and your company inspects secure connections, ${TRUST_ADVICE.slice(TRUST_ADVICE.indexOf('its certificate authority'))}`,
      };
    case 'expired':
      if (cert && cert.validFrom > now) return explainTls('not-yet-valid', code, facts, target, cert, now);
      return {
        problem,
        text: cert
          ? `The server's certificate expired on ${formatCertificateDate(cert.validTo)}. The server's owner must renew it; if that date is not in the past, this computer's clock is wrong.`
          : "The server's certificate has expired (or this computer's clock is wrong). The server's owner must renew it.",
      };
    case 'not-yet-valid':
      return {
        problem,
        text: cert
          ? `The server's certificate is valid only from ${formatCertificateDate(cert.validFrom)}. Check this computer's date and time.`
          : "The server's certificate is not valid yet. Check this computer's date and time.",
      };
    case 'name-mismatch': {
      const names = facts.mismatch?.names.length ? facts.mismatch.names : cert?.names.length ? cert.names : cert ? [cert.subject] : [];
      return {
        problem,
        text: names.length
          ? `The server's certificate is for ${listNames(names)}, not for ${facts.mismatch?.host ?? host}. The address may be mistyped, or something in between (a company proxy, a wrong DNS entry) answered instead of the server.`
          : `The server's certificate is not for ${host}. The address may be mistyped, or something in between answered instead of the server.`,
      };
    }
    case 'revoked':
      return { problem, text: "The server's certificate has been revoked by its authority. Do not use this server until its owner replaces it." };
    case 'client-certificate-required':
      return facts.clientCertificate
        ? { problem: 'client-certificate-refused', text: "The server did not accept the account's client certificate. Ask the vendor whether this certificate is registered for the account, or import the one they issued." }
        : { problem, text: 'The server requires a client certificate (mutual TLS), and this account holds none. Import the certificate and key the vendor issued (client_certificate and client_key, or client_pkcs12).' };
    case 'client-certificate-refused':
      return {
        problem,
        text: facts.clientCertificate
          ? "The server did not accept the account's client certificate (it is not registered, expired, or issued by an authority the server does not trust). Ask the vendor which certificate the account must use."
          : 'The server ended the secure connection because it wants a client certificate (mutual TLS), and this account holds none. Import the certificate and key the vendor issued.',
      };
    case 'not-tls':
      return { problem, text: `The server at ${target.host} did not answer in TLS. Check the address and its port.` };
    case 'old-protocol':
      return { problem, text: 'The server and TokenDesk share no secure protocol version (the server may offer only outdated TLS 1.0 or 1.1). Its owner must update it.' };
    default:
      return { problem, text: 'The secure connection could not be set up.' };
  }
}

function explainProxy(facts: FailureFacts, proxy: string | undefined, code: string | undefined, what: string, shown: string): string {
  const status = facts.proxyStatus;
  if (proxy === undefined) {
    return `The connection to the ${what} at ${shown} failed at the proxy this computer is set to use (${code ?? 'no details'}). Check the system's proxy settings, or ask IT.`;
  }
  if (status === 407) {
    return facts.proxyCredentials
      ? `The proxy ${proxy} refused the user name and password it was given (HTTP 407). Check them in the proxy setting (for the command line, the user:password@ part of HTTPS_PROXY).`
      : `The proxy ${proxy} asks for a user name and password (HTTP 407 Proxy Authentication Required). For the command line, put them in HTTPS_PROXY as http://user:password@proxy:port (percent-encode special characters).`;
  }
  if (status === 403) return `The proxy ${proxy} does not allow connections to the ${what} at ${shown} (HTTP 403). Ask IT to allow this address.`;
  if (status !== undefined) {
    return `The proxy ${proxy} could not connect to the ${what} at ${shown} (HTTP ${status}). The address may be wrong, or the proxy cannot reach it.`;
  }
  return `Could not reach the proxy ${proxy}${code ? ` (${code})` : ''}. Check the proxy setting (for the command line, HTTPS_PROXY) and the network connection.`;
}

/** A server's alert follows its handshake within a round trip; this leaves room for a slow network. */
const ALERT_WAIT_MS = 500;

export interface ExplainOptions {
  /** Read the server's certificate for details (default true; tests of the wording turn it off). */
  probe?: boolean;
  /** Epoch ms, to tell an expired certificate from one not yet valid. */
  now?: number;
}

/**
 * The TransportError for a fetch that threw: ERR_TLS, ERR_PROXY or
 * ERR_NETWORK, naming `what` and its address (never its query). A
 * TokenDesk error from the port itself (a proxy variable that cannot be
 * used, a client certificate that does not load) already says what is
 * wrong and is returned as it is.
 */
export async function explainFetchFailure(error: unknown, what: string, target: URL, options: ExplainOptions = {}): Promise<TokenDeskError> {
  if (isTokenDeskError(error)) return error;
  const facts = failureFacts(error);
  const shown = `${target.origin}${target.pathname}${target.search ? '?…' : ''}`;
  const tls = facts.codes.map((c) => ({ code: c, problem: tlsProblemOf(c) })).find((entry) => entry.problem !== undefined);
  if (tls?.problem) {
    const needsCertificate = ['unknown-authority', 'self-signed', 'expired', 'not-yet-valid'].includes(tls.problem) || (tls.problem === 'name-mismatch' && !facts.mismatch);
    // Through a proxy a direct handshake would reach nothing (or something else): no details then.
    const cert = needsCertificate && options.probe !== false && !facts.proxy ? await probePeerCertificate(target, facts.trust ? { ca: facts.trust } : {}) : undefined;
    const explained = explainTls(tls.problem, tls.code, facts, target, cert, options.now ?? Date.now());
    return new TransportError('ERR_TLS', `The secure connection to the ${what} at ${shown} failed (${tls.code}). ${explained.text}`, {}, { cause: error });
  }
  const code = facts.codes.find((c) => c !== 'ERR_INVALID_ARG_TYPE' && c !== 'UND_ERR_ABORTED') ?? facts.codes[0];
  const chromiumProxy = facts.codes.find((c) => CHROMIUM_PROXY.test(c));
  if (facts.proxy || chromiumProxy) {
    return new TransportError('ERR_PROXY', explainProxy(facts, facts.proxy, chromiumProxy ?? code, what, shown), {}, { cause: error });
  }
  // TLS 1.3 servers check the client certificate after the handshake, and Node's fetch reports their alert
  // only as a closed socket: a handshake of our own, without a certificate, hears whether the server wants one.
  const closed = code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE';
  if (closed && target.protocol === 'https:' && options.probe !== false) {
    const { alert } = await probeServer(target, { listenAfterHandshakeMs: ALERT_WAIT_MS, ...(facts.trust ? { ca: facts.trust } : {}) });
    if (alert && tlsProblemOf(alert) === 'client-certificate-required') {
      const explained = explainTls('client-certificate-required', alert, facts, target, undefined, options.now ?? Date.now());
      return new TransportError('ERR_TLS', `The secure connection to the ${what} at ${shown} failed (${code}). ${explained.text}`, {}, { cause: error });
    }
  }
  const resetAfterCertificate = facts.clientCertificate && closed;
  return new TransportError(
    'ERR_NETWORK',
    resetAfterCertificate
      ? `The ${what} at ${shown} closed the connection (${code}) after TokenDesk presented the account's client certificate. Servers do this when they do not accept the certificate: ask the vendor whether it is registered for this account.`
      : `Could not talk to the ${what} at ${shown}${code ? ` (${code})` : ''}. Check the address and the network connection.`,
    {},
    { cause: error },
  );
}
