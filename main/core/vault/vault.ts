/**
 * The encrypted vault: one JSON document (the account service's; `T` here),
 * encrypted with a random 256-bit data key (AES-256-GCM), the data key wrapped
 * in one or more key slots (OS keychain, recovery passphrase). SPEC 4.
 *
 * Design:
 * - Files in the data folder: `vault.json` (current), `vault.json.bak` (the
 *   version before it), `vault.json.lock` (writers' cross-process lock),
 *   transient `*.tmp-<pid>-<rand>`, and `vault.json.damaged-<time>` (a damaged
 *   file set aside, never deleted by us). Format and migrations: vault-file.ts.
 *   Save order and crash invariant: atomic-file.ts.
 * - Readers take no lock (files are only ever replaced by rename, so a reader
 *   sees a whole file). Every write takes the lock, re-reads the disk under it
 *   and writes the slots found on disk: a process holding an old slot list can
 *   never bring back a removed slot or an old passphrase.
 * - A file this instance cannot decrypt is never overwritten: it is renamed to
 *   `.damaged-<time>`, and it never becomes the backup. A vault that failed to
 *   open has no instance, so nothing can be written to it at all.
 * - Slot changes rewrite only the header; the ciphertext is copied as is (the
 *   GCM additional data binds format, version and vault id, not the slots).
 *   Removing or replacing a slot writes twice, so that the backup does not keep
 *   the old slot either. Note what this design cannot do: anyone who copied an
 *   old file AND knows its old passphrase still learns the data key. Rotating
 *   the data key would mean re-encrypting; it is not offered here.
 * - Performance: the data key is unwrapped once per `open` (scrypt costs
 *   ~0.5 s by design); `reload`, `write` and `update` only run AES-GCM.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { VaultError } from '../errors.js';
import { backupPathOf, createExclusive, readIfExists, removeStaleTemps, replaceWithBackup } from './atomic-file.js';
import type { CurrentState } from './atomic-file.js';
import { KEY_BYTES, open as openSealed, seal } from './envelope.js';
import type { KeySlotKind, KeySlotProvider, StoredKeySlot } from './key-slot.js';
import { withFileLock } from './lock.js';
import { CURRENT_VERSION, VAULT_ID_BYTES, aadV1, damaged, parseVaultFile, serializeVaultFile } from './vault-file.js';
import type { VaultEnvelope } from './vault-file.js';

export const DEFAULT_VAULT_FILE = 'vault.json';

export interface VaultOptions {
  /** The data folder (created with mode 0700 by `create`). */
  dir: string;
  /** Default `vault.json`. */
  fileName?: string;
  /** How long a writer waits for another process's lock. Default 10 s. */
  lockTimeoutMs?: number;
}

/** What was found in one file, judged with a known data key. */
type Inspection =
  | { state: 'good'; env: VaultEnvelope; json: string }
  | { state: 'damaged' | 'missing' };

export class Vault<T> {
  /** True when `vault.json` was missing or damaged and the backup was restored. */
  readonly openedFromBackup: boolean;
  readonly path: string;
  readonly #lockPath: string;
  readonly #lockTimeoutMs: number | undefined;
  #key: Buffer;
  #id: Buffer;
  #slots: StoredKeySlot[];
  #json: string;
  /**
   * The exact bytes of vault.json as this instance last wrote or verified
   * them. When the file still holds these bytes, nobody changed it and the
   * decrypt before a save can be skipped (SPEC 8: save 1,000 accounts < 100 ms).
   */
  #verified: { bytes: Buffer; env: VaultEnvelope; json: string } | undefined;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(opts: VaultOptions, key: Buffer, env: VaultEnvelope, json: string, openedFromBackup: boolean) {
    this.path = vaultPath(opts);
    this.#lockPath = `${this.path}.lock`;
    this.#lockTimeoutMs = opts.lockTimeoutMs;
    this.#key = key;
    this.#id = env.id;
    this.#slots = env.slots;
    this.#json = json;
    this.openedFromBackup = openedFromBackup;
  }

  /** True when the folder holds a vault (or at least its backup). */
  static async exists(dir: string, fileName = DEFAULT_VAULT_FILE): Promise<boolean> {
    const path = join(dir, fileName);
    return (await present(path)) || (await present(backupPathOf(path)));
  }

  /**
   * Creates a new vault with a fresh random data key, wrapped by each of
   * `slots` (one per kind). Refuses with ERR_VAULT_EXISTS if one is there.
   */
  static async create<T>(opts: VaultOptions, slots: KeySlotProvider[], initial: T): Promise<Vault<T>> {
    if (slots.length === 0) throw new VaultError('ERR_VAULT_KEY_SLOT', 'A vault needs at least one way to unlock it (keychain or passphrase).');
    if (new Set(slots.map((s) => s.kind)).size !== slots.length) throw new VaultError('ERR_VAULT_KEY_SLOT', 'Each kind of key slot can be given once.');
    const path = vaultPath(opts);
    await mkdir(opts.dir, { recursive: true, mode: 0o700 });
    const key = randomBytes(KEY_BYTES);
    const stored: StoredKeySlot[] = [];
    for (const provider of slots) stored.push(await wrapWith(provider, key));
    const id = randomBytes(VAULT_ID_BYTES);
    const json = stringify(initial);
    const sealed = seal(key, Buffer.from(json, 'utf8'), aadV1(id));
    const env: VaultEnvelope = { version: CURRENT_VERSION, id, slots: stored, ...sealed, aad: aadV1(id) };
    await withFileLock(
      `${path}.lock`,
      async () => {
        if (await Vault.exists(opts.dir, opts.fileName)) throw exists();
        if (!(await createExclusive(path, serializeVaultFile(env)))) throw exists();
      },
      lockOptions(opts.lockTimeoutMs),
    );
    return new Vault<T>(opts, key, env, json, false);
  }

  /**
   * Opens the vault with the first provider that unwraps a slot of its kind.
   * Errors (VaultError): ERR_VAULT_NOT_FOUND, ERR_VAULT_PASSPHRASE,
   * ERR_VAULT_KEY_SLOT (no slot for these providers, keychain refused),
   * ERR_VAULT_VERSION (newer format), ERR_VAULT_DAMAGED (file and backup both
   * unreadable; neither is touched). A damaged file with a good backup opens
   * from the backup (`openedFromBackup`), the damaged file set aside.
   */
  static async open<T>(opts: VaultOptions, providers: KeySlotProvider[]): Promise<Vault<T>> {
    const path = vaultPath(opts);
    await removeStaleTemps(path);
    const mainBytes = await readIfExists(path);
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
        const vault = new Vault<T>(opts, key, env, json, false);
        // Housekeeping, best effort: the vault is open either way, and the
        // next save migrates an old format anyway.
        if (env.version < CURRENT_VERSION) await vault.#serial(() => vault.#locked(() => vault.#commitContent(vault.#json))).catch(() => undefined);
        if (rewrap) await vault.replaceSlot(rewrap).catch(() => undefined);
        return vault;
      }
    }

    // vault.json is missing or damaged: the backup is the way in.
    const bakBytes = await readIfExists(backupPathOf(path));
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
      // Unknown key (main unparsable) or, in theory, a backup under another key.
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
    const vault = new Vault<T>(opts, key, bakEnv, bakJson, true);
    // Best effort too (another process may hold the lock): if it does not
    // happen now, the next save sets the damaged file aside all the same.
    await vault.#serial(() => vault.#locked(() => vault.#restore(bakBytes))).catch(() => undefined);
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
   * nothing is written.
   */
  async update<R>(fn: (current: T) => { next: T; result: R } | Promise<{ next: T; result: R }>): Promise<R> {
    this.#assertOpen();
    return this.#serial(() =>
      this.#locked(async () => {
        const main = await this.#refreshFromDisk();
        const { next, result } = await fn(JSON.parse(this.#json) as T);
        await this.#commitContent(stringify(next), main);
        return result;
      }),
    );
  }

  /** Adds a slot wrapping the same data key; the content is not re-encrypted. */
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

  /** Removes the slot of this kind. The last slot cannot be removed. */
  async removeSlot(kind: KeySlotKind): Promise<void> {
    this.#assertOpen();
    await this.#changeSlots((slots) => {
      const rest = slots.filter((s) => s.kind !== kind);
      if (rest.length === slots.length) throw new VaultError('ERR_VAULT_KEY_SLOT', `The vault has no ${slotName(kind)}.`);
      if (rest.length === 0) throw new VaultError('ERR_VAULT_KEY_SLOT', 'The last way to unlock the vault cannot be removed.');
      return rest;
    }, true);
  }

  /** Sets the slot of `provider.kind` (adds it if missing), e.g. to change the passphrase. */
  async replaceSlot(provider: KeySlotProvider): Promise<void> {
    this.#assertOpen();
    const slot = await wrapWith(provider, this.#key);
    await this.#changeSlots((slots) => [...slots.filter((s) => s.kind !== provider.kind), slot], true);
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
    if (this.#closed) throw new VaultError('ERR_VAULT_LOCKED', 'The vault is locked.');
  }

  /** One operation of this instance at a time; the file lock covers other instances and processes. */
  #serial<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #locked<R>(fn: () => Promise<R>): Promise<R> {
    return withFileLock(this.#lockPath, fn, lockOptions(this.#lockTimeoutMs));
  }

  /** Reads and judges one file with our key. A newer format is an error, not "damaged". */
  async #inspect(path: string): Promise<Inspection> {
    const bytes = await readIfExists(path);
    if (bytes === undefined) return { state: 'missing' };
    const verified = this.#verified;
    if (path === this.path && verified && bytes.equals(verified.bytes)) return { state: 'good', env: verified.env, json: verified.json };
    let env: VaultEnvelope;
    try {
      env = parseVaultFile(bytes);
    } catch (error) {
      if (error instanceof VaultError && error.code === 'ERR_VAULT_DAMAGED') return { state: 'damaged' };
      throw error;
    }
    const json = decryptJson(this.#key, env);
    if (json === undefined) return { state: 'damaged' };
    if (path === this.path) this.#verified = { bytes, env, json };
    return { state: 'good', env, json };
  }

  /**
   * Adopts what is on disk: vault.json if good, else its backup; both bad is
   * ERR_VAULT_DAMAGED (a plain `write` still works then: it sets the damaged
   * file aside). Returns the state of vault.json, which a following commit needs.
   */
  async #refreshFromDisk(): Promise<CurrentState> {
    const main = await this.#inspect(this.path);
    const found = main.state === 'good' ? main : await this.#inspect(backupPathOf(this.path));
    if (found.state === 'good') this.#adopt(found.env, found.json);
    else if (main.state !== 'good') throw new VaultError('ERR_VAULT_DAMAGED', 'The vault file and its backup are both damaged.');
    return main.state;
  }

  #adopt(env: VaultEnvelope, json: string): void {
    this.#slots = env.slots;
    if (env.version >= 1) this.#id = env.id;
    this.#json = json;
  }

  /** Seals `json` and saves it; the lock must be held. Slots are taken from disk when it is good. */
  async #commitContent(json: string, mainState?: CurrentState): Promise<void> {
    let state = mainState;
    if (state === undefined) {
      const main = await this.#inspect(this.path);
      if (main.state === 'good') this.#slots = main.env.slots;
      state = main.state;
    }
    await removeStaleTemps(this.path);
    if (this.#id.length !== VAULT_ID_BYTES) this.#id = randomBytes(VAULT_ID_BYTES); // migrating from v0
    const sealed = seal(this.#key, Buffer.from(json, 'utf8'), aadV1(this.#id));
    const envelope: VaultEnvelope = { version: CURRENT_VERSION, id: this.#id, slots: this.#slots, ...sealed, aad: aadV1(this.#id) };
    const bytes = serializeVaultFile(envelope);
    this.#verified = undefined;
    await replaceWithBackup(this.path, bytes, state);
    this.#verified = { bytes, env: envelope, json };
    this.#json = json;
  }

  async #changeSlots(change: (slots: StoredKeySlot[]) => StoredKeySlot[], purgeBackup: boolean): Promise<void> {
    await this.#serial(() =>
      this.#locked(async () => {
        const main = await this.#inspect(this.path);
        if (main.state === 'good') this.#adopt(main.env, main.json);
        const slots = change(this.#slots);
        if (main.state !== 'good' || main.env.version < CURRENT_VERSION) {
          // Nothing sound on disk to copy the ciphertext from: seal what we hold.
          this.#slots = slots;
          await this.#commitContent(this.#json, main.state);
        } else {
          // Same ciphertext, new header.
          await replaceWithBackup(this.path, serializeVaultFile({ ...main.env, slots }), 'good');
          this.#slots = slots;
        }
        if (purgeBackup) await replaceWithBackup(this.path, serializeVaultFile(await this.#currentEnvelope()), 'good');
      }),
    );
  }

  async #currentEnvelope(): Promise<VaultEnvelope> {
    const main = await this.#inspect(this.path);
    if (main.state !== 'good') throw damaged('changed while saving');
    return main.env;
  }

  /** Under the lock: puts the good backup back in place, setting the damaged file aside. */
  async #restore(bakBytes: Buffer): Promise<void> {
    const main = await this.#inspect(this.path);
    if (main.state === 'good') {
      // Another process restored or saved meanwhile: take its version.
      this.#adopt(main.env, main.json);
      return;
    }
    await replaceWithBackup(this.path, bakBytes, main.state);
  }
}

/** A provider must produce a slot of its own kind, or the slot list would lie about how to unlock. */
async function wrapWith(provider: KeySlotProvider, key: Buffer): Promise<StoredKeySlot> {
  const slot = await provider.wrap(key);
  if (slot.kind !== provider.kind) throw new VaultError('ERR_VAULT_KEY_SLOT', `A ${provider.kind} key slot produced a ${slot.kind} slot.`);
  return slot;
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

/** The content JSON, or undefined when it does not authenticate. No JSON check: GCM proves it is what a save wrote. */
function decryptJson(key: Buffer, env: VaultEnvelope): string | undefined {
  return openSealed(key, env, env.aad)?.toString('utf8');
}

async function present(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function stringify(content: unknown): string {
  const json = JSON.stringify(content);
  if (json === undefined) throw new TypeError('Vault content must be JSON-serialisable.');
  return json;
}

function vaultPath(opts: VaultOptions): string {
  return join(opts.dir, opts.fileName ?? DEFAULT_VAULT_FILE);
}

function lockOptions(timeoutMs: number | undefined): { timeoutMs?: number } {
  return timeoutMs === undefined ? {} : { timeoutMs };
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
