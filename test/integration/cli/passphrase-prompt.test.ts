/**
 * The passphrase prompt on a real terminal: `script` (util-linux) gives the
 * CLI a pseudo-terminal, and the test types at the prompt as a person would.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.js';
import { hasScript, onTerminal, type TerminalStep } from '../../helpers/terminal-session.js';

const PASSPHRASE = 'typed at the prompt 42';
const MYFOX = fileURLToPath(new URL('../../fixtures/import/myfox.toml', import.meta.url));
const CHOOSE = 'Choose a passphrase for the new vault';
const AGAIN = 'Type the same passphrase again:';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-pty-'));
  const imported = await runCli(['import', MYFOX, '--vault', dir], { env: { TOKENDESK_PASSPHRASE: PASSPHRASE } });
  expect(imported.code, imported.stderr).toBe(0);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** `tokendesk ARGS` on a terminal; a bare answer is for the vault passphrase prompt. */
function onVaultTerminal(args: string[], answer: string | TerminalStep[]): ReturnType<typeof onTerminal> {
  return onTerminal(args, typeof answer === 'string' ? [{ prompt: 'Vault passphrase:', answer }] : answer);
}

describe.skipIf(!hasScript)('the passphrase prompt on a terminal', () => {
  it('asks for the passphrase without echoing it, then runs the command', async () => {
    const { code, screen } = await onVaultTerminal(['list', '--vault', dir], PASSPHRASE);
    expect(code).toBe(0);
    expect(screen).toContain('Vault passphrase:');
    expect(screen).toContain('Myfox home');
    expect(screen).not.toContain(PASSPHRASE);
  });

  it('refuses a wrong passphrase with exit code 5', async () => {
    const { code, screen } = await onVaultTerminal(['list', '--vault', dir], 'not the passphrase');
    expect(code).toBe(5);
    expect(screen).toContain('passphrase');
    expect(screen).not.toContain('not the passphrase');
  });

  describe('when the passphrase of a new vault is set', () => {
    const NEW_PASSPHRASE = 'copper meadow tunnel biscuit';
    const folder = (name: string) => join(dir, name);
    const filesIn = (path: string) => readdir(path).catch(() => [] as string[]);

    it('asks twice, hiding both, and creates the vault when they match', async () => {
      const { code, screen } = await onVaultTerminal(['import', MYFOX, '--vault', folder('matched')], [
        { prompt: CHOOSE, answer: NEW_PASSPHRASE },
        { prompt: AGAIN, answer: NEW_PASSPHRASE },
      ]);
      expect(code, screen).toBe(0);
      expect(screen).toContain(AGAIN);
      expect(screen).toContain('Imported 1 account: Myfox home.');
      expect(screen).not.toContain(NEW_PASSPHRASE);
      const listed = await runCli(['list', '--json', '--vault', folder('matched')], { env: { TOKENDESK_PASSPHRASE: NEW_PASSPHRASE } });
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout)[0].name).toBe('Myfox home');
    });

    it('refuses two different entries and creates nothing (exit 2)', async () => {
      const { code, screen } = await onVaultTerminal(['import', MYFOX, '--vault', folder('typo')], [
        { prompt: CHOOSE, answer: NEW_PASSPHRASE },
        { prompt: AGAIN, answer: 'copper meadow tunnel biscuiy' },
      ]);
      expect(code, screen).toBe(2);
      expect(screen).toContain('The two passphrases differ; nothing was created.');
      expect(await filesIn(folder('typo'))).toEqual([]);
    });

    it('refuses a weak passphrase at the first entry, says why, and creates nothing (exit 2)', async () => {
      const { code, screen } = await onVaultTerminal(['import', MYFOX, '--vault', folder('weak')], [{ prompt: CHOOSE, answer: 'aaaaaaaa' }]);
      expect(code, screen).toBe(2);
      expect(screen).toMatch(/This passphrase is too weak: repeated characters[^\n]*\. [^\n]*Nothing was created\./);
      expect(screen).not.toContain(AGAIN);
      expect(screen).not.toContain('aaaaaaaa');
      expect(await filesIn(folder('weak'))).toEqual([]);
    });
  });
});
