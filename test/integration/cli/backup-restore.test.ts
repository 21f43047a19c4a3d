/**
 * Issue 13 item 11 (CLI): `tokendesk backup FILE` and `tokendesk restore
 * FILE [--replace]` as processes: a round trip into another vault folder,
 * the backup passphrase from TOKENDESK_BACKUP_PASSPHRASE, a refusal to
 * overwrite, and the exit codes of SPEC 6 (2 bad input, 5 wrong passphrase or
 * damaged), with no secret on either stream.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.js';
import { hasScript, onTerminal } from '../../helpers/terminal-session.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const dir = useTempDir('tokendesk-cli-backup-restore-');
const VAULT = 'granite walrus echo violin';
const BACKUP = 'lantern orbit pickle canyon';
const SECRET = 'cs-1b9e77c04f2a';
const env = { TOKENDESK_PASSPHRASE: VAULT, TOKENDESK_BACKUP_PASSPHRASE: BACKUP };
const TIMEOUT = { timeoutMs: 60_000 };

async function vaultWith(name: string, toml: string): Promise<string> {
  const vault = join(dir.path(), name);
  const file = await dir.write(`${name}.toml`, toml);
  const imported = await runCli(['import', file, '--vault', vault], { env, ...TIMEOUT });
  expect(imported.code, imported.stderr).toBe(0);
  return vault;
}

const TWO = `[accounts.alpha]\npreset = "myfiber"\nclient_id = "a"\nclient_secret = "${SECRET}"\n\n[accounts.beta]\ngrant = "static"\naccess_token = "tok-beta-42"\n`;

describe('tokendesk backup and restore', () => {
  it('round-trips the accounts into another vault folder, then skips or replaces names already there', async () => {
    const source = await vaultWith('source', TWO);
    const file = join(dir.path(), 'accounts-backup.json');
    const saved = await runCli(['backup', file, '--vault', source], { env, ...TIMEOUT });
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toBe('');
    expect(saved.stderr).toContain(`Saved a backup of 2 accounts to ${file} (alpha, beta).`);
    const bytes = await readFile(file, 'utf8');
    expect(bytes).not.toContain(SECRET);
    expect(bytes).not.toContain('tok-beta-42');

    // A new computer: no vault yet; restore creates it (TOKENDESK_PASSPHRASE) and adds both.
    const target = join(dir.path(), 'target');
    const restored = await runCli(['restore', file, '--vault', target], { env: { ...env, TOKENDESK_PASSPHRASE: 'another vault passphrase entirely' }, ...TIMEOUT });
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stderr).toMatch(/holds 2 accounts:\n {2}alpha \(myfiber, client_credentials\)\n {2}beta \(static\)\n/);
    expect(restored.stderr).toContain('Added: alpha, beta.');
    for (const output of [saved.stderr, restored.stderr, restored.stdout]) expect(output).not.toContain(SECRET);
    const list = await runCli(['list', '--json', '--vault', target, '--no-agent'], { env: { TOKENDESK_PASSPHRASE: 'another vault passphrase entirely' }, ...TIMEOUT });
    expect((JSON.parse(list.stdout) as { name: string }[]).map((row) => row.name)).toEqual(['alpha', 'beta']);

    // Again, without --replace: both names exist, nothing changes.
    const vaultBytes = await readFile(join(target, 'vault.json'));
    const again = await runCli(['restore', file, '--vault', target], { env: { ...env, TOKENDESK_PASSPHRASE: 'another vault passphrase entirely' }, ...TIMEOUT });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('alpha (myfiber, client_credentials; already in the vault)');
    expect(again.stderr).toContain('Skipped, because the vault already has an account of that name: alpha, beta. Restore with --replace to replace them.');
    expect(again.stderr).toContain('Nothing was restored.');

    const replaced = await runCli(['restore', file, '--vault', target, '--replace'], { env: { ...env, TOKENDESK_PASSPHRASE: 'another vault passphrase entirely' }, ...TIMEOUT });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stderr).toContain('Replaced: alpha, beta.');
    expect((await readFile(join(target, 'vault.json'))).equals(vaultBytes)).toBe(false);
  });

  it('refuses to overwrite an existing FILE (exit 2, naming it) and a weak backup passphrase (exit 2)', async () => {
    const source = await vaultWith('refusals', TWO);
    const file = await dir.write('taken.json', 'my notes');
    const taken = await runCli(['backup', file, '--vault', source], { env, ...TIMEOUT });
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain(`${file} already exists`);
    expect(await readFile(file, 'utf8')).toBe('my notes');

    const weak = await runCli(['backup', join(dir.path(), 'weak.json'), '--vault', source], { env: { ...env, TOKENDESK_BACKUP_PASSPHRASE: 'password1' }, ...TIMEOUT });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/TOKENDESK_BACKUP_PASSPHRASE cannot be used\. This passphrase is too (weak|short).* No backup was saved\./);

    // No backup passphrase and no terminal: said so, exit 2.
    const none = await runCli(['backup', join(dir.path(), 'none.json'), '--vault', source], { env: { TOKENDESK_PASSPHRASE: VAULT }, ...TIMEOUT });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('set TOKENDESK_BACKUP_PASSPHRASE');
  });

  it('exits 5 for a wrong backup passphrase and for a damaged file, naming the file, and changes nothing', async () => {
    const source = await vaultWith('failures', TWO);
    const file = join(dir.path(), 'failures-backup.json');
    expect((await runCli(['backup', file, '--vault', source], { env, ...TIMEOUT })).code).toBe(0);
    const target = await vaultWith('failures-target', '[accounts.gamma]\ngrant = "static"\naccess_token = "g"\n');
    const before = await readFile(join(target, 'vault.json'));

    const wrong = await runCli(['restore', file, '--vault', target], { env: { ...env, TOKENDESK_BACKUP_PASSPHRASE: 'wrong wrong wrong wrong' }, ...TIMEOUT });
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toContain(`The passphrase is not right for the backup ${file}.`);

    const text = await readFile(file, 'utf8');
    const at = text.indexOf('"data"') + 30;
    const damagedFile = join(dir.path(), 'damaged.json');
    await writeFile(damagedFile, text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1));
    const damaged = await runCli(['restore', damagedFile, '--vault', target], { env, ...TIMEOUT });
    expect(damaged.code).toBe(5);
    expect(damaged.stderr).toContain(`The backup ${damagedFile} is damaged`);

    const missing = await runCli(['restore', join(dir.path(), 'nope.json'), '--vault', target], { env, ...TIMEOUT });
    expect(missing.code).toBe(2);
    expect((await readFile(join(target, 'vault.json'))).equals(before)).toBe(true);
  });

  it('is in the help text', async () => {
    const help = await runCli(['--help']);
    expect(help.stdout).toContain('tokendesk backup FILE [--vault DIR]');
    expect(help.stdout).toContain('tokendesk restore FILE [--vault DIR] [--replace]');
  });
});

/** Each session runs scrypt two or three times (vault, backup, new vault). */
const TERMINAL_TIMEOUT_MS = 40_000;

describe.skipIf(!hasScript)('the backup passphrase on a terminal', () => {
  const CHOOSE = 'Choose a passphrase for the backup';
  const AGAIN = 'Type the same passphrase again:';

  it('is asked twice for a backup (a typo writes nothing) and once for a restore, never echoed', async () => {
    const source = await vaultWith('typed', TWO);
    const typo = join(dir.path(), 'typed-typo.json');
    const mismatch = await onTerminal(['backup', typo, '--vault', source], [
      { prompt: 'Vault passphrase:', answer: VAULT },
      { prompt: CHOOSE, answer: BACKUP },
      { prompt: AGAIN, answer: `${BACKUP}x` },
    ], TERMINAL_TIMEOUT_MS);
    expect(mismatch.code, mismatch.screen).toBe(2);
    expect(mismatch.screen).toContain('The two passphrases differ. No backup was saved.');
    expect((await readdir(dir.path())).filter((name) => name.startsWith('typed-typo'))).toEqual([]);

    const file = join(dir.path(), 'typed.json');
    const saved = await onTerminal(['backup', file, '--vault', source], [
      { prompt: 'Vault passphrase:', answer: VAULT },
      { prompt: CHOOSE, answer: BACKUP },
      { prompt: AGAIN, answer: BACKUP },
    ], TERMINAL_TIMEOUT_MS);
    expect(saved.code, saved.screen).toBe(0);
    expect(saved.screen).toContain('Saved a backup of 2 accounts');
    expect(saved.screen).not.toContain(BACKUP);

    const target = join(dir.path(), 'typed-target');
    const restored = await onTerminal(['restore', file, '--vault', target], [
      { prompt: 'Backup passphrase:', answer: BACKUP },
      { prompt: 'Choose a passphrase for the new vault', answer: VAULT },
      { prompt: AGAIN, answer: VAULT },
    ], TERMINAL_TIMEOUT_MS);
    expect(restored.code, restored.screen).toBe(0);
    expect(restored.screen).toContain('Added: alpha, beta.');
    expect(restored.screen).not.toContain(BACKUP);
  });
});
