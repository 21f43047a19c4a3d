import { mkdtemp, readFile, readdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultError } from '../../../main/core/errors.js';
import { CURRENT_VERSION, Vault, createPassphraseSlot } from '../../../main/core/vault/index.js';
import { SafeStorageKeySlot } from '../../../main/electron/safe-storage-slot.js';
import { createFakeSafeStorage as fakeKeychain } from '../../fixtures/electron/safe-storage.js';
import type { KeySlotProvider } from '../../../main/core/vault/index.js';
import { codeOf } from '../../helpers/error-code.js';

const createSafeStorageSlot = (keychain: ReturnType<typeof fakeKeychain>) => new SafeStorageKeySlot(keychain, 'linux');

interface Content {
  counter: number;
  accounts: { name: string; clientSecret?: string }[];
}

const cheap = { N: 2 ** 10, r: 8, p: 1 };
const pass = (p = 'correct horse') => createPassphraseSlot(p, cheap);
let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-vault-'));
  file = join(dir, 'vault.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const content = (counter: number): Content => ({ counter, accounts: [{ name: 'myfiber production', clientSecret: 'zitadel-s3cret' }] });

/** Flips one byte inside a base64 field of the file so it stays well-formed JSON. */
type Obj = Record<string, unknown>;

async function flipInField(path: string, pick: (f: Obj) => [Obj, string]): Promise<void> {
  const json = JSON.parse(await readFile(path, 'utf8')) as Obj;
  const [holder, key] = pick(json);
  const bytes = Buffer.from(holder[key] as string, 'base64');
  bytes[Math.floor(bytes.length / 2)]! ^= 0x40;
  holder[key] = bytes.toString('base64');
  await writeFile(path, JSON.stringify(json));
}

async function makeVaultWithBackup(): Promise<void> {
  const vault = await Vault.create<Content>({ dir }, [pass()], content(1));
  await vault.write(content(2)); // vault.json = 2, vault.json.bak = 1
}

describe('vault', () => {
  it('round-trips content through a fresh open and never stores it in plain text', async () => {
    const vault = await Vault.create<Content>({ dir }, [pass()], content(1));
    expect(vault.read()).toEqual(content(1));
    await vault.write(content(2));
    const raw = await readFile(file, 'utf8');
    expect(raw).not.toContain('zitadel-s3cret');
    expect(raw).not.toContain('myfiber');
    const reopened = await Vault.open<Content>({ dir }, [pass()]);
    expect(reopened.read()).toEqual(content(2));
    expect(reopened.openedFromBackup).toBe(false);
    expect(JSON.parse(await readFile(`${file}.bak`, 'utf8')).data).not.toBe(JSON.parse(raw).data);
  });

  it('hands out copies: changing what read() returned does not change the vault', async () => {
    const vault = await Vault.create<Content>({ dir }, [pass()], content(1));
    vault.read().counter = 99;
    expect(vault.read().counter).toBe(1);
  });

  it('refuses to create over an existing vault', async () => {
    await Vault.create<Content>({ dir }, [pass()], content(1));
    expect(await codeOf(Vault.create<Content>({ dir }, [pass()], content(5)))).toBe('ERR_VAULT_EXISTS');
    expect((await Vault.open<Content>({ dir }, [pass()])).read().counter).toBe(1);
  });

  it('says ERR_VAULT_NOT_FOUND for a folder without a vault', async () => {
    expect(await Vault.exists(dir)).toBe(false);
    expect(await codeOf(Vault.open({ dir }, [pass()]))).toBe('ERR_VAULT_NOT_FOUND');
  });

  it('says ERR_VAULT_PASSPHRASE for a wrong passphrase and leaves the files as they were', async () => {
    await makeVaultWithBackup();
    const before = await readFile(file);
    expect(await codeOf(Vault.open({ dir }, [pass('wrong horse')]))).toBe('ERR_VAULT_PASSPHRASE');
    expect((await readFile(file)).equals(before)).toBe(true);
  });

  it('says ERR_VAULT_KEY_SLOT when no given provider matches a slot kind', async () => {
    await makeVaultWithBackup();
    const keychainOnly: KeySlotProvider = {
      kind: 'safe_storage',
      wrap: () => Promise.reject(new Error('unused')),
      unwrap: () => Promise.reject(new Error('unused')),
    };
    expect(await codeOf(Vault.open({ dir }, [keychainOnly]))).toBe('ERR_VAULT_KEY_SLOT');
  });

  for (const [what, pick] of [
    ['ciphertext', (f: Obj): [Obj, string] => [f, 'data']],
    ['tag', (f: Obj): [Obj, string] => [f['cipher'] as Obj, 'tag']],
    ['iv', (f: Obj): [Obj, string] => [f['cipher'] as Obj, 'iv']],
    ['vault id (additional data)', (f: Obj): [Obj, string] => [f, 'id']],
  ] as const) {
    it(`opens from the backup when one byte of the ${what} is changed, and keeps the damaged file`, async () => {
      await makeVaultWithBackup();
      await flipInField(file, pick);
      const damaged = await readFile(file);
      const vault = await Vault.open<Content>({ dir }, [pass()]);
      expect(vault.openedFromBackup).toBe(true);
      expect(vault.read()).toEqual(content(1));
      // The damaged file was set aside byte for byte, and vault.json now opens normally.
      const aside = (await readdir(dir)).filter((n) => n.startsWith('vault.json.damaged-'));
      expect(aside).toHaveLength(1);
      expect((await readFile(join(dir, aside[0]!))).equals(damaged)).toBe(true);
      const again = await Vault.open<Content>({ dir }, [pass()]);
      expect(again.openedFromBackup).toBe(false);
      expect(again.read()).toEqual(content(1));
    });
  }

  it('opens from the backup when the file is truncated (and when it is missing)', async () => {
    await makeVaultWithBackup();
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const vault = await Vault.open<Content>({ dir }, [pass()]);
    expect(vault.openedFromBackup).toBe(true);
    expect(vault.read().counter).toBe(1);

    await rm(file);
    const again = await Vault.open<Content>({ dir }, [pass()]);
    expect(again.openedFromBackup).toBe(true);
    expect(again.read().counter).toBe(1);
  });

  it('says ERR_VAULT_DAMAGED when file and backup are both damaged, and touches neither', async () => {
    await makeVaultWithBackup();
    await flipInField(file, (f) => [f, 'data']);
    await flipInField(`${file}.bak`, (f) => [f['cipher'] as Obj, 'tag']);
    const before = await Promise.all([readFile(file), readFile(`${file}.bak`)]);
    const names = (await readdir(dir)).sort();
    expect(await codeOf(Vault.open({ dir }, [pass()]))).toBe('ERR_VAULT_DAMAGED');
    const after = await Promise.all([readFile(file), readFile(`${file}.bak`)]);
    expect(after[0].equals(before[0])).toBe(true);
    expect(after[1].equals(before[1])).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(names);
  });

  it('says ERR_VAULT_DAMAGED for a truncated file without a backup', async () => {
    await Vault.create<Content>({ dir }, [pass()], content(1));
    await writeFile(file, (await readFile(file)).subarray(0, 40));
    expect(await codeOf(Vault.open({ dir }, [pass()]))).toBe('ERR_VAULT_DAMAGED');
  });

  it('never turns a file it cannot read into the backup when saving', async () => {
    const vault = await Vault.create<Content>({ dir }, [pass()], content(1));
    await vault.write(content(2));
    await writeFile(file, 'garbage written by someone else');
    await vault.write(content(3));
    expect((await Vault.open<Content>({ dir }, [pass()])).read().counter).toBe(3);
    // The backup is still the last good version it had (1), not the garbage.
    await rm(file);
    expect((await Vault.open<Content>({ dir }, [pass()])).read().counter).toBe(1);
    const aside = (await readdir(dir)).filter((n) => n.startsWith('vault.json.damaged-'));
    expect(await readFile(join(dir, aside[0]!), 'utf8')).toBe('garbage written by someone else');
  });

  it('says ERR_VAULT_VERSION for a vault written by a newer TokenDesk and does not fall back', async () => {
    await makeVaultWithBackup();
    const json = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...json, version: CURRENT_VERSION + 1 }));
    const error = await Vault.open({ dir }, [pass()]).catch((e: unknown) => e);
    expect((error as VaultError).code).toBe('ERR_VAULT_VERSION');
    expect((error as VaultError).message).toContain('newer TokenDesk');
  });

  it('opens a version-0 vault and migrates it to the current version, keeping the v0 file as the backup', async () => {
    await copyFile(new URL('../../fixtures/vault/v0-vault.json', import.meta.url), file);
    const vault = await Vault.open<Content>({ dir }, [createPassphraseSlot('correct horse v0', cheap)]);
    expect(vault.read()).toEqual({ accounts: [{ name: 'myfiber production', grant: 'client_credentials' }], counter: 7 });
    expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(CURRENT_VERSION);
    expect(JSON.parse(await readFile(`${file}.bak`, 'utf8')).version).toBe(0);
    const again = await Vault.open<Content>({ dir }, [createPassphraseSlot('correct horse v0', cheap)]);
    expect(again.read().counter).toBe(7);
  });

  it('adds a slot under the same data key (the content is sealed again with the next save counter)', async () => {
    const vault = await Vault.create<Content>({ dir }, [pass()], content(1));
    const before = JSON.parse(await readFile(file, 'utf8'));
    await vault.replaceSlot(pass()); // same kind: replace
    const recovery = createSafeStorageSlot(fakeKeychain());
    await vault.addSlot(recovery);
    const after = JSON.parse(await readFile(file, 'utf8'));
    expect(after.keyId).toBe(before.keyId);
    expect(after.counter).toBeGreaterThan(before.counter);
    expect(JSON.parse(await readFile(`${file}.bak`, 'utf8')).counter).toBeLessThan(after.counter);
    expect(vault.slotKinds().sort()).toEqual(['passphrase', 'safe_storage']);
    expect((await Vault.open<Content>({ dir }, [recovery])).read()).toEqual(content(1));
    expect(await codeOf(vault.addSlot(recovery))).toBe('ERR_VAULT_KEY_SLOT');
  });

  it('changes the passphrase: the new one opens, the old one opens neither the file nor the backup', async () => {
    const vault = await Vault.create<Content>({ dir }, [pass('old passphrase')], content(1));
    await vault.write(content(2));
    const keyId = JSON.parse(await readFile(file, 'utf8')).keyId;
    await vault.replaceSlot(pass('new passphrase'));
    expect(JSON.parse(await readFile(file, 'utf8')).keyId).toBe(keyId); // the same data key: rekey() replaces it
    expect((await Vault.open<Content>({ dir }, [pass('new passphrase')])).read().counter).toBe(2);
    expect(await codeOf(Vault.open({ dir }, [pass('old passphrase')]))).toBe('ERR_VAULT_PASSPHRASE');
    await rm(file);
    expect(await codeOf(Vault.open({ dir }, [pass('old passphrase')]))).toBe('ERR_VAULT_PASSPHRASE');
  });

  it('removes a slot but refuses to remove the last one', async () => {
    const other = createSafeStorageSlot(fakeKeychain());
    const vault = await Vault.create<Content>({ dir }, [pass(), other], content(1));
    await vault.removeSlot('safe_storage');
    expect(vault.slotKinds()).toEqual(['passphrase']);
    expect(await codeOf(Vault.open({ dir }, [other]))).toBe('ERR_VAULT_KEY_SLOT');
    expect(await codeOf(vault.removeSlot('passphrase'))).toBe('ERR_VAULT_KEY_SLOT');
    expect((await Vault.open<Content>({ dir }, [pass()])).read().counter).toBe(1);
  });

  it('does not bring back a slot another instance removed when it saves', async () => {
    const other = createSafeStorageSlot(fakeKeychain());
    const a = await Vault.create<Content>({ dir }, [pass(), other], content(1));
    const b = await Vault.open<Content>({ dir }, [pass()]);
    await a.removeSlot('safe_storage');
    await b.write(content(2));
    expect(await codeOf(Vault.open({ dir }, [other]))).toBe('ERR_VAULT_KEY_SLOT');
  });

  it('treats hostile scrypt parameters in vault.json, .bak or both as damage, without deriving', async () => {
    type Slotted = { slots: { kind: string; data: Record<string, unknown> }[] };
    const edit = async (path: string, change: Record<string, number>) => {
      const json = JSON.parse(await readFile(path, 'utf8')) as Slotted;
      Object.assign(json.slots[0]!.data, change);
      await writeFile(path, JSON.stringify(json));
    };
    for (const change of [{ N: 2 ** 19, r: 8 }, { p: 5 }] as Record<string, number>[]) {
      const what = JSON.stringify(change);
      await rm(dir, { recursive: true, force: true });
      await makeVaultWithBackup();
      await edit(file, change);
      let started = Date.now();
      const vault = await Vault.open<Content>({ dir }, [pass()]);
      expect(Date.now() - started, what).toBeLessThan(1_000);
      expect(vault.openedFromBackup, what).toBe(true);
      expect(vault.read().counter, what).toBe(1);
      // Now the (restored) vault.json is sound: edit the backup alone, then both.
      await edit(`${file}.bak`, change);
      expect((await Vault.open<Content>({ dir }, [pass()])).read().counter, what).toBe(1);
      await edit(file, change);
      started = Date.now();
      expect(await codeOf(Vault.open({ dir }, [pass()])), what).toBe('ERR_VAULT_DAMAGED');
      expect(Date.now() - started, what).toBeLessThan(1_000);
    }
  });

  it('re-wraps a slot whose scrypt parameters are weaker than the current ones', async () => {
    await Vault.create<Content>({ dir }, [pass()], content(1));
    const stronger = createPassphraseSlot('correct horse', { N: 2 ** 11, r: 8, p: 1 });
    await Vault.open<Content>({ dir }, [stronger]);
    const slot = JSON.parse(await readFile(file, 'utf8')).slots[0];
    expect(slot.data.N).toBe(2 ** 11);
  });

  it('reload() sees what another instance wrote; update() is read-modify-write', async () => {
    const a = await Vault.create<Content>({ dir }, [pass()], content(1));
    const b = await Vault.open<Content>({ dir }, [pass()]);
    await a.write(content(5));
    expect(b.read().counter).toBe(1);
    expect((await b.reload()).counter).toBe(5);
    const result = await a.update((c) => ({ next: { ...c, counter: c.counter + 1 }, result: 'done' }));
    expect(result).toBe('done');
    const got = await b.update((c) => ({ next: { ...c, counter: c.counter * 10 }, result: c.counter }));
    expect(got).toBe(6);
    expect((await a.reload()).counter).toBe(60);
  });

  it('writes nothing when the update function throws', async () => {
    const vault = await Vault.create<Content>({ dir }, [pass()], content(1));
    const before = await readFile(file);
    await expect(vault.update(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect((await readFile(file)).equals(before)).toBe(true);
  });

  it('is locked after close()', async () => {
    const vault = await Vault.create<Content>({ dir }, [pass()], content(1));
    await vault.close();
    expect(() => vault.read()).toThrow(VaultError);
    expect(await codeOf(vault.write(content(2)))).toBe('ERR_VAULT_LOCKED');
  });

  it('removes temporary files left by a dead process when opening', async () => {
    await makeVaultWithBackup();
    const orphan = join(dir, 'vault.json.tmp-999999999-abcdef');
    await writeFile(orphan, 'half a save');
    await Vault.open({ dir }, [pass()]);
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('keeps the file private to the user (mode 0600)', async () => {
    if (process.platform === 'win32') return;
    const vault = await Vault.create<Content>({ dir }, [pass()], content(1));
    await vault.write(content(2));
    const { stat } = await import('node:fs/promises');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('times 1,000 accounts: reload (read + decrypt) and save, key already unwrapped', async () => {
    const accounts = Array.from({ length: 1000 }, (_, i) => ({
      name: `account-${String(i).padStart(4, '0')}`,
      grant: 'client_credentials',
      tokenUrl: 'https://so.yio.at/oauth/v2/token',
      clientId: `client-${i}@tokendesk`,
      clientSecret: 'x'.repeat(64),
      clientAuth: 'body',
      scopes: ['openid', 'urn:zitadel:iam:org:project:id:zitadel:aud'],
      scopeSeparator: ' ',
      extra: {},
      token: { accessToken: 'eyJ'.padEnd(800, 'a'), tokenType: 'Bearer', expiresAt: Date.now() + 300_000 },
      history: Array.from({ length: 3 }, () => ({ at: Date.now(), request: 'client_credentials', outcome: 'ok', durationMs: 120 })),
    }));
    const vault = await Vault.create<{ accounts: typeof accounts }>({ dir }, [pass()], { accounts });
    const time = async (fn: () => Promise<unknown>) => {
      const runs: number[] = [];
      for (let i = 0; i < 15; i++) {
        const t = performance.now();
        await fn();
        runs.push(performance.now() - t);
      }
      return runs.sort((x, y) => x - y)[7]!;
    };
    const save = await time(() => vault.write({ accounts }));
    const load = await time(() => vault.reload());
    const size = (await readFile(file)).length;
    console.log(`[vault timing] 1000 accounts, ${(size / 1024).toFixed(0)} KiB file: reload median ${load.toFixed(1)} ms, save median ${save.toFixed(1)} ms`);
    expect(vault.read().accounts).toHaveLength(1000);
  });
});
