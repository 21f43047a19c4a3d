/**
 * The backup file format: the accounts of a vault, sealed under a passphrase
 * chosen for the backup, in one JSON text file the user keeps elsewhere.
 *
 * Version 1:
 * ```json
 * { "format": "tokendesk-backup", "version": 1, "createdAt": 1767225600000,
 *   "slot": { "kind": "passphrase", "data": { "kdf": "scrypt", "N": 131072, ... } },
 *   "cipher": { "alg": "A256GCM", "iv": "<b64>", "tag": "<b64>" },
 *   "data": "<b64 ciphertext of the content JSON>",
 *   "check": "sha256:<hex>" }
 * ```
 * - A random 256-bit content key seals the content (AES-256-GCM, envelope.ts);
 *   the content key is wrapped exactly as the vault's recovery slot wraps the
 *   data key (scrypt, passphrase-slot.ts, the same parameter bounds). There is
 *   no keychain slot: a backup must open on any computer, with the passphrase
 *   alone.
 * - The GCM additional data is `tokendesk-backup/1/<createdAt>/<slot JSON,
 *   keys sorted>`: the whole header is authenticated, so no field can be
 *   edited unseen (the slot also authenticates itself: its own GCM envelope).
 * - `check` is an unkeyed SHA-256 of everything else. It is not security (the
 *   GCM tags are): it is how a flipped bit is told from a wrong passphrase.
 *   GCM cannot tell the two apart inside the key slot, so without it a bit
 *   rotted in the salt would be reported as "wrong passphrase" forever.
 * - Nothing in the header names an account: the listing is inside the
 *   ciphertext, shown only once the passphrase is given.
 */
import { createHash, randomBytes } from 'node:crypto';
import { VaultError } from '../errors.js';
import { IV_BYTES, KEY_BYTES, TAG_BYTES, fromBase64, open, seal, toBase64 } from '../vault/envelope.js';
import type { StoredKeySlot } from '../vault/key-slot.js';
import { createPassphraseSlot, DEFAULT_SCRYPT_PARAMS, type ScryptParams } from '../vault/passphrase-slot.js';
import { isRecord } from '../vault/vault-file.js';

export const BACKUP_FORMAT = 'tokendesk-backup';
export const BACKUP_VERSION = 1;

export interface SealBackupOptions {
  /** When the backup is made (epoch ms), shown when it is restored. */
  createdAt: number;
  /** Default: the vault's (N = 2^17, r = 8, p = 1); tests pass cheaper ones. */
  scrypt?: ScryptParams;
}

/** The decrypted content and the (authenticated) time the backup was made. */
export interface OpenedBackup {
  createdAt: number;
  content: unknown;
}

/**
 * Seals `content` (any JSON value) under `passphrase` as the bytes of a
 * backup file. The passphrase's strength is the caller's to check.
 * @see https://www.rfc-editor.org/rfc/rfc7914 (scrypt)
 * @see https://nvlpubs.nist.gov/nistpubs/Legacy/SP/nistspecialpublication800-38d.pdf (GCM)
 */
export async function sealBackup(content: unknown, passphrase: string, options: SealBackupOptions): Promise<Buffer> {
  const createdAt = Math.max(0, Math.floor(options.createdAt));
  const key = randomBytes(KEY_BYTES);
  try {
    const slot = await createPassphraseSlot(passphrase, options.scrypt ?? DEFAULT_SCRYPT_PARAMS).wrap(key);
    const json = JSON.stringify(content);
    const sealed = seal(key, Buffer.from(json, 'utf8'), aadOf(createdAt, slot));
    const iv = toBase64(sealed.iv);
    const tag = toBase64(sealed.tag);
    const data = toBase64(sealed.data);
    const file = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt,
      slot,
      cipher: { alg: 'A256GCM', iv, tag },
      data,
      check: checkOf(createdAt, slot, iv, tag, data),
    };
    return Buffer.from(`${JSON.stringify(file, null, 1)}\n`, 'utf8');
  } finally {
    key.fill(0);
  }
}

/**
 * Opens a backup file. Errors (VaultError), each naming `fileName`:
 * ERR_BACKUP_DAMAGED (truncated, a changed byte, not a TokenDesk backup),
 * ERR_BACKUP_VERSION (a newer TokenDesk wrote it), ERR_BACKUP_PASSPHRASE.
 * No message quotes the file's content.
 */
export async function openBackup(bytes: Uint8Array, passphrase: string, fileName: string): Promise<OpenedBackup> {
  const file = parseBackupFile(bytes, fileName);
  let key: Uint8Array;
  try {
    ({ dataKey: key } = await createPassphraseSlot(passphrase).unwrap(file.slot));
  } catch (error) {
    if (error instanceof VaultError && error.code === 'ERR_VAULT_PASSPHRASE') {
      throw new VaultError(
        'ERR_BACKUP_PASSPHRASE',
        `The passphrase is not right for the backup ${fileName}. It is the passphrase chosen when this backup was saved (not necessarily the vault's). Nothing was changed.`,
      );
    }
    if (error instanceof VaultError && error.code === 'ERR_VAULT_DAMAGED') throw damaged(fileName, 'its key slot');
    throw error;
  }
  try {
    // The key slot opened, so the passphrase is right: a failing tag here is damage, never a wrong passphrase.
    const plain = open(key, { iv: file.iv, tag: file.tag, data: file.data }, file.aad);
    if (!plain) throw damaged(fileName, 'its encrypted content');
    let content: unknown;
    try {
      content = JSON.parse(plain.toString('utf8'));
    } catch {
      throw damaged(fileName, 'its content');
    }
    return { createdAt: file.createdAt, content };
  } finally {
    key.fill(0);
  }
}

interface ParsedBackupFile {
  createdAt: number;
  slot: StoredKeySlot;
  iv: Buffer;
  tag: Buffer;
  data: Buffer;
  aad: Buffer;
}

/** The header, checked: structure, version, checksum. Nothing is derived yet (no scrypt for a damaged file). */
function parseBackupFile(bytes: Uint8Array, fileName: string): ParsedBackupFile {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // A backup is one JSON object: a text that starts otherwise is some other file, one that starts so is cut short or changed.
    if (!text.trimStart().startsWith('{')) throw notABackup(fileName);
    throw damaged(fileName, 'it is incomplete or changed');
  }
  if (!isRecord(raw)) throw notABackup(fileName);
  if (raw['format'] === 'tokendesk-vault') {
    throw new VaultError('ERR_BACKUP_DAMAGED', `${fileName} is a TokenDesk vault file, not a backup. Choose a file saved with “Save a backup” (or tokendesk backup).`);
  }
  if (raw['format'] !== BACKUP_FORMAT) throw notABackup(fileName);
  const version = raw['version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw damaged(fileName, 'its version');
  if (version > BACKUP_VERSION) {
    throw new VaultError('ERR_BACKUP_VERSION', `The backup ${fileName} was saved by a newer TokenDesk (backup format version ${version}). Update TokenDesk to restore it. Nothing was changed.`);
  }
  const createdAt = raw['createdAt'];
  const slot = raw['slot'];
  const cipher = raw['cipher'];
  const data = raw['data'];
  const check = raw['check'];
  if (typeof createdAt !== 'number' || !Number.isSafeInteger(createdAt) || createdAt < 0) throw damaged(fileName, 'its header');
  if (!isSlot(slot) || !isRecord(cipher) || cipher['alg'] !== 'A256GCM' || typeof cipher['iv'] !== 'string' || typeof cipher['tag'] !== 'string' || typeof data !== 'string') {
    throw damaged(fileName, 'its header');
  }
  if (typeof check !== 'string' || check !== checkOf(createdAt, slot, cipher['iv'], cipher['tag'], data)) throw damaged(fileName, 'its checksum does not match');
  const iv = fromBase64(cipher['iv']);
  const tag = fromBase64(cipher['tag']);
  const sealed = fromBase64(data);
  if (!iv || iv.length !== IV_BYTES || !tag || tag.length !== TAG_BYTES || !sealed) throw damaged(fileName, 'its header');
  return { createdAt, slot, iv, tag, data: sealed, aad: aadOf(createdAt, slot) };
}

function isSlot(value: unknown): value is StoredKeySlot {
  if (!isRecord(value) || value['kind'] !== 'passphrase' || !isRecord(value['data'])) return false;
  return Object.values(value['data']).every((field) => typeof field === 'string' || typeof field === 'number');
}

/** The header as authenticated: fixed order, the slot's keys sorted, so any reader rebuilds the same bytes. */
function headerText(createdAt: number, slot: StoredKeySlot): string {
  const data = Object.fromEntries(Object.entries(slot.data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${BACKUP_FORMAT}/${BACKUP_VERSION}/${createdAt}/${JSON.stringify({ kind: slot.kind, data })}`;
}

function aadOf(createdAt: number, slot: StoredKeySlot): Buffer {
  return Buffer.from(headerText(createdAt, slot), 'utf8');
}

function checkOf(createdAt: number, slot: StoredKeySlot, iv: string, tag: string, data: string): string {
  const hash = createHash('sha256').update(headerText(createdAt, slot), 'utf8');
  for (const part of [iv, tag, data]) hash.update('\n', 'utf8').update(part, 'utf8');
  return `sha256:${hash.digest('hex')}`;
}

/** `where` names the part that failed, never its content. */
function damaged(fileName: string, where: string): VaultError {
  return new VaultError(
    'ERR_BACKUP_DAMAGED',
    `The backup ${fileName} is damaged (${where}), so it cannot be restored. Nothing was changed. Use another copy of the backup.`,
  );
}

function notABackup(fileName: string): VaultError {
  return new VaultError('ERR_BACKUP_DAMAGED', `${fileName} is not a TokenDesk backup. Choose a file saved with “Save a backup” (or tokendesk backup).`);
}
