/**
 * The recovery slot: the data key wrapped with AES-256-GCM under a key derived
 * from a passphrase by scrypt. The scrypt parameters and salt live in the slot,
 * so they can be raised later (`shouldRewrap`) without breaking old vaults.
 *
 * Defaults: N = 2^17, r = 8, p = 1 (128 MiB, the OWASP password-storage
 * recommendation for scrypt); tests may pass cheaper parameters.
 */
import { randomBytes, scrypt } from 'node:crypto';
import { VaultError } from '../errors.js';
import { KEY_BYTES, fromBase64, open, seal, toBase64 } from './envelope.js';
import type { KeySlotProvider, StoredKeySlot } from './key-slot.js';

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });

// Bounds for parameters read from a file: a hostile file must not make us
// allocate gigabytes or spin for minutes; below 2^10 is not a KDF any more.
const MIN_LOG2_N = 10;
const MAX_LOG2_N = 20;
const MAX_R = 32;
const MAX_P = 16;
const SALT_BYTES = 16;

/**
 * A passphrase key slot. The passphrase is NFC-normalised so the same word
 * typed on macOS (often NFD) and Windows opens the same vault.
 * @see https://www.rfc-editor.org/rfc/rfc7914 (scrypt)
 */
export function createPassphraseSlot(passphrase: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): KeySlotProvider {
  if (passphrase.length === 0) throw new VaultError('ERR_VAULT_PASSPHRASE', 'The passphrase is empty.');
  checkParams(params);
  const secret = Buffer.from(passphrase.normalize('NFC'), 'utf8');
  const target = { ...params };

  return {
    kind: 'passphrase',

    async wrap(dataKey: Uint8Array): Promise<StoredKeySlot> {
      const salt = randomBytes(SALT_BYTES);
      const kek = await derive(secret, salt, target);
      try {
        const sealed = seal(kek, dataKey, slotAad(target));
        return {
          kind: 'passphrase',
          data: {
            kdf: 'scrypt',
            N: target.N,
            r: target.r,
            p: target.p,
            salt: toBase64(salt),
            alg: 'A256GCM',
            iv: toBase64(sealed.iv),
            tag: toBase64(sealed.tag),
            key: toBase64(sealed.data),
          },
        };
      } finally {
        kek.fill(0);
      }
    },

    async unwrap(slot: StoredKeySlot): Promise<{ dataKey: Uint8Array; shouldRewrap: boolean }> {
      const d = slot.data;
      const stored = { N: d['N'], r: d['r'], p: d['p'] };
      const salt = fromBase64(d['salt']);
      const iv = fromBase64(d['iv']);
      const tag = fromBase64(d['tag']);
      const wrapped = fromBase64(d['key']);
      if (slot.kind !== 'passphrase' || d['kdf'] !== 'scrypt' || d['alg'] !== 'A256GCM' || !validParams(stored) || !salt || !iv || !tag || !wrapped) {
        throw new VaultError('ERR_VAULT_DAMAGED', 'The passphrase slot of the vault is damaged.');
      }
      const kek = await derive(secret, salt, stored);
      try {
        const dataKey = open(kek, { iv, tag, data: wrapped }, slotAad(stored));
        // GCM cannot tell a wrong passphrase from a flipped bit in the slot;
        // the wrong passphrase is by far the likelier, so that is what we say.
        if (!dataKey || dataKey.length !== KEY_BYTES) throw new VaultError('ERR_VAULT_PASSPHRASE', 'The passphrase is not right.');
        const shouldRewrap = stored.N < target.N || stored.r < target.r || stored.p < target.p;
        return { dataKey, shouldRewrap };
      } finally {
        kek.fill(0);
      }
    },
  };
}

/** Binds the KDF parameters to the wrapped key, so they cannot be edited silently. */
function slotAad(p: ScryptParams): Buffer {
  return Buffer.from(`tokendesk-slot/passphrase/scrypt/${p.N}/${p.r}/${p.p}`, 'utf8');
}

function derive(secret: Buffer, salt: Buffer, p: ScryptParams): Promise<Buffer> {
  // Node's default maxmem (32 MiB) is below what N=2^17, r=8 needs (128 MiB).
  const maxmem = 128 * p.N * p.r * 2;
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_BYTES, { N: p.N, r: p.r, p: p.p, maxmem }, (err, key) => {
      if (err) reject(new VaultError('ERR_VAULT_KEY_SLOT', 'The passphrase key could not be derived (scrypt failed).', { cause: err }));
      else resolve(key);
    });
  });
}

function validParams(p: { N: unknown; r: unknown; p: unknown }): p is ScryptParams {
  if (typeof p.N !== 'number' || typeof p.r !== 'number' || typeof p.p !== 'number') return false;
  if (!Number.isInteger(p.N) || !Number.isInteger(p.r) || !Number.isInteger(p.p)) return false;
  const log2 = Math.log2(p.N);
  return Number.isInteger(log2) && log2 >= MIN_LOG2_N && log2 <= MAX_LOG2_N && p.r >= 1 && p.r <= MAX_R && p.p >= 1 && p.p <= MAX_P;
}

function checkParams(p: ScryptParams): void {
  if (!validParams(p)) throw new RangeError(`scrypt parameters out of range (N a power of two in 2^${MIN_LOG2_N}..2^${MAX_LOG2_N}, r 1..${MAX_R}, p 1..${MAX_P}).`);
}
