/**
 * After a re-key, the damaged copies set aside earlier (`<file>.damaged-*`)
 * still carry the slots of the old data key, and so would open with a
 * dropped passphrase. Their content cannot be re-encrypted (it failed to
 * decrypt: that is why they were set aside), so their slots are rewritten:
 *
 * - a copy whose data key is the one being replaced (its key id says so, or,
 *   for a file from before key ids, its vault id is this vault's: until
 *   re-keying existed a vault only ever had one key) gets that key wrapped by
 *   the NEW providers: the copy stays as useful for recovery as it was (with
 *   the key, a specialist can still decrypt the undamaged blocks of a GCM
 *   ciphertext), and wrapping an already-replaced key under the new
 *   passphrase reveals nothing new;
 * - any other copy (an older key, a foreign vault) keeps only its keychain
 *   slots, and only if the keychain is still among the providers: every
 *   passphrase slot goes, since it may be the dropped passphrase.
 *
 * A copy too damaged to find its slot list in (neither JSON nor a header
 * followed by the ciphertext, which is what a cut-off file looks like) is left
 * as it is: nothing TokenDesk reads could open it.
 */
import { basename, dirname, join } from 'node:path';
import type { KeySlotKind, StoredKeySlot } from './key-slot.js';
import { toBase64 } from './envelope.js';
import { replaceFile } from './atomic-file.js';
import type { FileIo } from './file-system.js';
import { isRecord } from './vault-file.js';

export interface RewrapPlan {
  /** The vault id and key id of the key being replaced. */
  vaultId: Uint8Array;
  keyId: Uint8Array;
  /** The replaced key wrapped by each new provider. */
  slotsForReplacedKey: StoredKeySlot[];
  /** The slot kinds the vault keeps (the new providers' kinds). */
  keptKinds: ReadonlySet<KeySlotKind>;
}

/** Names of the damaged copies of the vault at `path`. */
export async function damagedCopiesOf(io: FileIo, path: string): Promise<string[]> {
  const base = basename(path);
  try {
    return (await io.fs.readdir(dirname(path))).filter((name) => name.startsWith(`${base}.damaged-`) && !name.includes('.tmp-')).map((name) => join(dirname(path), name));
  } catch {
    return [];
  }
}

/** Rewrites the slots of every damaged copy as described above. */
export async function rewrapDamagedCopies(io: FileIo, path: string, plan: RewrapPlan): Promise<void> {
  for (const copy of await damagedCopiesOf(io, path)) {
    let text: string;
    try {
      text = (await io.fs.readFile(copy)).toString('utf8');
    } catch {
      continue;
    }
    const split = splitHeader(text);
    if (!split) continue;
    const { header, tail } = split;
    const slots = replacedKeyOf(header, plan) ? plan.slotsForReplacedKey : keptSlots(header['slots'], plan.keptKinds);
    const body = JSON.stringify({ ...header, slots }, null, 1);
    // The tail (a cut-off ciphertext field) goes back after the header, byte for byte.
    const rewritten = tail === undefined ? body : `${body.slice(0, body.lastIndexOf('\n}'))},${tail}`;
    await replaceFile(io, copy, Buffer.from(rewritten, 'utf8'), path);
  }
}

/**
 * The header of a copy: the whole JSON object when it parses, else (a file cut
 * off inside its ciphertext) the fields before the top-level `"data"` field,
 * which vault-file.ts always writes last, at one space of indent.
 */
function splitHeader(text: string): { header: Record<string, unknown>; tail?: string } | undefined {
  try {
    const whole: unknown = JSON.parse(text);
    return isRecord(whole) && Array.isArray(whole['slots']) ? { header: whole } : undefined;
  } catch {
    // fall through: maybe cut off
  }
  const at = text.lastIndexOf('\n "data": "');
  if (at < 0) return undefined;
  const head = text.slice(0, at).replace(/,\s*$/, '');
  try {
    const header: unknown = JSON.parse(`${head}\n}`);
    return isRecord(header) && Array.isArray(header['slots']) ? { header, tail: text.slice(at) } : undefined;
  } catch {
    return undefined;
  }
}

function replacedKeyOf(header: Record<string, unknown>, plan: RewrapPlan): boolean {
  if (header['keyId'] !== undefined) return header['keyId'] === toBase64(plan.keyId);
  return header['id'] === toBase64(plan.vaultId);
}

function keptSlots(slots: unknown, kept: ReadonlySet<KeySlotKind>): unknown[] {
  if (!Array.isArray(slots) || !kept.has('safe_storage')) return [];
  return slots.filter((slot) => isRecord(slot) && slot['kind'] === 'safe_storage');
}
