/**
 * Issue 13 item 11 (core): an encrypted backup of the vault's accounts, with
 * real files and real crypto. A backup opens with its own passphrase only,
 * every damage is "damaged" (never "wrong passphrase"), a newer format is
 * named as such, no secret is in the file as plain text, and a restore is
 * all or nothing.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StoredAccount } from '../../../main/core/accounts/document.js';
import { backupContentOf, readBackupContent } from '../../../main/core/backup/backup-content.js';
import { openBackup, sealBackup } from '../../../main/core/backup/backup-file.js';
import { checkBackupPassphrase, describeBackup, makeBackup, readBackup, writeBackupFile } from '../../../main/core/backup/index.js';
import { AppSession } from '../../../main/core/app-session.js';
import { importCredentials } from '../../../main/core/import/index.js';
import { systemClock, type CorePorts } from '../../../main/core/ports.js';
import type { ScryptParams } from '../../../main/core/vault/index.js';
import { codeOf } from '../../helpers/error-code.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const dir = useTempDir('tokendesk-backup-');
const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: systemClock, randomBytes: (n) => new Uint8Array(randomBytes(n)) };
const VAULT_PASSPHRASE = 'granite walrus echo violin';
const BACKUP_PASSPHRASE = 'lantern orbit pickle canyon';
/** Cheap scrypt for the files made here (the format and the checks are the same). */
const CHEAP: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

const SECRETS = {
  clientSecret: 'cs-8f3a1c77e2d94b0f',
  password: 'pw-Tr0ub4dor&3-horse',
  staticToken: 'static-token-5d2e9a41c0',
};

const CREDENTIALS = `
[accounts."myfiber production"]
preset = "myfiber"
client_id = "my-client"
client_secret = "${SECRETS.clientSecret}"

[accounts."vyopta reports"]
preset = "vyopta"
client_id = "vy-client"
username = "reports@example.com"
password = "${SECRETS.password}"

[accounts."static one"]
grant = "static"
access_token = "${SECRETS.staticToken}"
`;

async function vaultWithAccounts(name: string): Promise<AppSession> {
  const session = new AppSession({ dataDir: join(dir.path(), name), ports });
  await session.create({ passphrase: VAULT_PASSPHRASE });
  await session.accounts().importAccounts(await importCredentials({ text: CREDENTIALS }));
  return session;
}

async function backupOf(session: AppSession): Promise<Buffer> {
  return (await makeBackup(session.accounts(), BACKUP_PASSPHRASE, { now: () => Date.now(), scrypt: CHEAP })).bytes;
}

describe('an encrypted backup', () => {
  it('round-trips every account with its secrets into another vault, through a real file', async () => {
    const source = await vaultWithAccounts('round-source');
    const file = join(dir.path(), 'round.json');
    await writeBackupFile(file, await backupOf(source), { overwrite: false });

    const target = new AppSession({ dataDir: join(dir.path(), 'round-target'), ports });
    await target.create({ passphrase: 'another vault passphrase entirely' });
    const backup = await readBackup(await readFile(file), BACKUP_PASSPHRASE, 'round.json');
    const listing = describeBackup(backup, []);
    expect(listing.accounts.map((a) => [a.name, a.preset, a.grant, a.exists])).toEqual([
      ['myfiber production', 'myfiber', 'client_credentials', false],
      ['vyopta reports', 'vyopta', 'password', false],
      ['static one', undefined, 'static', false],
    ]);
    expect(JSON.stringify(listing)).not.toMatch(new RegExp(Object.values(SECRETS).join('|')));

    const result = await target.accounts().restoreAccounts(backup.accounts, false);
    expect(result).toEqual({ added: ['myfiber production', 'vyopta reports', 'static one'], replaced: [], skipped: [] });
    const restored = target.accounts().exportAccounts();
    expect(restored.map((a) => a.settings)).toEqual(source.accounts().exportAccounts().map((a) => a.settings));
    expect(restored.find((a) => a.settings.name === 'vyopta reports')?.settings.password).toBe(SECRETS.password);
    // And it is on disk, not only in memory: a fresh open sees it.
    target.lock();
    const reopened = new AppSession({ dataDir: join(dir.path(), 'round-target'), ports });
    await reopened.unlock('another vault passphrase entirely');
    expect((await reopened.accounts().list()).map((a) => a.name)).toEqual(['myfiber production', 'vyopta reports', 'static one']);
  });

  it('holds no secret as plain text, nor base64 of one, and no account name', async () => {
    const bytes = await backupOf(await vaultWithAccounts('plain'));
    const text = bytes.toString('latin1');
    for (const secret of [...Object.values(SECRETS), 'myfiber production', 'reports@example.com']) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(Buffer.from(secret).toString('base64').slice(0, 12));
      expect(bytes.indexOf(Buffer.from(secret, 'utf16le'))).toBe(-1);
    }
    const header = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(header)).toEqual(['format', 'version', 'createdAt', 'slot', 'cipher', 'data', 'check']);
    expect(header['slot']).toMatchObject({ kind: 'passphrase', data: { kdf: 'scrypt' } });
  });

  it('keeps a refresh token, leaves out a token set without one', async () => {
    const base = { history: [], requestTimes: [1, 2] };
    const accounts: StoredAccount[] = [
      { settings: { name: 'with refresh', grant: 'authorization_code' } as StoredAccount['settings'], tokens: { accessToken: 'at-1', refreshToken: 'rt-1', tokenType: 'Bearer', obtainedAt: 5 }, ...base },
      { settings: { name: 'access only', grant: 'client_credentials' } as StoredAccount['settings'], tokens: { accessToken: 'at-2', tokenType: 'Bearer', obtainedAt: 5 }, ...base },
    ];
    const bytes = await sealBackup(backupContentOf(accounts), BACKUP_PASSPHRASE, { createdAt: 7, scrypt: CHEAP });
    const content = readBackupContent((await openBackup(bytes, BACKUP_PASSPHRASE, 'f')).content, 'f');
    expect(content[0]?.tokens?.refreshToken).toBe('rt-1');
    expect(content[1]?.tokens).toBeUndefined();
    expect(content[1]?.requestTimes).toEqual([1, 2]);
  });

  it('says the passphrase is wrong, naming the file, when it is', async () => {
    const bytes = await backupOf(await vaultWithAccounts('wrong'));
    const failure = readBackup(bytes, 'not the right passphrase at all', 'monday.json');
    await expect(failure).rejects.toMatchObject({ code: 'ERR_BACKUP_PASSPHRASE' });
    await expect(failure).rejects.toThrow(/monday\.json/);
  });

  it('says "damaged", never "wrong passphrase", for a changed byte anywhere in the file', async () => {
    const session = new AppSession({ dataDir: join(dir.path(), 'flip'), ports });
    await session.create({ passphrase: VAULT_PASSPHRASE });
    await session.accounts().importAccounts(await importCredentials({ text: '[accounts.x]\ngrant = "static"\naccess_token = "t"\n' }));
    const bytes = await backupOf(session);
    const text = bytes.toString('utf8');
    // Every byte of the header, the tag, the IV, the checksum, and the ciphertext.
    const codes = new Map<string, number>();
    for (let at = 0; at < bytes.length; at++) {
      const changed = Buffer.from(bytes);
      changed[at] = changed[at]! ^ 0x01;
      const code = (await codeOf(readBackup(changed, BACKUP_PASSPHRASE, 'flip.json'))) ?? 'opened';
      codes.set(code, (codes.get(code) ?? 0) + 1);
      if (code !== 'ERR_BACKUP_DAMAGED') throw new Error(`byte ${at} (${JSON.stringify(text.slice(Math.max(0, at - 10), at + 10))}) gave ${code}`);
    }
    expect([...codes.keys()]).toEqual(['ERR_BACKUP_DAMAGED']);
    // The unchanged file opens.
    expect(await codeOf(readBackup(bytes, BACKUP_PASSPHRASE, 'flip.json'))).toBeUndefined();
  });

  it('says "damaged" for a truncated file and for a file that is not a backup', async () => {
    const bytes = await backupOf(await vaultWithAccounts('truncated'));
    for (const length of [0, 10, Math.floor(bytes.length / 2), bytes.length - 3]) {
      await expect(readBackup(bytes.subarray(0, length), BACKUP_PASSPHRASE, 'cut.json')).rejects.toMatchObject({ code: 'ERR_BACKUP_DAMAGED' });
    }
    await expect(readBackup(Buffer.from('name = "x"\n'), BACKUP_PASSPHRASE, 'creds.toml')).rejects.toThrow(/creds\.toml is not a TokenDesk backup/);
    const vaultFile = await readFile(join(dir.path(), 'truncated', 'vault.json'));
    await expect(readBackup(vaultFile, BACKUP_PASSPHRASE, 'vault.json')).rejects.toThrow(/vault file, not a backup/);
  });

  it('says a newer TokenDesk made a backup of a future version', async () => {
    const bytes = await backupOf(await vaultWithAccounts('future'));
    const future = Buffer.from(bytes.toString('utf8').replace('"version": 1,', '"version": 2,'));
    const failure = readBackup(future, BACKUP_PASSPHRASE, 'future.json');
    await expect(failure).rejects.toMatchObject({ code: 'ERR_BACKUP_VERSION' });
    await expect(failure).rejects.toThrow(/newer TokenDesk \(backup format version 2\)/);
  });

  it('refuses a weak backup passphrase with the vault rule, account names counting as guessable', () => {
    expect(() => checkBackupPassphrase('short', [])).toThrow(/too short/);
    expect(() => checkBackupPassphrase('password123', [])).toThrow(/too weak/);
    expect(() => checkBackupPassphrase(BACKUP_PASSPHRASE, [])).not.toThrow();
  });

  it('refuses to write over an existing file, leaving it as it was', async () => {
    const file = await dir.write('taken.json', 'keep me');
    await expect(writeBackupFile(file, Buffer.from('new'), { overwrite: false })).rejects.toMatchObject({ code: 'ERR_BACKUP_EXISTS' });
    expect(await readFile(file, 'utf8')).toBe('keep me');
    await expect(writeBackupFile(join(dir.path(), 'no-such-folder', 'b.json'), Buffer.from('x'), { overwrite: false })).rejects.toThrow(/does not exist/);
  });
});

describe('restoring a backup', () => {
  it('without replace adds new names and skips (and reports) names already there, which stay as they are', async () => {
    const source = await vaultWithAccounts('skip-source');
    const bytes = await backupOf(source);
    const target = new AppSession({ dataDir: join(dir.path(), 'skip-target'), ports });
    await target.create({ passphrase: VAULT_PASSPHRASE });
    await target.accounts().importAccounts(await importCredentials({ text: '[accounts."static one"]\ngrant = "static"\naccess_token = "kept-token"\n' }));
    const backup = await readBackup(bytes, BACKUP_PASSPHRASE, 'b.json');
    expect(describeBackup(backup, ['static one']).accounts.map((a) => a.exists)).toEqual([false, false, true]);
    const result = await target.accounts().restoreAccounts(backup.accounts, false);
    expect(result).toEqual({ added: ['myfiber production', 'vyopta reports'], replaced: [], skipped: ['static one'] });
    expect(target.accounts().exportAccounts().find((a) => a.settings.name === 'static one')?.settings.accessToken).toBe('kept-token');
  });

  it('with replace replaces accounts of the same name in place', async () => {
    const bytes = await backupOf(await vaultWithAccounts('replace-source'));
    const target = new AppSession({ dataDir: join(dir.path(), 'replace-target'), ports });
    await target.create({ passphrase: VAULT_PASSPHRASE });
    await target.accounts().importAccounts(await importCredentials({ text: '[accounts."static one"]\ngrant = "static"\naccess_token = "old-token"\n\n[accounts.mine]\ngrant = "static"\naccess_token = "m"\n' }));
    const backup = await readBackup(bytes, BACKUP_PASSPHRASE, 'b.json');
    const result = await target.accounts().restoreAccounts(backup.accounts, true);
    expect(result).toEqual({ added: ['myfiber production', 'vyopta reports'], replaced: ['static one'], skipped: [] });
    const after = target.accounts().exportAccounts();
    expect(after.map((a) => a.settings.name)).toEqual(['static one', 'mine', 'myfiber production', 'vyopta reports']);
    expect(after[0]?.settings.accessToken).toBe(SECRETS.staticToken);
  });

  it('changes nothing on disk when the passphrase is wrong, the file damaged, or an account invalid', async () => {
    const bytes = await backupOf(await vaultWithAccounts('nothing-source'));
    const target = await vaultWithAccounts('nothing-target');
    await target.accounts().removeAccount('static one');
    const vaultPath = join(dir.path(), 'nothing-target', 'vault.json');
    const before = await readFile(vaultPath);
    const restore = async (data: Buffer, passphrase: string): Promise<void> => {
      const backup = await readBackup(data, passphrase, 'b.json');
      await target.accounts().restoreAccounts(backup.accounts, true);
    };
    expect(await codeOf(restore(bytes, 'the wrong passphrase here'))).toBe('ERR_BACKUP_PASSPHRASE');
    const damaged = Buffer.from(bytes);
    damaged[damaged.length - 20] = damaged[damaged.length - 20]! ^ 0x01;
    expect(await codeOf(restore(damaged, BACKUP_PASSPHRASE))).toBe('ERR_BACKUP_DAMAGED');
    // A backup whose second account is invalid here: the first is not added either.
    const bad = backupContentOf(target.accounts().exportAccounts());
    bad.accounts.push({ settings: { name: 'broken', grant: 'client_credentials' } as StoredAccount['settings'], history: [], requestTimes: [] });
    const badFile = await sealBackup({ ...bad, accounts: [{ ...bad.accounts[0]!, settings: { ...bad.accounts[0]!.settings, name: 'new one' } }, bad.accounts.at(-1)!] }, BACKUP_PASSPHRASE, { createdAt: 1, scrypt: CHEAP });
    await expect(restore(badFile, BACKUP_PASSPHRASE)).rejects.toThrow(/"broken" in the backup cannot be restored/);
    expect((await readFile(vaultPath)).equals(before)).toBe(true);
    expect((await target.accounts().list()).map((a) => a.name)).toEqual(['myfiber production', 'vyopta reports']);
  });
});
