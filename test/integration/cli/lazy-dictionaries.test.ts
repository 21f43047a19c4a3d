/**
 * The passphrase strength dictionaries (about 1.6 MB of word lists) load only
 * when a passphrase is set: `tokendesk token` imports the session code but
 * must not pay for them (issue 9 item 8).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assertBuilt } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const CLI_ENTRY = fileURLToPath(new URL('../../../dist/main/cli/index.js', import.meta.url));
const STRENGTH = fileURLToPath(new URL('../../../dist/main/core/passphrase-strength.js', import.meta.url));
const dir = useTempDir('tokendesk-cli-lazy-');

/** Runs the built CLI in a fresh Node, then reports which zxcvbn modules Node has loaded. */
function loadedAfter(script: string): { code: number; loaded: string[] } {
  const program = `
    import { createRequire } from 'node:module';
    const { main } = await import(${JSON.stringify(CLI_ENTRY)});
    const { passphraseProblem } = await import(${JSON.stringify(STRENGTH)});
    const code = await (async () => { ${script} })();
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes('@zxcvbn-ts'));
    process.stdout.write('\\nRESULT ' + JSON.stringify({ code, loaded }));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.slice(run.stdout.lastIndexOf('\nRESULT ') + 8)) as { code: number; loaded: string[] };
}

describe('the passphrase dictionaries', () => {
  it('are not loaded by `tokendesk token`, and are loaded by the first strength check', async () => {
    assertBuilt();
    const file = await dir.write('static.toml', 'grant = "static"\naccess_token = "lazy-token"\n');
    const token = loadedAfter(`return main(['token', '--from', ${JSON.stringify(file)}], { handleSignals: false });`);
    expect(token.code).toBe(0);
    expect(token.loaded).toEqual([]);
    const checked = loadedAfter(`return passphraseProblem('12345678') === undefined ? 1 : 0;`);
    expect(checked.code).toBe(0);
    expect(checked.loaded.some((path) => path.includes('language-common'))).toBe(true);
  });
});
