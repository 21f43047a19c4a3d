/**
 * Issue 9 item 10: after a passphrase change (rekey), no file in the data
 * folder opens with the old passphrase, damaged copies and the backup
 * included, and an instance that still holds the old data key locks itself
 * instead of taking the re-keyed file for damaged.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultError } from '../../../main/core/errors.js';
import { Vault, createPassphraseSlot } from '../../../main/core/vault/index.js';
import type { StoredKeySlot } from '../../../main/core/vault/index.js';
import { SafeStorageKeySlot } from '../../../main/electron/safe-storage-slot.js';
import { createFakeSafeStorage as fakeKeychain } from '../../fixtures/electron/safe-storage.js';
import { codeOf } from '../../helpers/error-code.js';

interface Content {
  counter: number;
  secret: string;
}

const cheap = { N: 2 ** 10, r: 8, p: 1 };
const OLD = 'old passphrase, dropped';
const NEW = 'new passphrase, kept';
const pass = (p: string) => createPassphraseSlot(p, cheap);
let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-rekey-'));
  file = join(dir, 'vault.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Every passphrase slot an attacker could find in a file: the slot objects
 * of the parsed JSON, or, when the file does not parse (cut off, flipped
 * bytes), every `{"kind": "passphrase", "data": {...}}` in its raw text.
 */
function passphraseSlotsIn(text: string): StoredKeySlot[] {
  try {
    const json = JSON.parse(text) as { slots?: StoredKeySlot[] };
    return (json.slots ?? []).filter((slot) => slot.kind === 'passphrase');
  } catch {
    // not JSON: scan the text
  }
  const found: StoredKeySlot[] = [];
  for (const match of text.matchAll(/\{\s*"kind"\s*:\s*"passphrase"\s*,\s*"data"\s*:\s*(\{[^{}]*\})\s*\}/g)) {
    try {
      found.push({ kind: 'passphrase', data: JSON.parse(match[1]!) as StoredKeySlot['data'] });
    } catch {
      // a fragment
    }
  }
  return found;
}

/** True when `passphrase` unwraps any passphrase slot of the file, or opens it as a vault. */
async function opensWith(path: string, passphrase: string): Promise<boolean> {
  const text = (await readFile(path)).toString('utf8');
  for (const slot of passphraseSlotsIn(text)) {
    try {
      await pass(passphrase).unwrap(slot);
      return true;
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
    }
  }
  // And the whole file, as TokenDesk would open it.
  const alone = await mkdtemp(join(tmpdir(), 'tokendesk-rekey-one-'));
  try {
    await copyFile(path, join(alone, 'vault.json'));
    await Vault.open({ dir: alone }, [pass(passphrase)]);
    return true;
  } catch {
    return false;
  } finally {
    await rm(alone, { recursive: true, force: true });
  }
}

describe('rekey', () => {
  it('afterwards no file in the data folder opens with the old passphrase; the new one opens vault.json and .bak', async () => {
    const keychain = new SafeStorageKeySlot(fakeKeychain(), 'linux');
    const vault = await Vault.create<Content>({ dir }, [pass(OLD), keychain], { counter: 1, secret: 'before' });
    await vault.write({ counter: 2, secret: 'before' });
    // A damaged copy with flipped ciphertext, set aside by an open from the backup.
    const json = JSON.parse(await readFile(file, 'utf8')) as { data: string };
    json.data = Buffer.from(Buffer.from(json.data, 'base64').map((b, i) => (i === 3 ? b ^ 1 : b))).toString('base64');
    await writeFile(file, JSON.stringify(json));
    const reopened = await Vault.open<Content>({ dir }, [pass(OLD)]);
    expect(reopened.recovery?.damagedCopyPath).toBeDefined();
    await reopened.write({ counter: 3, secret: 'before' });
    // A cut-off copy (a crash on a file system that lies about fsync), set aside by the next save.
    const whole = await readFile(file);
    await writeFile(file, whole.subarray(0, whole.length - 40));
    await reopened.write({ counter: 4, secret: 'before' });
    // A temporary file of a save that never finished, named after a live process (this one).
    await writeFile(join(dir, `vault.json.tmp-${process.pid}-0123456789ab`), whole);
    // And vault.json damaged right now: rekey sets it aside too.
    await writeFile(file, whole.subarray(0, 200));
    expect((await readdir(dir)).filter((n) => n.includes('.damaged-'))).toHaveLength(2);

    await reopened.rekey([pass(NEW), keychain]);
    const checkEveryFile = async (when: string) => {
      const names = (await readdir(dir)).sort();
      expect(names.filter((n) => n.includes('.damaged-'))).toHaveLength(3);
      expect(names.filter((n) => n.includes('.tmp-'))).toEqual([]);
      for (const name of names) {
        expect(await opensWith(join(dir, name), OLD), `${when}: ${name} opens with the old passphrase`).toBe(false);
      }
      return names;
    };
    await checkEveryFile('right after rekey');
    // The backup right after rekey holds the content under the new key.
    expect(JSON.parse(await readFile(`${file}.bak`, 'utf8')).keyId).toBe(JSON.parse(await readFile(file, 'utf8')).keyId);
    await reopened.write({ counter: 5, secret: 'after the change' });
    const names = await checkEveryFile('after the next save');
    // The new passphrase opens vault.json, and the backup on its own.
    expect((await Vault.open<Content>({ dir }, [pass(NEW)])).read()).toEqual({ counter: 5, secret: 'after the change' });
    const bakOnly = join(dir, 'bak-only');
    await mkdir(bakOnly);
    await copyFile(`${file}.bak`, join(bakOnly, 'vault.json'));
    expect((await Vault.open<Content>({ dir: bakOnly }, [pass(NEW)])).read().counter).toBe(4);
    await rm(bakOnly, { recursive: true });
    // The keychain, given again, still opens it.
    expect((await Vault.open<Content>({ dir }, [keychain])).read().counter).toBe(5);
    // The damaged copies stay useful: the new passphrase unwraps their (old) key.
    // Except the one cut off inside its slot list: no slot is left in it for anyone.
    for (const name of names.filter((n) => n.includes('.damaged-'))) {
      const text = await readFile(join(dir, name), 'utf8');
      const slots = passphraseSlotsIn(text);
      if (text.length === 200) {
        expect(slots, name).toEqual([]);
        continue;
      }
      expect(slots.length, `${name}: ${text.length} chars`).toBe(1);
      await expect(pass(NEW).unwrap(slots[0]!), name).resolves.toBeDefined();
    }
  });

  it('removing the passphrase (rekey with the keychain only) leaves no passphrase slot in any file', async () => {
    const keychain = new SafeStorageKeySlot(fakeKeychain(), 'linux');
    const vault = await Vault.create<Content>({ dir }, [pass(OLD), keychain], { counter: 1, secret: 's' });
    await vault.write({ counter: 2, secret: 's' });
    await vault.rekey([keychain]);
    for (const name of await readdir(dir)) {
      expect(passphraseSlotsIn(await readFile(join(dir, name), 'utf8')), name).toEqual([]);
      expect(await opensWith(join(dir, name), OLD), name).toBe(false);
    }
    expect(await codeOf(Vault.open({ dir }, [pass(OLD)]))).toBe('ERR_VAULT_KEY_SLOT');
    expect((await Vault.open<Content>({ dir }, [keychain])).read().counter).toBe(2);
    expect(vault.slotKinds()).toEqual(['safe_storage']);
  });

  it('an instance that still holds the old key locks itself ("unlock it again") and never sets the new file aside', async () => {
    const a = await Vault.create<Content>({ dir }, [pass(OLD)], { counter: 1, secret: 's' });
    const b = await Vault.open<Content>({ dir }, [pass(OLD)]);
    await b.rekey([pass(NEW)]);
    await b.write({ counter: 2, secret: 'b after rekey' });
    const before = (await readdir(dir)).sort();
    const error = await a.write({ counter: 99, secret: 'old key content' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe('ERR_VAULT_LOCKED');
    expect((error as VaultError).message).toBe("The vault's key was changed by another TokenDesk window; unlock it again.");
    // Nothing moved, nothing written, and the instance stays locked.
    expect((await readdir(dir)).sort()).toEqual(before);
    expect(await codeOf(a.update((c) => ({ next: c, result: 0 })))).toBe('ERR_VAULT_LOCKED');
    expect(() => a.read()).toThrow(/unlock it again/);
    expect((await Vault.open<Content>({ dir }, [pass(NEW)])).read().secret).toBe('b after rekey');
  });

  it('the same for reload and update of the old instance, and for one that only sees the re-keyed backup', async () => {
    await Vault.create<Content>({ dir }, [pass(OLD)], { counter: 1, secret: 's' });
    const a = await Vault.open<Content>({ dir }, [pass(OLD)]);
    const c = await Vault.open<Content>({ dir }, [pass(OLD)]);
    const b = await Vault.open<Content>({ dir }, [pass(OLD)]);
    await b.rekey([pass(NEW)]);
    expect(await codeOf(a.reload())).toBe('ERR_VAULT_LOCKED');
    await rm(file); // only the (re-keyed) backup is left
    expect(await codeOf(c.update((x) => ({ next: x, result: 0 })))).toBe('ERR_VAULT_LOCKED');
    expect((await readdir(dir)).filter((n) => n.includes('damaged'))).toEqual([]);
    expect((await Vault.open<Content>({ dir }, [pass(NEW)])).openedFromBackup).toBe(true);
  });

  it('refuses an empty provider list and two providers of one kind', async () => {
    const vault = await Vault.create<Content>({ dir }, [pass(OLD)], { counter: 1, secret: 's' });
    expect(await codeOf(vault.rekey([]))).toBe('ERR_VAULT_KEY_SLOT');
    expect(await codeOf(vault.rekey([pass(NEW), pass(OLD)]))).toBe('ERR_VAULT_KEY_SLOT');
    expect((await Vault.open<Content>({ dir }, [pass(OLD)])).read().counter).toBe(1);
  });
});
