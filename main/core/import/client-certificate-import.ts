/**
 * The client certificate settings of a credentials file -> a checked
 * ClientCertificate for the vault, or problems that name the setting:
 *
 * - `client_certificate` + `client_key` (+ `client_key_password`): PEM, each
 *   either the PEM text itself (it starts with -----BEGIN) or the name of a
 *   file, relative to the credentials file's folder like `key_file`;
 *   `client_certificate` alone when its file holds the key too;
 * - `client_pkcs12` (+ `client_pkcs12_password`): a .p12 / .pfx file, by name,
 *   or its Base64 text (what the app takes: it reads no file a pasted text names).
 *
 * The files are read once, here: the vault keeps what they held, never a path.
 */
import { resolve } from 'node:path';
import type { ClientCertificate } from '../../../shared/account.js';
import { InputError } from '../errors.js';
import type { InputLocation } from '../errors.js';
import { readPemCertificate, readPkcs12Certificate, type CertificateSetting } from '../net/client-certificate.js';
import { KeyFileRefusal, readKeyFileBytes, readKeyFileText } from './key-file.js';
import type { ClientCertificateInput } from './normalise.js';

export interface CertificateFileReaders {
  /** Folder the file names are relative to (the credentials file's). */
  baseDir?: string;
  readFile?: (path: string) => Promise<string>;
  readBytes?: (path: string) => Promise<Uint8Array>;
}

/** A PKCS#12 file is DER: Base64 of it starts with "MI" (a SEQUENCE) and is far longer than any file name. */
const PKCS12_BASE64 = /^MI[A-Za-z0-9+/=\s]{60,}$/;

function isInlinePem(value: string): boolean {
  return value.trimStart().startsWith('-----BEGIN');
}

export async function loadClientCertificate(
  input: ClientCertificateInput,
  readers: CertificateFileReaders,
  at: (setting: CertificateSetting) => InputLocation,
  now: number,
): Promise<{ certificate?: ClientCertificate; problems: InputError[] }> {
  const refuse = (setting: CertificateSetting, message: string) => ({ problems: [new InputError('ERR_INPUT_FIELD', `${setting}: ${message}`, at(setting))] });
  const missing = (setting: CertificateSetting, message: string) => ({ problems: [new InputError('ERR_INPUT_MISSING', `${setting}: ${message}`, at(setting))] });

  if (input.pkcs12 !== undefined) {
    if (input.certificate !== undefined || input.key !== undefined) {
      return refuse('client_pkcs12', 'give either client_pkcs12 or client_certificate with client_key, not both');
    }
    if (input.keyPassword !== undefined) return refuse('client_key_password', 'the password of a PKCS#12 file is client_pkcs12_password');
    const bytes = await pkcs12Bytes(input.pkcs12, readers);
    if ('problem' in bytes) return refuse('client_pkcs12', bytes.problem);
    const read = readPkcs12Certificate(bytes.value, input.pkcs12Password, now);
    return read.certificate ? { certificate: read.certificate, problems: [] } : refuse(read.problem.setting, read.problem.message);
  }
  if (input.pkcs12Password !== undefined) return missing('client_pkcs12_password', 'is used only with client_pkcs12 = "client.p12"');
  if (input.certificate === undefined) {
    return missing(input.key !== undefined ? 'client_key' : 'client_key_password', 'the client certificate is missing: add client_certificate = "client.crt" (or client_pkcs12 = "client.p12")');
  }
  const certificateText = await pemText('client_certificate', input.certificate, readers);
  if ('problem' in certificateText) return refuse('client_certificate', certificateText.problem);
  let keyText: string | undefined;
  if (input.key !== undefined) {
    const read = await pemText('client_key', input.key, readers);
    if ('problem' in read) return refuse('client_key', read.problem);
    keyText = read.value;
  }
  const read = readPemCertificate(
    { certificateText: certificateText.value, ...(keyText !== undefined ? { keyText } : {}), ...(input.keyPassword !== undefined ? { keyPassword: input.keyPassword } : {}) },
    now,
  );
  return read.certificate ? { certificate: read.certificate, problems: [] } : refuse(read.problem.setting, read.problem.message);
}

type Read<T> = { value: T } | { problem: string };

async function pemText(setting: CertificateSetting, value: string, readers: CertificateFileReaders): Promise<Read<string>> {
  if (isInlinePem(value)) return { value };
  return readNamedFile(setting, value, readers, (path) => (readers.readFile ?? readKeyFileText)(path));
}

async function pkcs12Bytes(value: string, readers: CertificateFileReaders): Promise<Read<Uint8Array>> {
  const text = value.trim();
  if (isInlinePem(text)) return { problem: 'this is PEM text, not a PKCS#12 file: give it as client_certificate (and its key as client_key)' };
  if (PKCS12_BASE64.test(text)) return { value: Buffer.from(text.replace(/\s+/g, ''), 'base64') };
  return readNamedFile('client_pkcs12', value, readers, (path) => (readers.readBytes ?? readKeyFileBytes)(path));
}

async function readNamedFile<T>(setting: CertificateSetting, name: string, readers: CertificateFileReaders, read: (path: string) => Promise<T>): Promise<Read<T>> {
  const fileName = name.trim();
  const fullPath = resolve(readers.baseDir ?? process.cwd(), fileName);
  try {
    return { value: await read(fullPath) };
  } catch (error) {
    if (error instanceof InputError) {
      // The app reads no file a pasted text names (a pasted path must not make it read local files).
      return {
        problem:
          setting === 'client_pkcs12'
            ? `"${fileName}" names a file, which TokenDesk does not read from pasted text: give the file's Base64 instead (base64 -w0 ${fileName}), or import with the command line (tokendesk import FILE)`
            : `"${fileName}" names a file, which TokenDesk does not read from pasted text: paste its PEM text between triple quotes ("""-----BEGIN …"""), or import with the command line (tokendesk import FILE)`,
      };
    }
    const why = error instanceof KeyFileRefusal ? error.reason : 'it cannot be read';
    return { problem: `cannot read "${fileName}": ${why} (looked at ${fullPath})` };
  }
}
