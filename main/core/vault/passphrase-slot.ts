/**
 * The recovery slot: the data key wrapped with AES-256-GCM under a key derived
 * from a passphrase by scrypt. The scrypt parameters and salt live in the slot,
 * so they can be raised later (`shouldRewrap`) without breaking old vaults.
 *
 * Defaults: N = 2^17, r = 8, p = 1 (128 MiB, the OWASP password-storage
 * recommendation for scrypt); tests may pass cheaper parameters. Parameters
 * read from a file are bounded (128·N·r at most 256 MiB, p at most 4);
 * anything else is ERR_VAULT_DAMAGED, refused before deriving.
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

// Bounds for parameters read from a file: a hostile (or edited) file must not
// make us allocate gigabytes or spin for seconds on every file we try, so
// parameters out of range are damage, checked before any derivation. scrypt's
// memory is 128·N·r bytes: at most 256 MiB (twice the default); p multiplies
// the time: at most 4. Below 2^10 is not a KDF any more.
const MIN_LOG2_N = 10;
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;
const MAX_P = 4;
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
  if (!Number.isInteger(log2) || log2 < MIN_LOG2_N || p.r < 1 || p.p < 1 || p.p > MAX_P) return false;
  return scryptMemoryBytes({ N: p.N, r: p.r }) <= MAX_MEMORY_BYTES;
}

/** What scrypt allocates for these parameters (RFC 7914: V is N blocks of 128·r bytes). */
export function scryptMemoryBytes(p: Pick<ScryptParams, 'N' | 'r'>): number {
  return 128 * p.N * p.r;
}

function checkParams(p: ScryptParams): void {
  if (!validParams(p)) {
    throw new RangeError(`scrypt parameters out of range (N a power of two from 2^${MIN_LOG2_N}, 128·N·r at most ${MAX_MEMORY_BYTES / 2 ** 20} MiB, p 1..${MAX_P}).`);
  }
}
