/**
 * AES-256-GCM, the one cipher of the vault: the content under the data key,
 * and the data key under a passphrase-derived key. A fresh random 96-bit IV
 * per encryption (NIST SP 800-38D 8.2.2: random IVs are safe far beyond the
 * number of saves a vault will ever see). A failed tag check is reported as
 * `false`/`undefined`, never as a message that could echo key material; the
 * caller decides whether that means "damaged" or "wrong passphrase".
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface Sealed {
  iv: Buffer;
  tag: Buffer;
  data: Buffer;
}

/**
 * Encrypts `plaintext` under `key` with AES-256-GCM, binding `aad`.
 * @see https://nvlpubs.nist.gov/nistpubs/Legacy/SP/nistspecialpublication800-38d.pdf
 */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Sealed {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), data };
}

/**
 * Decrypts and authenticates; `undefined` when the tag does not verify (wrong
 * key, or any byte of iv/tag/data/aad changed).
 * @see https://nvlpubs.nist.gov/nistpubs/Legacy/SP/nistspecialpublication800-38d.pdf
 */
export function open(key: Uint8Array, sealed: Sealed, aad: Uint8Array): Buffer | undefined {
  assertKey(key);
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.data), decipher.final()]);
  } catch {
    return undefined;
  }
}

function assertKey(key: Uint8Array): void {
  // A programming error, not user input: the message carries the length only.
  if (key.length !== KEY_BYTES) throw new RangeError(`AES-256-GCM needs a ${KEY_BYTES}-byte key, got ${key.length} bytes.`);
}

/**
 * Strict base64 decoding: Buffer.from silently skips junk, which would hide
 * damage. Canonical re-encoding is the check (a regex over a multi-megabyte
 * string costs ten times more).
 */
export function fromBase64(value: unknown): Buffer | undefined {
  if (typeof value !== 'string') return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes : undefined;
}

export function toBase64(value: Uint8Array): string {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
}
