/**
 * The encrypted vault: one JSON document (the account service's; `T` here),
 * encrypted with a random 256-bit data key (AES-256-GCM), the data key wrapped
 * in one or more key slots (OS keychain, recovery passphrase). SPEC 4.
 *
 * Design:
 * - Files in the data folder: `vault.json` (current), `vault.json.bak` (the
 *   version before it), `vault.json.lock` (writers' cross-process lock),
 *   transient `*.tmp-<pid>-<rand>`, and `vault.json.damaged-<time>-<hex>` (a
 *   damaged file set aside, never deleted by us). Format and migrations:
 *   vault-file.ts. Save order and crash invariant: atomic-file.ts. Folder
 *   permissions: data-folder.ts.
 * - Readers take no lock (files are only ever replaced by rename, so a reader
 *   sees a whole file). Every write takes the lock, re-reads the disk under it
 *   and writes the slots found on disk: a process holding an old slot list can
 *   never bring back a removed slot or an old passphrase.
 * - A file this instance cannot decrypt is never overwritten: it is renamed to
 *   `.damaged-<time>`, and it never becomes the backup. A vault that failed to
 *   open has no instance, so nothing can be written to it at all. A file
 *   sealed under ANOTHER data key (its key id says so: another window
 *   re-keyed) is not damaged: this instance locks itself (ERR_VAULT_LOCKED,
 *   "unlock it again") and writes nothing.
 * - Every save (content, slot change, restore, re-key) seals the content
 *   again with the next save counter, so vault.json is always newer than its
 *   backup. `rekey` replaces the data key itself: content, backup and the
 *   slots of damaged copies, so that no file in the folder opens with a
 *   dropped passphrase (damaged-copies.ts).
 * - Opening from the backup is announced (`recovery`: when the backup was
 *   saved, where the damaged file went). A rollback is announced too
 *   (`rollback`): see `VaultRollback` for exactly what is and is not seen.
 * - A refused write (full disk, read-only, permissions) is ERR_VAULT_WRITE;
 *   the instance keeps its state and the old file stays in place
 *   (atomic-file.ts). `signal` cancels lock waits (lock.ts).
 * - Performance: the data key is unwrapped once per `open` (scrypt costs
 *   ~0.5 s by design); `reload`, `write` and `update` only run AES-GCM.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { basename, join } from 'node:path';
import { CancelledError, VaultError } from '../errors.js';
import { backupPathOf, createExclusive, readIfExists, removeStaleTemps, replaceWithBackup } from './atomic-file.js';
import type { CurrentState } from './atomic-file.js';
import { damagedCopiesOf, rewrapDamagedCopies } from './damaged-copies.js';
import { secureDataFolder } from './data-folder.js';
import { KEY_BYTES, open as openSealed, seal } from './envelope.js';
import { errnoOf, ioOf, type FileIo, type VaultFs } from './file-system.js';
import type { KeySlotKind, KeySlotProvider, StoredKeySlot } from './key-slot.js';
import { withFileLock, type FileLockOptions } from './lock.js';
import { CURRENT_VERSION, VAULT_ID_BYTES, aadV2, keyIdOf, parseVaultFile, serializeVaultFile } from './vault-file.js';
import type { VaultEnvelope } from './vault-file.js';
import { writeStep } from './write-error.js';

export const DEFAULT_VAULT_FILE = 'vault.json';

export interface VaultOptions {
  /** The data folder (created with mode 0700 by `create`; tightened to 0700 when TokenDesk owns it). */
  dir: string;
  /** Default `vault.json`. */
  fileName?: string;
  /** How long a writer waits for another process's lock. Default 10 s. */
  lockTimeoutMs?: number;
  /** Aborting it ends every wait for the vault lock of this instance at once with CancelledError. */
  signal?: AbortSignal;
  /** The file system (default node:fs/promises); tests inject one that fails at a chosen step. */
  fs?: VaultFs;
  /** Default `process.platform`; `win32` retries renames an antivirus or indexer refuses. */
  platform?: NodeJS.Platform;
  /** Clock for the save time in the file (epoch ms). Default `Date.now`. */
  now?: () => number;
}

/** Set when the vault was opened from its backup because vault.json was damaged or missing. */
export interface VaultRecovery {
  /** When the opened backup was saved (epoch ms): changes saved after it are lost. */
  backupSavedAt: number;
  /** Where the damaged vault.json was set aside; absent when it was missing (or could not be moved yet). */
  damagedCopyPath?: string;
}

/**
 * Set when vault.json holds an older version than one this vault has had:
 * someone put an older copy in its place (copied `vault.json.bak` over it,
 * restored an old file). Changes saved after `savedAt` may be lost.
 *
 * What is detected:
 * - on open (`on-open`): vault.json is authentic but not newer than the
 *   authentic backup next to it (every save makes vault.json newer than its
 *   backup, so this is the backup, or an older file, copied over it);
 * - while open (`while-open`): under the lock, vault.json turns out older
 *   than a version this instance has already seen. The instance then keeps
 *   its newer content and slots and writes them at the next save.
 * What is NOT detected: an older vault.json put in place while no TokenDesk
 * is open together with an older (or no) backup, e.g. a restore of the whole
 * folder; anything done by someone who has the data key. On a file system
 * without hard links, a save interrupted between its backup and its rename
 * can look like a rollback on the next open (a false alarm, nothing lost).
 */
export interface VaultRollback {
  /** When the version now in vault.json was saved (epoch ms). */
  savedAt: number;
  detected: 'on-open' | 'while-open';
}

/** What was found in one file, judged with a known data key. */
type Inspection =
  | { state: 'good'; env: VaultEnvelope; json: string }
  | { state: 'damaged' | 'missing' };

interface Context {
  dir: string;
  path: string;
  lockPath: string;
  io: FileIo;
  lock: FileLockOptions;
  now: () => number;
}

const KEY_CHANGED = "The vault's key was changed by another TokenDesk window; unlock it again.";
const REPLACED = 'The vault file was replaced by another vault; unlock it again.';

export class Vault<T> {
  /** True when `vault.json` was missing or damaged and the backup was restored. */
  readonly openedFromBackup: boolean;
  readonly path: string;
  readonly #ctx: Context;
  #key: Buffer;
  #keyId: Buffer;
  #id: Buffer;
  #slots: StoredKeySlot[];
  #json: string;
  /** The highest save counter of an authentic file this instance has seen or written: it never goes back. */
  #counter: number;
  /**
   * The exact bytes of vault.json as this instance last wrote or verified
   * them. When the file still holds these bytes, nobody changed it and the
   * decrypt before a save can be skipped (SPEC 8: save 1,000 accounts < 100 ms).
   */
  #verified: { bytes: Buffer; env: VaultEnvelope; json: string } | undefined;
  /** vault.json's bytes as judged damaged by `open` (its key id may be the damage: not "another key"). */
  #knownDamaged: Buffer | undefined;
  #closed = false;
  #lockedBecause: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #recovery: VaultRecovery | undefined;
  #rollback: VaultRollback | undefined;
  readonly #folderWarning: string | undefined;

  private constructor(ctx: Context, key: Buffer, env: VaultEnvelope, json: string, openedFromBackup: boolean, folderWarning: string | undefined) {
    this.#ctx = ctx;
    this.path = ctx.path;
    this.#key = key;
    this.#keyId = keyIdOf(key);
    this.#id = env.id;
    this.#slots = env.slots;
    this.#json = json;
    this.#counter = env.counter;
    this.openedFromBackup = openedFromBackup;
    this.#folderWarning = folderWarning;
  }

  /** Set when the vault was opened from its backup (see `VaultRecovery`). */
  get recovery(): Readonly<VaultRecovery> | undefined {
    return this.#recovery;
  }

  /** Set when vault.json was found older than a version this vault has had (see `VaultRollback`). */
  get rollback(): Readonly<VaultRollback> | undefined {
    return this.#rollback;
  }

  /** Plain words for the CLI and the app when the data folder is open to other users and was left so. */
  get folderWarning(): string | undefined {
    return this.#folderWarning;
  }

  /** True when the folder holds a vault (or at least its backup). */
  static async exists(dir: string, fileName = DEFAULT_VAULT_FILE, fs?: VaultFs): Promise<boolean> {
    const io = ioOf({ fs });
    const path = join(dir, fileName);
    return (await present(io, path)) || (await present(io, backupPathOf(path)));
  }

  /**
   * Creates a new vault with a fresh random data key, wrapped by each of
   * `slots` (one per kind). Refuses with ERR_VAULT_EXISTS if one is there.
   */
  static async create<T>(opts: VaultOptions, slots: KeySlotProvider[], initial: T): Promise<Vault<T>> {
    checkProviders(slots);
    const ctx = contextOf(opts);
    await writeStep(opts.dir, () => ctx.io.fs.mkdir(opts.dir, { recursive: true, mode: 0o700 }));
    const key = randomBytes(KEY_BYTES);
    const stored: StoredKeySlot[] = [];
    for (const provider of slots) stored.push(await wrapWith(provider, key));
    const json = stringify(initial);
    const { bytes, env } = sealFile(key, randomBytes(VAULT_ID_BYTES), stored, json, 0, ctx.now);
    await withFileLock(
      ctx.lockPath,
      async () => {
        if (await Vault.exists(opts.dir, opts.fileName, ctx.io.fs)) throw exists();
        if (!(await createExclusive(ctx.io, ctx.path, bytes))) throw exists();
      },
      ctx.lock,
    );
    const folderWarning = await secureDataFolder(ctx.io, ctx.dir, basename(ctx.path));
    return new Vault<T>(ctx, key, env, json, false, folderWarning);
  }

  /**
   * Opens the vault with the first provider that unwraps a slot of its kind.
   * Errors (VaultError): ERR_VAULT_NOT_FOUND, ERR_VAULT_PASSPHRASE,
   * ERR_VAULT_KEY_SLOT (no slot for these providers, keychain refused),
   * ERR_VAULT_VERSION (newer format), ERR_VAULT_DAMAGED (file and backup both
   * unreadable; neither is touched). A damaged file with a good backup opens
   * from the backup (`openedFromBackup`, `recovery`), the damaged file set
   * aside. CancelledError when `signal` aborts a lock wait.
   */
  static async open<T>(opts: VaultOptions, providers: KeySlotProvider[]): Promise<Vault<T>> {
    const ctx = contextOf(opts);
    const { io, path } = ctx;
    await removeStaleTemps(io, path);
    const folderWarning = await secureDataFolder(io, ctx.dir, basename(path));
    const mainBytes = await readIfExists(io, path);
    let key: Buffer | undefined;
    let rewrap: KeySlotProvider | undefined;
    if (mainBytes !== undefined) {
      let env: VaultEnvelope | undefined;
      try {
        env = parseVaultFile(mainBytes);
        const unwrapped = await unwrapKey(env.slots, providers);
        key = unwrapped.key;
        if (unwrapped.shouldRewrap) rewrap = unwrapped.provider;
      } catch (error) {
        if (!(error instanceof VaultError && error.code === 'ERR_VAULT_DAMAGED')) throw error;
      }
      const json = env && key ? decryptJson(key, env) : undefined;
      if (env && key && json !== undefined) {
        const vault = new Vault<T>(ctx, key, env, json, false, folderWarning);
        await vault.#noticeBackupNotOlder(env, mainBytes);
        // Housekeeping, best effort: the vault is open either way, and the
        // next save migrates an old format anyway.
        if (env.version < CURRENT_VERSION) await vault.#bestEffort(() => vault.#serial(() => vault.#locked(() => vault.#commitContent(vault.#json))));
        if (rewrap) {
          const provider = rewrap;
          await vault.#bestEffort(() => vault.replaceSlot(provider));
        }
        return vault;
      }
    }

    // vault.json is missing or damaged: the backup is the way in.
    const bakPath = backupPathOf(path);
    const bakBytes = await readIfExists(io, bakPath);
    if (bakBytes === undefined) {
      if (mainBytes === undefined) throw new VaultError('ERR_VAULT_NOT_FOUND', `There is no vault in ${opts.dir}.`);
      throw new VaultError('ERR_VAULT_DAMAGED', 'The vault file is damaged and there is no backup.');
    }
    let bakEnv: VaultEnvelope;
    try {
      bakEnv = parseVaultFile(bakBytes);
    } catch (error) {
      if (error instanceof VaultError && error.code === 'ERR_VAULT_DAMAGED') throw bothDamaged(mainBytes);
      throw error;
    }
    let bakJson = key ? decryptJson(key, bakEnv) : undefined;
    if (bakJson === undefined) {
      // Unknown key (main unparsable), or a backup under another key.
      let unwrapped;
      try {
        unwrapped = await unwrapKey(bakEnv.slots, providers);
      } catch (error) {
        if (error instanceof VaultError && error.code === 'ERR_VAULT_DAMAGED') throw bothDamaged(mainBytes);
        throw error;
      }
      key = unwrapped.key;
      bakJson = decryptJson(key, bakEnv);
      if (bakJson === undefined) throw bothDamaged(mainBytes);
    }
    if (!key) throw bothDamaged(mainBytes); // unreachable: a decrypted backup implies a key
    const vault = new Vault<T>(ctx, key, bakEnv, bakJson, true, folderWarning);
    vault.#knownDamaged = mainBytes;
    vault.#recovery = { backupSavedAt: bakEnv.savedAt ?? (await mtimeOf(io, bakPath)) };
    // Best effort too (another process may hold the lock): if it does not
    // happen now, the next save sets the damaged file aside all the same.
    const restored = await vault.#bestEffort(() => vault.#serial(() => vault.#locked(() => vault.#restore())));
    if (restored?.damagedCopyPath) vault.#recovery = { ...vault.#recovery, damagedCopyPath: restored.damagedCopyPath };
    return vault;
  }

  /** The current content: a fresh deep copy (what a reopen would return, JSON round trip). */
  read(): T {
    this.#assertOpen();
    return JSON.parse(this.#json) as T;
  }

  /** Encrypts and atomically saves `content`; the previous file becomes the backup. */
  async write(content: T): Promise<void> {
    this.#assertOpen();
    const json = stringify(content);
    return this.#serial(() => this.#locked(() => this.#commitContent(json)));
  }

  /** Re-reads the file (another process may have written it) with the unwrapped key. */
  async reload(): Promise<T> {
    this.#assertOpen();
    return this.#serial(async () => {
      await this.#refreshFromDisk();
      return this.read();
    });
  }

  /**
   * Read-modify-write under the cross-process lock: reloads, calls `fn` with
   * the current content, writes `next`, returns `result`. If `fn` throws,
   * nothing is written. `cancellable: false` waits for the lock even after
   * `signal` aborted: for saving what a provider already answered (a
   * rotated refresh token must not be dropped by a Ctrl+C).
   */
  async update<R>(fn: (current: T) => { next: T; result: R } | Promise<{ next: T; result: R }>, options: { cancellable?: boolean } = {}): Promise<R> {
    this.#assertOpen();
    return this.#serial(() =>
      this.#locked(async () => {
        const main = await this.#refreshFromDisk();
        const { next, result } = await fn(JSON.parse(this.#json) as T);
        await this.#commit(stringify(next), main);
        return result;
      }, options.cancellable ?? true),
    );
  }

  /** Adds a slot wrapping the same data key. */
  async addSlot(provider: KeySlotProvider): Promise<void> {
    this.#assertOpen();
    const slot = await wrapWith(provider, this.#key);
    await this.#changeSlots((slots) => {
      if (slots.some((s) => s.kind === provider.kind)) {
        throw new VaultError('ERR_VAULT_KEY_SLOT', `The vault already has a ${slotName(provider.kind)}; replace it instead.`);
      }
      return [...slots, slot];
    }, false);
  }

  /**
   * Removes the slot of this kind. The last slot cannot be removed. The data
   * key stays: to drop a passphrase for good (old copies included), `rekey`.
   */
  async removeSlot(kind: KeySlotKind): Promise<void> {
    this.#assertOpen();
    await this.#changeSlots((slots) => {
      const rest = slots.filter((s) => s.kind !== kind);
      if (rest.length === slots.length) throw new VaultError('ERR_VAULT_KEY_SLOT', `The vault has no ${slotName(kind)}.`);
      if (rest.length === 0) throw new VaultError('ERR_VAULT_KEY_SLOT', 'The last way to unlock the vault cannot be removed.');
      return rest;
    }, true);
  }

  /**
   * Sets the slot of `provider.kind` (adds it if missing), under the same data
   * key: right for re-wrapping (a keychain's `shouldReEncrypt`, stronger scrypt
   * parameters, enrolling a keychain). To change or remove a passphrase, `rekey`.
   */
  async replaceSlot(provider: KeySlotProvider): Promise<void> {
    this.#assertOpen();
    const slot = await wrapWith(provider, this.#key);
    await this.#changeSlots((slots) => [...slots.filter((s) => s.kind !== provider.kind), slot], true);
  }

  /**
   * Replaces the data key: a fresh random key, the content sealed under it,
   * the slots replaced by one wrap per provider (one per kind), the backup
   * rewritten under the new key too, orphaned temporary files removed and the
   * slots of damaged copies rewritten (damaged-copies.ts). Afterwards no file
   * in the data folder opens with a slot that is not among `providers`.
   * Another instance still holding the old key gets ERR_VAULT_LOCKED (it
   * never takes the new file for damaged). If it fails with ERR_VAULT_WRITE
   * after vault.json was rewritten, vault.json already has the new key and
   * the backup still the old one, until the next save rewrites it.
   */
  async rekey(providers: KeySlotProvider[]): Promise<void> {
    this.#assertOpen();
    checkProviders(providers);
    // scrypt (~0.5 s per passphrase) runs before the lock is taken, not under it.
    const newKey = randomBytes(KEY_BYTES);
    const newSlots: StoredKeySlot[] = [];
    for (const provider of providers) newSlots.push(await wrapWith(provider, newKey));
    const oldKey = Buffer.from(this.#key);
    const wrapOldKey = async (): Promise<StoredKeySlot[]> => {
      const slots: StoredKeySlot[] = [];
      for (const provider of providers) slots.push(await wrapWith(provider, oldKey));
      return slots;
    };
    let slotsForOldKey = (await damagedCopiesOf(this.#ctx.io, this.path)).length > 0 ? await wrapOldKey() : undefined;
    try {
      await this.#serial(() =>
        this.#locked(async () => {
          const main = await this.#inspect(this.path); // another window re-keyed meanwhile: ERR_VAULT_LOCKED here
          if (main.state === 'good') this.#take(main.env, main.json);
          const before = { key: this.#key, keyId: this.#keyId, slots: this.#slots };
          this.#key = newKey;
          this.#keyId = keyIdOf(newKey);
          this.#slots = newSlots;
          try {
            await this.#commit(this.#json, main.state);
          } catch (error) {
            this.#key = before.key;
            this.#keyId = before.keyId;
            this.#slots = before.slots;
            throw error;
          }
          before.key.fill(0);
          // The backup is now the old-key file: write once more so it is a new-key file too.
          await this.#commit(this.#json, 'good');
          await removeStaleTemps(this.#ctx.io, this.path, { all: true });
          if ((await damagedCopiesOf(this.#ctx.io, this.path)).length > 0) {
            slotsForOldKey ??= await wrapOldKey(); // a damaged vault.json was set aside just now
            await rewrapDamagedCopies(this.#ctx.io, this.path, {
              vaultId: this.#id,
              keyId: keyIdOf(oldKey),
              slotsForReplacedKey: slotsForOldKey,
              keptKinds: new Set(providers.map((p) => p.kind)),
            });
          }
        }),
      );
    } finally {
      oldKey.fill(0);
    }
  }

  /**
   * True when `provider` unwraps this vault's data key from one of its slots
   * (a current passphrase typed to confirm a change). A wrong passphrase is
   * false; a damaged slot or a refused keychain throw as in `open`.
   */
  async unlocksWith(provider: KeySlotProvider): Promise<boolean> {
    this.#assertOpen();
    try {
      const { key } = await unwrapKey(this.#slots, [provider]);
      const same = key.length === this.#key.length && timingSafeEqual(key, this.#key);
      key.fill(0);
      return same;
    } catch (error) {
      if (error instanceof VaultError && error.code === 'ERR_VAULT_PASSPHRASE') return false;
      throw error;
    }
  }

  slotKinds(): KeySlotKind[] {
    return this.#slots.map((s) => s.kind);
  }

  /** Forgets the data key (zeroed); every later call fails with ERR_VAULT_LOCKED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.catch(() => undefined);
    this.#key.fill(0);
    this.#json = '';
  }

  // --- internals -----------------------------------------------------------

  #assertOpen(): void {
    if (this.#closed) throw new VaultError('ERR_VAULT_LOCKED', this.#lockedBecause ?? 'The vault is locked.');
  }

  /** The file on disk is no longer this instance's vault: forget the key, refuse everything. */
  #lockOut(message: string): VaultError {
    this.#lockedBecause = message;
    this.#closed = true;
    this.#key.fill(0);
    this.#json = '';
    this.#verified = undefined;
    return new VaultError('ERR_VAULT_LOCKED', message);
  }

  /** One operation of this instance at a time; the file lock covers other instances and processes. */
  #serial<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #locked<R>(fn: () => Promise<R>, cancellable = true): Promise<R> {
    const { signal: _signal, ...uncancellable } = this.#ctx.lock;
    return withFileLock(this.#ctx.lockPath, () => {
      this.#assertOpen(); // locked out while waiting
      return fn();
    }, cancellable ? this.#ctx.lock : uncancellable);
  }

  /** Housekeeping during open: failures are ignored, but a cancel is a cancel. */
  async #bestEffort<R>(fn: () => Promise<R>): Promise<R | undefined> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof CancelledError) {
        await this.close();
        throw error;
      }
      return undefined;
    }
  }

  /**
   * Reads and judges one file with our key. A newer format is an error, not
   * "damaged"; a file under another data key (or of another vault) locks this
   * instance out instead of being judged damaged.
   */
  async #inspect(path: string): Promise<Inspection> {
    const bytes = await readIfExists(this.#ctx.io, path);
    if (bytes === undefined) return { state: 'missing' };
    const verified = this.#verified;
    if (path === this.path && verified && bytes.equals(verified.bytes)) return { state: 'good', env: verified.env, json: verified.json };
    if (path === this.path && this.#knownDamaged?.equals(bytes)) return { state: 'damaged' };
    let env: VaultEnvelope;
    try {
      env = parseVaultFile(bytes);
    } catch (error) {
      if (error instanceof VaultError && error.code === 'ERR_VAULT_DAMAGED') return { state: 'damaged' };
      throw error;
    }
    if (env.version >= 1 && this.#id.length === VAULT_ID_BYTES && !env.id.equals(this.#id)) throw this.#lockOut(REPLACED);
    if (env.keyId && !env.keyId.equals(this.#keyId)) throw this.#lockOut(KEY_CHANGED);
    const json = decryptJson(this.#key, env);
    if (json === undefined) return { state: 'damaged' };
    if (path === this.path) this.#verified = { bytes, env, json };
    return { state: 'good', env, json };
  }

  /**
   * Takes what an authentic file holds, unless it is older than a version
   * this instance has seen: then it keeps its own (newer) content and slots,
   * and a vault.json that went back in time is reported as a rollback.
   * Returns whether it took the file.
   */
  #take(env: VaultEnvelope, json: string, isMain = true): boolean {
    if (env.counter < this.#counter) {
      if (isMain) this.#rollback = { savedAt: env.savedAt ?? 0, detected: 'while-open' };
      return false;
    }
    this.#slots = env.slots;
    if (env.version >= 1) this.#id = env.id;
    this.#json = json;
    this.#counter = env.counter;
    return true;
  }

  /**
   * Adopts what is on disk: vault.json if good, else its backup; both bad is
   * ERR_VAULT_DAMAGED (a plain `write` still works then: it sets the damaged
   * file aside). Returns the state of vault.json, which a following commit needs.
   */
  async #refreshFromDisk(): Promise<CurrentState> {
    const main = await this.#inspect(this.path);
    if (main.state === 'good') {
      this.#take(main.env, main.json);
      return 'good';
    }
    const bak = await this.#inspect(backupPathOf(this.path));
    if (bak.state === 'good') this.#take(bak.env, bak.json, false);
    else throw new VaultError('ERR_VAULT_DAMAGED', 'The vault file and its backup are both damaged.');
    return main.state;
  }

  /** `write`: the slots (and counter) come from disk when it is good; the content is the caller's. */
  async #commitContent(json: string): Promise<void> {
    const main = await this.#inspect(this.path);
    if (main.state === 'good') this.#take(main.env, main.json);
    await this.#commit(json, main.state);
  }

  /** Seals `json` with the next counter and saves it; the lock must be held and `state` judged under it. */
  async #commit(json: string, state: CurrentState): Promise<{ damagedCopyPath?: string }> {
    await removeStaleTemps(this.#ctx.io, this.path);
    if (this.#id.length !== VAULT_ID_BYTES) this.#id = randomBytes(VAULT_ID_BYTES); // migrating from v0
    const { bytes, env } = sealFile(this.#key, this.#id, this.#slots, json, this.#counter, this.#ctx.now);
    this.#verified = undefined;
    const result = await replaceWithBackup(this.#ctx.io, this.path, bytes, state);
    this.#verified = { bytes, env, json };
    this.#knownDamaged = undefined;
    this.#json = json;
    this.#counter = env.counter;
    return result;
  }

  async #changeSlots(change: (slots: StoredKeySlot[]) => StoredKeySlot[], purgeBackup: boolean): Promise<void> {
    await this.#serial(() =>
      this.#locked(async () => {
        const main = await this.#inspect(this.path);
        if (main.state === 'good') this.#take(main.env, main.json);
        const previous = this.#slots;
        this.#slots = change(previous);
        try {
          await this.#commit(this.#json, main.state);
        } catch (error) {
          this.#slots = previous; // nothing changed on disk
          throw error;
        }
        // The backup is the file with the old slots: write once more so it is not.
        if (purgeBackup) await this.#commit(this.#json, 'good');
      }),
    );
  }

  /** Under the lock: saves the backup's content as vault.json again, setting the damaged file aside. */
  async #restore(): Promise<{ damagedCopyPath?: string }> {
    const main = await this.#inspect(this.path);
    if (main.state === 'good') {
      // Another process restored or saved meanwhile: take its version.
      this.#take(main.env, main.json);
      return {};
    }
    return this.#commit(this.#json, main.state);
  }

  /** On open: vault.json not newer than its (authentic, distinct) backup was put there by someone. */
  async #noticeBackupNotOlder(mainEnv: VaultEnvelope, mainBytes: Buffer): Promise<void> {
    if (mainEnv.version < 2 || !mainEnv.keyId) return;
    const bakPath = backupPathOf(this.path);
    const bakBytes = await readIfExists(this.#ctx.io, bakPath).catch(() => undefined);
    if (bakBytes === undefined) return;
    let bakEnv: VaultEnvelope;
    try {
      bakEnv = parseVaultFile(bakBytes);
    } catch {
      return;
    }
    if (!bakEnv.keyId?.equals(mainEnv.keyId) || !bakEnv.id.equals(mainEnv.id) || bakEnv.counter < mainEnv.counter) return;
    // One inode under both names: a save stopped between its backup and its rename. Not a rollback.
    if (bakBytes.equals(mainBytes) && (await sameFile(this.#ctx.io, this.path, bakPath))) return;
    if (decryptJson(this.#key, bakEnv) === undefined) return; // an unauthentic counter proves nothing
    this.#rollback = { savedAt: mainEnv.savedAt ?? 0, detected: 'on-open' };
  }
}

/** Seals `json` as the next version-2 file after `counter`. */
function sealFile(
  key: Buffer,
  id: Buffer,
  slots: StoredKeySlot[],
  json: string,
  counter: number,
  now: () => number,
): { bytes: Buffer; env: VaultEnvelope } {
  const header = { id, keyId: keyIdOf(key), counter: counter + 1, savedAt: Math.max(0, Math.floor(now())) };
  const aad = aadV2(header);
  const sealed = seal(key, Buffer.from(json, 'utf8'), aad);
  const bytes = serializeVaultFile({ ...header, slots, ...sealed });
  return { bytes, env: { version: CURRENT_VERSION, ...header, slots, ...sealed, aad } };
}

/** A provider must produce a slot of its own kind, or the slot list would lie about how to unlock. */
async function wrapWith(provider: KeySlotProvider, key: Buffer): Promise<StoredKeySlot> {
  const slot = await provider.wrap(key);
  if (slot.kind !== provider.kind) throw new VaultError('ERR_VAULT_KEY_SLOT', `A ${provider.kind} key slot produced a ${slot.kind} slot.`);
  return slot;
}

function checkProviders(providers: KeySlotProvider[]): void {
  if (providers.length === 0) throw new VaultError('ERR_VAULT_KEY_SLOT', 'A vault needs at least one way to unlock it (keychain or passphrase).');
  if (new Set(providers.map((s) => s.kind)).size !== providers.length) throw new VaultError('ERR_VAULT_KEY_SLOT', 'Each kind of key slot can be given once.');
}

async function unwrapKey(
  slots: StoredKeySlot[],
  providers: KeySlotProvider[],
): Promise<{ key: Buffer; provider: KeySlotProvider; shouldRewrap: boolean }> {
  const errors: unknown[] = [];
  for (const provider of providers) {
    for (const slot of slots.filter((s) => s.kind === provider.kind)) {
      try {
        const { dataKey, shouldRewrap } = await provider.unwrap(slot);
        const key = Buffer.from(dataKey);
        dataKey.fill(0);
        if (key.length !== KEY_BYTES) throw new VaultError('ERR_VAULT_KEY_SLOT', 'A key slot returned a key of the wrong size.');
        return { key, provider, shouldRewrap };
      } catch (error) {
        errors.push(error);
      }
    }
  }
  if (errors.length === 0) {
    const have = [...new Set(slots.map((s) => slotName(s.kind)))].join(' or ');
    throw new VaultError('ERR_VAULT_KEY_SLOT', `This vault can only be unlocked with its ${have}.`);
  }
  // The most useful answer first: a wrong passphrase beats a refused keychain.
  for (const wanted of ['ERR_VAULT_PASSPHRASE', 'ERR_VAULT_KEY_SLOT', 'ERR_VAULT_DAMAGED']) {
    const hit = errors.find((e) => e instanceof VaultError && e.code === wanted);
    if (hit) throw hit;
  }
  throw new VaultError('ERR_VAULT_KEY_SLOT', 'The vault key could not be unwrapped.', { cause: errors[0] });
}

/**
 * The content JSON, or undefined when it does not authenticate (or the file
 * names another key than `key`). No JSON check: GCM proves it is what a save wrote.
 */
function decryptJson(key: Buffer, env: VaultEnvelope): string | undefined {
  if (env.keyId && !env.keyId.equals(keyIdOf(key))) return undefined;
  return openSealed(key, env, env.aad)?.toString('utf8');
}

async function present(io: FileIo, path: string): Promise<boolean> {
  try {
    await io.fs.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function mtimeOf(io: FileIo, path: string): Promise<number> {
  try {
    return Math.floor((await io.fs.stat(path)).mtimeMs);
  } catch {
    return 0;
  }
}

async function sameFile(io: FileIo, a: string, b: string): Promise<boolean> {
  try {
    const [x, y] = await Promise.all([io.fs.stat(a), io.fs.stat(b)]);
    return x.dev === y.dev && x.ino === y.ino;
  } catch (error) {
    return errnoOf(error) !== 'ENOENT';
  }
}

function stringify(content: unknown): string {
  const json = JSON.stringify(content);
  if (json === undefined) throw new TypeError('Vault content must be JSON-serialisable.');
  return json;
}

function contextOf(opts: VaultOptions): Context {
  const path = join(opts.dir, opts.fileName ?? DEFAULT_VAULT_FILE);
  const io = ioOf(opts);
  const lock: FileLockOptions = { fs: io.fs };
  if (opts.lockTimeoutMs !== undefined) lock.timeoutMs = opts.lockTimeoutMs;
  if (opts.signal) lock.signal = opts.signal;
  return { dir: opts.dir, path, lockPath: `${path}.lock`, io, lock, now: opts.now ?? Date.now };
}

function slotName(kind: KeySlotKind): string {
  return kind === 'passphrase' ? 'recovery passphrase' : 'system keychain';
}

function exists(): VaultError {
  return new VaultError('ERR_VAULT_EXISTS', 'A vault already exists in this folder.');
}

function bothDamaged(mainBytes: Buffer | undefined): VaultError {
  return new VaultError(
    'ERR_VAULT_DAMAGED',
    mainBytes === undefined ? 'The vault file is missing and its backup is damaged.' : 'The vault file and its backup are both damaged.',
  );
}
