/**
 * The vault file format: parsing (with validation, since the file is
 * untrusted input), the version table and the migration path.
 *
 * Version 2 (current):
 * ```json
 * { "format": "tokendesk-vault", "version": 2, "id": "<16 random bytes, b64>",
 *   "keyId": "<16 bytes, b64>", "counter": 12, "savedAt": 1767225600000,
 *   "slots": [ { "kind": "passphrase", "data": { ... } } ],
 *   "cipher": { "alg": "A256GCM", "iv": "<b64>", "tag": "<b64>" },
 *   "data": "<b64 ciphertext of the content JSON>" }
 * ```
 * - `keyId` names the data key: HKDF-SHA256 of the key (info
 *   `tokendesk-vault/key-id`), 16 bytes. Derived rather than random, so a
 *   process can tell from the header alone whether the key it holds is the
 *   file's key ("another window changed the key", never "damaged") and an
 *   opener can check that the key a slot gave it is this file's key. It
 *   reveals nothing about the key (HKDF is a PRF).
 * - `counter` goes up by one with every save (content, slot change, restore,
 *   re-key): the current file is always newer than its backup, which is how a
 *   backup copied over the current file is recognised (vault.ts).
 * - `savedAt` is when the file was written (epoch ms), what the user is told
 *   when the backup is opened. In the header, not the file's mtime: copies,
 *   sync tools and restores change mtimes.
 * The GCM additional data is `tokendesk-vault/2/<id>/<keyId>/<counter>/<savedAt>`:
 * every header field except the slots is authenticated under the data key,
 * so none can be edited unseen. The slots are deliberately NOT in the
 * additional data: each slot authenticates itself (it is a GCM envelope of
 * its own), so a tampered slot simply fails to unwrap while the others work.
 *
 * Older versions: every older version has a reader that lifts it to the
 * current in-memory shape while remembering the additional data it was sealed
 * with; the next save writes the current version. Version 1 had no key id,
 * counter or save time (AAD `tokendesk-vault/1/<id>`); version 0 is the
 * pre-release prototype's layout (flat `iv`/`tag`, no id, AAD
 * `tokendesk-vault/0`).
 */
import { hkdfSync } from 'node:crypto';
import { VaultError } from '../errors.js';
import { IV_BYTES, TAG_BYTES, fromBase64, toBase64 } from './envelope.js';
import type { KeySlotKind, StoredKeySlot } from './key-slot.js';

export const VAULT_FORMAT = 'tokendesk-vault';
export const CURRENT_VERSION = 2;
export const VAULT_ID_BYTES = 16;
export const KEY_ID_BYTES = 16;

/** A parsed vault file, whatever version it was on disk. */
export interface VaultEnvelope {
  /** The version the file was written in (older ones are migrated on the next save). */
  version: number;
  id: Buffer;
  /** Version 2 on: names the data key (see `keyIdOf`). */
  keyId?: Buffer;
  /** Version 2 on: the save counter; 0 for older files. */
  counter: number;
  /** Version 2 on: when the file was written, epoch ms. */
  savedAt?: number;
  slots: StoredKeySlot[];
  iv: Buffer;
  tag: Buffer;
  data: Buffer;
  /** The additional data the content was sealed with. */
  aad: Buffer;
}

/** Additional authenticated data of a version-1 file. */
export function aadV1(id: Uint8Array): Buffer {
  return Buffer.from(`${VAULT_FORMAT}/1/${toBase64(id)}`, 'utf8');
}

/** What a version-2 header carries besides the slots and the ciphertext. */
export interface HeaderV2 {
  id: Uint8Array;
  keyId: Uint8Array;
  counter: number;
  savedAt: number;
}

/** Additional authenticated data of a version-2 file. */
export function aadV2(h: HeaderV2): Buffer {
  return Buffer.from(`${VAULT_FORMAT}/2/${toBase64(h.id)}/${toBase64(h.keyId)}/${h.counter}/${h.savedAt}`, 'utf8');
}

/** The public name of a data key (HKDF-SHA256, RFC 5869). */
export function keyIdOf(dataKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'tokendesk-vault/key-id', KEY_ID_BYTES));
}

type Reader = (raw: Record<string, unknown>) => VaultEnvelope;

/**
 * One reader per version ever written. Adding version N+1: write its reader,
 * make `serializeVaultFile` write N+1, keep every older reader.
 */
export const migrations: Readonly<Record<number, Reader>> = {
  0: (raw) => {
    const iv = bytes(raw['iv'], IV_BYTES);
    const tag = bytes(raw['tag'], TAG_BYTES);
    const data = bytes(raw['data']);
    // v0 had no vault id; the first v1 save gives it one (and a new AAD).
    return { version: 0, id: Buffer.alloc(0), counter: 0, slots: slots(raw['slots']), iv, tag, data, aad: Buffer.from(`${VAULT_FORMAT}/0`, 'utf8') };
  },
  1: (raw) => {
    const cipher = raw['cipher'];
    if (!isRecord(cipher) || cipher['alg'] !== 'A256GCM') throw damaged('unknown cipher');
    const id = bytes(raw['id'], VAULT_ID_BYTES);
    return {
      version: 1,
      id,
      counter: 0,
      slots: slots(raw['slots']),
      iv: bytes(cipher['iv'], IV_BYTES),
      tag: bytes(cipher['tag'], TAG_BYTES),
      data: bytes(raw['data']),
      aad: aadV1(id),
    };
  },
  2: (raw) => {
    const cipher = raw['cipher'];
    if (!isRecord(cipher) || cipher['alg'] !== 'A256GCM') throw damaged('unknown cipher');
    const header: HeaderV2 = {
      id: bytes(raw['id'], VAULT_ID_BYTES),
      keyId: bytes(raw['keyId'], KEY_ID_BYTES),
      counter: whole(raw['counter']),
      savedAt: whole(raw['savedAt']),
    };
    return {
      version: 2,
      id: Buffer.from(header.id),
      keyId: Buffer.from(header.keyId),
      counter: header.counter,
      savedAt: header.savedAt,
      slots: slots(raw['slots']),
      iv: bytes(cipher['iv'], IV_BYTES),
      tag: bytes(cipher['tag'], TAG_BYTES),
      data: bytes(raw['data']),
      aad: aadV2(header),
    };
  },
};

/**
 * Parses the bytes of a vault file. Throws VaultError ERR_VAULT_DAMAGED for
 * anything that is not a well-formed vault, ERR_VAULT_VERSION for a version
 * newer than this build knows (never "repaired": a newer TokenDesk owns it).
 */
export function parseVaultFile(bytesOnDisk: Uint8Array): VaultEnvelope {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytesOnDisk.buffer, bytesOnDisk.byteOffset, bytesOnDisk.byteLength).toString('utf8'));
  } catch {
    throw damaged('not JSON');
  }
  if (!isRecord(raw) || raw['format'] !== VAULT_FORMAT) throw damaged('not a TokenDesk vault');
  const version = raw['version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) throw damaged('no version');
  if (version > CURRENT_VERSION) {
    throw new VaultError('ERR_VAULT_VERSION', `This vault was made by a newer TokenDesk (format version ${version}). Update TokenDesk to open it.`);
  }
  const reader = migrations[version];
  if (!reader) throw damaged(`unsupported version ${version}`);
  return reader(raw);
}

/** Writes the current version; the content must have been sealed with `aadV2` of the same header. */
export function serializeVaultFile(env: HeaderV2 & Pick<VaultEnvelope, 'slots' | 'iv' | 'tag' | 'data'>): Buffer {
  const header = {
    format: VAULT_FORMAT,
    version: CURRENT_VERSION,
    id: toBase64(env.id),
    keyId: toBase64(env.keyId),
    counter: env.counter,
    savedAt: env.savedAt,
    slots: env.slots,
    cipher: { alg: 'A256GCM', iv: toBase64(env.iv), tag: toBase64(env.tag) },
    data: '',
  };
  // The ciphertext is appended by hand: base64 needs no JSON escaping, and
  // letting JSON.stringify scan megabytes of it is the slowest part of a save.
  const text = JSON.stringify(header, null, 1);
  const at = text.lastIndexOf('""');
  return Buffer.concat([Buffer.from(text.slice(0, at + 1), 'utf8'), Buffer.from(toBase64(env.data), 'latin1'), Buffer.from(text.slice(at + 1), 'utf8')]);
}

const SLOT_KINDS: readonly KeySlotKind[] = ['safe_storage', 'passphrase'];

function slots(value: unknown): StoredKeySlot[] {
  if (!Array.isArray(value) || value.length === 0) throw damaged('no key slots');
  return value.map((slot) => {
    if (!isRecord(slot) || !SLOT_KINDS.includes(slot['kind'] as KeySlotKind) || !isRecord(slot['data'])) throw damaged('bad key slot');
    const data: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(slot['data'])) {
      if (typeof v !== 'string' && typeof v !== 'number') throw damaged('bad key slot');
      data[k] = v;
    }
    return { kind: slot['kind'] as KeySlotKind, data };
  });
}

function bytes(value: unknown, length?: number): Buffer {
  const b = fromBase64(value);
  if (!b || (length !== undefined && b.length !== length)) throw damaged('bad field');
  return b;
}

/** A non-negative safe integer (a counter, a time in ms). */
function whole(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw damaged('bad field');
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The detail is structural ("bad field"), never file content. */
export function damaged(detail: string): VaultError {
  return new VaultError('ERR_VAULT_DAMAGED', `The vault file is damaged (${detail}).`);
}
