/**
 * Reads a client certificate for mutual TLS (RFC 8705) as the user gave it,
 * PEM certificate and key or a PKCS#12 file, and checks it the way the TLS
 * handshake will use it: the certificate parses, the key opens with its
 * password and belongs to the certificate, the whole identity loads into a
 * TLS context, and it is not already expired. What comes out is stored in the
 * vault as it is, with the facts the app shows (ClientCertificateInfo).
 *
 * Problems are words that follow the name of the setting they are about
 * ("client_pkcs12: the password does not open this file"); none of them
 * quotes the key, the file or a password.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import type { ClientCertificate, ClientCertificateInfo } from '../../../shared/account.js';
import { certificateDay } from '../../../shared/certificate-expiry.js';

/** The settings a problem can be about, by their canonical TOML key. */
export type CertificateSetting = 'client_certificate' | 'client_key' | 'client_key_password' | 'client_pkcs12' | 'client_pkcs12_password';

export interface CertificateProblem {
  setting: CertificateSetting;
  /** Plain words, never a secret. */
  message: string;
}

export type CertificateReading = { certificate: ClientCertificate; problem?: undefined } | { certificate?: undefined; problem: CertificateProblem };

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** The PEM blocks of a text, each with its label ("CERTIFICATE", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", ...). */
function pemBlocks(text: string): { label: string; pem: string }[] {
  return [...text.matchAll(PEM_BLOCK)].map((match) => ({ label: match[1]!, pem: match[0] }));
}


/** "CN=a\nO=b" (Node's multi-line form) -> "CN=a, O=b". */
function oneLine(name: string): string {
  return name
    .split('\n')
    .map((part) => part.trim())
    .filter(Boolean)
    .join(', ');
}

/** What the app shows about a certificate. */
export function certificateInfo(certificate: X509Certificate): ClientCertificateInfo {
  return {
    subject: oneLine(certificate.subject),
    issuer: oneLine(certificate.issuer),
    notBefore: Date.parse(certificate.validFrom),
    notAfter: Date.parse(certificate.validTo),
    fingerprint256: certificate.fingerprint256,
    serialNumber: certificate.serialNumber,
  };
}

/** A certificate the handshake would present but the server must refuse: expired, or not valid yet. */
function validityProblem(info: ClientCertificateInfo, setting: CertificateSetting, now: number): CertificateProblem | undefined {
  if (info.notAfter <= now) {
    return { setting, message: `the client certificate (${info.subject}) expired on ${certificateDay(info.notAfter)}: ask the vendor for a new one` };
  }
  if (info.notBefore > now) {
    return {
      setting,
      message: `the client certificate (${info.subject}) is valid only from ${certificateDay(info.notBefore)}: check this computer's date, or import it from that day on`,
    };
  }
  return undefined;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

function errorText(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : '';
}

/**
 * Reads PEM text: `certificateText` holds the certificate first, then any
 * intermediate authorities (what the server needs to build the chain), and
 * may hold the key as well when `keyText` is not given (curl's `--cert
 * both.pem`). The key may be PKCS#8, PKCS#1 or SEC1, encrypted with
 * `keyPassword`.
 */
export function readPemCertificate(input: { certificateText: string; keyText?: string; keyPassword?: string }, now: number): CertificateReading {
  const blocks = pemBlocks(input.certificateText);
  const certificates = blocks.filter((block) => block.label === 'CERTIFICATE' || block.label === 'X509 CERTIFICATE' || block.label === 'TRUSTED CERTIFICATE');
  if (certificates.length === 0) {
    return { problem: { setting: 'client_certificate', message: 'this is not a PEM certificate (expected a block that starts with -----BEGIN CERTIFICATE-----)' } };
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certificates[0]!.pem);
    for (const authority of certificates.slice(1)) new X509Certificate(authority.pem);
  } catch {
    return { problem: { setting: 'client_certificate', message: 'the certificate cannot be read: its PEM text is damaged or incomplete' } };
  }
  const keySetting: CertificateSetting = input.keyText !== undefined ? 'client_key' : 'client_certificate';
  const keyBlocks = pemBlocks(input.keyText ?? input.certificateText).filter((block) => block.label.endsWith('PRIVATE KEY'));
  if (keyBlocks.length === 0) {
    return {
      problem:
        input.keyText !== undefined
          ? { setting: 'client_key', message: 'this is not a PEM private key (expected a block that starts with -----BEGIN PRIVATE KEY-----)' }
          : { setting: 'client_certificate', message: 'the certificate needs its private key: add client_key = "client.key" (or put the key in the same PEM file)' },
    };
  }
  if (keyBlocks.length > 1) return { problem: { setting: keySetting, message: 'this holds more than one private key; give only the key of the certificate' } };
  const keyPem = keyBlocks[0]!.pem;
  // Without a password OpenSSL only says "interrupted or cancelled": the PEM itself says whether it is encrypted.
  if (input.keyPassword === undefined && (keyBlocks[0]!.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(keyPem))) {
    return { problem: { setting: keySetting, message: 'the private key is encrypted: add client_key_password = "…" with its password' } };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyPem, format: 'pem', ...(input.keyPassword !== undefined ? { passphrase: input.keyPassword } : {}) });
  } catch (error) {
    return { problem: keyProblem(error, keySetting, input.keyPassword !== undefined) };
  }
  if (!leaf.checkPrivateKey(key)) {
    return { problem: { setting: keySetting, message: `this private key does not belong to the certificate (${oneLine(leaf.subject)}): give the key that was made with it` } };
  }
  const info = certificateInfo(leaf);
  const expired = validityProblem(info, 'client_certificate', now);
  if (expired) return { problem: expired };
  const certificate = certificates.map((block) => block.pem).join('\n') + '\n';
  try {
    loadIntoTls({ cert: certificate, key: keyPem, ...(input.keyPassword !== undefined ? { passphrase: input.keyPassword } : {}) });
  } catch {
    return { problem: { setting: keySetting, message: 'this key and certificate cannot be used for a secure connection (the key type is not one TLS accepts)' } };
  }
  return {
    certificate: { format: 'pem', certificate, key: keyPem, ...(input.keyPassword !== undefined ? { keyPassword: input.keyPassword } : {}), info },
  };
}

function keyProblem(error: unknown, setting: CertificateSetting, hadPassword: boolean): CertificateProblem {
  const code = errorCode(error);
  const text = errorText(error);
  if (code === 'ERR_MISSING_PASSPHRASE' || (!hadPassword && /passphrase|password|bad decrypt/i.test(text))) {
    return { setting, message: 'the private key is encrypted: add client_key_password = "…" with its password' };
  }
  if (hadPassword && /bad decrypt|decrypt|passphrase|password|unsupported/i.test(`${code} ${text}`)) {
    return { setting: 'client_key_password', message: 'this password does not open the private key' };
  }
  return { setting, message: 'the private key cannot be read: its PEM text is damaged or not a private key' };
}

/**
 * Reads a PKCS#12 file (.p12, .pfx) the way the TLS stack will: OpenSSL opens
 * it with its password into a context, and the certificate it will present
 * is read back from that context.
 */
export function readPkcs12Certificate(bytes: Uint8Array, password: string | undefined, now: number): CertificateReading {
  const pfx = Buffer.from(bytes);
  let context: SecureContext;
  try {
    context = loadIntoTls({ pfx, ...(password !== undefined ? { passphrase: password } : {}) });
  } catch (error) {
    return { problem: pkcs12Problem(error, password !== undefined) };
  }
  const raw = presentedCertificate(context);
  if (!raw) return { problem: { setting: 'client_pkcs12', message: 'this PKCS#12 file holds no certificate with its private key' } };
  const info = certificateInfo(new X509Certificate(raw));
  const expired = validityProblem(info, 'client_pkcs12', now);
  if (expired) return { problem: expired };
  return { certificate: { format: 'pkcs12', pkcs12: pfx.toString('base64'), ...(password !== undefined ? { password } : {}), info } };
}

function pkcs12Problem(error: unknown, hadPassword: boolean): CertificateProblem {
  const words = `${errorCode(error)} ${errorText(error)}`;
  if (/mac verify|MAC_VERIFY|invalid password|bad decrypt/i.test(words)) {
    return hadPassword
      ? { setting: 'client_pkcs12_password', message: 'this password does not open the PKCS#12 file' }
      : { setting: 'client_pkcs12', message: 'the PKCS#12 file is protected by a password: add client_pkcs12_password = "…"' };
  }
  // OpenSSL 3 no longer loads RC2-40 and 3DES-era files without its legacy provider, which Node does not load.
  if (/unsupported|RC2|legacy/i.test(words)) {
    return {
      setting: 'client_pkcs12',
      message:
        'this PKCS#12 file uses an old encryption (RC2 or DES) that current TLS libraries refuse. Export it again with AES (in the tool that made it, or: openssl pkcs12 -legacy -in old.p12 -nodes -out both.pem, then openssl pkcs12 -export -in both.pem -out new.p12), or convert it to PEM (openssl pkcs12 -legacy -in old.p12 -nodes) and give client_certificate and client_key',
    };
  }
  return { setting: 'client_pkcs12', message: 'this is not a PKCS#12 file (.p12, .pfx), or it is damaged' };
}

function loadIntoTls(options: Parameters<typeof createSecureContext>[0]): SecureContext {
  return createSecureContext(options);
}

/** The DER of the certificate a context presents; a socket that never connects is the only way Node offers to ask. */
function presentedCertificate(context: SecureContext): Buffer | undefined {
  const socket = new TLSSocket(null as never, { secureContext: context });
  try {
    const certificate = socket.getCertificate();
    const raw = certificate && 'raw' in certificate ? (certificate.raw as Buffer | undefined) : undefined;
    return raw && raw.length > 0 ? raw : undefined;
  } finally {
    socket.destroy();
  }
}

/**
 * The secret values of a client certificate, for redaction and leak scans:
 * the key, the PKCS#12 file and the passwords. The certificate itself is
 * public (the server receives it in every handshake).
 */
export function clientCertificateSecrets(certificate: ClientCertificate | undefined): string[] {
  if (!certificate) return [];
  const values = certificate.format === 'pem' ? [certificate.key, certificate.keyPassword] : [certificate.pkcs12, certificate.password];
  return values.filter((value): value is string => value !== undefined && value !== '');
}
