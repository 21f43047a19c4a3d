/**
 * Issue 9 item 17 b: an existing data folder with mode 0755 is tightened to
 * 0700 when TokenDesk owns it (the current user's, holding only TokenDesk's
 * files), and otherwise left as it is with a warning in plain words.
 */
import { chmod, chown, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Vault, createPassphraseSlot, isTokenDeskFile } from '../../../main/core/vault/index.js';

const cheap = { N: 2 ** 10, r: 8, p: 1 };
const pass = () => createPassphraseSlot('folder test', cheap);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-folder-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const posix = process.platform !== 'win32';

describe('the data folder', () => {
  it.runIf(posix)('an existing 0755 folder TokenDesk owns is tightened to 0700 on create, and again on open', async () => {
    await chmod(dir, 0o755);
    const vault = await Vault.create({ dir }, [pass()], { n: 1 });
    expect(await modeOf(dir)).toBe(0o700);
    expect(vault.folderWarning).toBeUndefined();

    // Loosened again (a restore, a sync tool), with every kind of file TokenDesk keeps there.
    await vault.write({ n: 2 });
    for (const name of ['vault.json.req-0a1b2c.lock', 'vault.json.req-0a1b2c.lock.break', 'vault.json.damaged-2026-03-01T09-00-00-000Z-ab12', 'vault.json.lock.break']) {
      await writeFile(join(dir, name), '{}');
    }
    await chmod(dir, 0o755);
    const reopened = await Vault.open({ dir }, [pass()]);
    expect(await modeOf(dir)).toBe(0o700);
    expect(reopened.folderWarning).toBeUndefined();
    // The request markers are TokenDesk's: not removed as temporary files either.
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['vault.json.req-0a1b2c.lock', 'vault.json.req-0a1b2c.lock.break']));
  });

  it.runIf(posix)('a folder that also holds other files is left as it is, and the vault says so in plain words', async () => {
    await chmod(dir, 0o755);
    await writeFile(join(dir, 'notes.txt'), 'not TokenDesk');
    const vault = await Vault.create({ dir }, [pass()], { n: 1 });
    expect(await modeOf(dir)).toBe(0o755);
    expect(vault.folderWarning).toBe(
      `The folder ${dir} can be read by other users of this computer (permissions 755). ` +
        "TokenDesk left it as it is because it also holds files that are not TokenDesk's. " +
        'The vault file itself is readable by you alone; to keep others from seeing or replacing it, make the folder private (chmod 700).',
    );
    await chmod(dir, 0o775);
    const reopened = await Vault.open({ dir }, [pass()]);
    expect(await modeOf(dir)).toBe(0o775);
    expect(reopened.folderWarning).toMatch(/^The folder .* can be read and changed by other users of this computer/);
  });

  it.runIf(posix)('a folder of another user is left as it is and said so (needs root to make one)', async (t) => {
    if (process.getuid?.() !== 0) t.skip('giving a folder to another user needs root');
    await Vault.create({ dir }, [pass()], { n: 1 });
    await chmod(dir, 0o755);
    await chown(dir, 65534, 65534);
    const vault = await Vault.open({ dir }, [pass()]);
    expect(await modeOf(dir)).toBe(0o755);
    expect(vault.folderWarning).toMatch(/because it belongs to another user/);
  });

  it.runIf(posix)('a private folder gives no warning and is not touched', async () => {
    await chmod(dir, 0o700);
    const vault = await Vault.create({ dir }, [pass()], { n: 1 });
    expect(vault.folderWarning).toBeUndefined();
    expect(await modeOf(dir)).toBe(0o700);
  });

  it('knows TokenDesk\'s own file names, request markers included', () => {
    for (const name of [
      'vault.json',
      'vault.json.bak',
      'vault.json.lock',
      'vault.json.lock.break',
      'vault.json.tmp-123-0a1b2c',
      'vault.json.bak.tmp-123-0a1b2c',
      'vault.json.damaged-2026-03-01T09-00-00-000Z',
      'vault.json.damaged-2026-03-01T09-00-00-000Z-ab12',
      'vault.json.req-0123abcd.lock',
      'vault.json.req-0123abcd.lock.break',
    ]) {
      expect(isTokenDeskFile(name, 'vault.json'), name).toBe(true);
    }
    for (const name of ['notes.txt', 'vault.json~', 'vault.json.req-.lock', 'vault.json.req-xyz.lock', 'vault.jsonx', 'Cookies', 'vault.json.tmp-abc']) {
      expect(isTokenDeskFile(name, 'vault.json'), name).toBe(false);
    }
  });
});
