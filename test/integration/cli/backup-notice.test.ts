/**
 * Issue 9 item 9 (CLI part): a vault opened from its backup is announced on
 * stderr in plain words: the file was damaged, the previous version was
 * opened, later changes are lost (and, once the core reports them, when that
 * version was saved and where the damaged file was kept).
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const PASSPHRASE = 'granite walrus echo violin';
const dir = useTempDir('tokendesk-cli-backup-');
const env = { TOKENDESK_PASSPHRASE: PASSPHRASE };

/** Changes one character inside the ciphertext ("data"), so the file still parses but no longer authenticates. */
async function flipOneByte(path: string): Promise<void> {
  const text = await readFile(path, 'utf8');
  const start = text.indexOf('"data"');
  expect(start).toBeGreaterThan(-1);
  const at = text.indexOf('"', text.indexOf(':', start)) + 20;
  const replacement = text[at] === 'A' ? 'B' : 'A';
  await writeFile(path, text.slice(0, at) + replacement + text.slice(at + 1));
}

describe('a vault opened from its backup', () => {
  it('says so on stderr: damaged, previous version opened, later changes lost', async () => {
    const vault = join(dir.path(), 'vault');
    const file = await dir.write('two.toml', '[accounts.first]\ngrant = "static"\naccess_token = "t1"\n\n[accounts.second]\ngrant = "static"\naccess_token = "t2"\n');
    expect((await runCli(['import', file, '--vault', vault], { env })).code).toBe(0);
    expect((await runCli(['remove', 'first', '--vault', vault], { env })).code).toBe(0);
    const quiet = await runCli(['list', '--vault', vault], { env });
    expect(quiet.stderr).toBe('');

    await flipOneByte(join(vault, 'vault.json'));
    const result = await runCli(['list', '--vault', vault], { env });
    expect(result.code, result.stderr).toBe(0);
    // The removal is undone: the backup is from before it.
    expect(result.stdout).toMatch(/^first\s/m);
    expect(result.stderr).toMatch(/^Warning: the vault file was damaged, so TokenDesk opened the previous version, saved [^\n]+\. Changes made after that version are lost\./m);
    expect(result.stderr).toContain(`The damaged file was kept as ${join(vault, 'vault.json.damaged-')}`);
    expect(result.stdout).not.toContain('damaged');
  });

  it('says so when vault.json.bak was copied over vault.json (a rollback)', async () => {
    const vault = join(dir.path(), 'rolled-back');
    const file = await dir.write('one.toml', '[accounts.kept]\ngrant = "static"\naccess_token = "t3"\n');
    expect((await runCli(['import', file, '--vault', vault], { env })).code).toBe(0);
    expect((await runCli(['remove', 'kept', '--vault', vault], { env })).code).toBe(0);
    await copyFile(join(vault, 'vault.json.bak'), join(vault, 'vault.json'));
    const result = await runCli(['list', '--vault', vault], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^Warning: the vault file was replaced by an older copy, saved [^\n]+\. Changes made after that may be lost\./m);
  });
});
