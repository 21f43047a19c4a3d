/**
 * Issue 9 item 7: the system browser the CLI starts must not inherit
 * TOKENDESK_PASSPHRASE (or any TOKENDESK_* setting). A fake `xdg-open` first
 * on PATH records the environment it was started with; the test plays the
 * browser and completes a real authorization-code sign-in from the vault.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { followAuthorization } from '../../helpers/browser-step.js';
import { runCli, waitForStderr } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const PASSPHRASE = 'harbor lantern quietly ninety';
let server: ProviderServer;
const dir = useTempDir('tokendesk-cli-child-env-');

beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server?.close();
});

/** Reads the recorded environment once the detached fake browser has written it (bounded wait). */
async function recordedEnvironment(file: string): Promise<Map<string, string>> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) return new Map(text.split('\0').filter(Boolean).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the fake browser never recorded its environment in ${file}`);
}

describe.skipIf(process.platform === 'win32')('processes the CLI starts', () => {
  it('start the system browser without any TOKENDESK_* variable', async () => {
    const bin = join(dir.path(), 'bin');
    const log = join(dir.path(), 'browser-env');
    // `env -0` keeps values with newlines apart; the rename makes the file appear complete.
    const script = '#!/bin/sh\nenv -0 > "$FAKE_BROWSER_LOG.tmp"\nmv "$FAKE_BROWSER_LOG.tmp" "$FAKE_BROWSER_LOG"\n';
    await mkdir(bin);
    for (const name of ['xdg-open', 'open']) {
      await writeFile(join(bin, name), script);
      await chmod(join(bin, name), 0o755);
    }
    const { clientId, clientSecret } = server.clients.netrex;
    const file = await dir.write(
      'netrex.toml',
      `name = "netrex"\ngrant = "authorization_code"\nauthorize_url = "${server.url}/netrex/oauth2/auth/"\ntoken_url = "${server.url}/netrex/oauth2/token"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nclient_auth = "query"\nscopes = ["read", "write"]\nscope_separator = ","\n`,
    );
    const vault = join(dir.path(), 'vault');
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      FAKE_BROWSER_LOG: log,
      TOKENDESK_PASSPHRASE: PASSPHRASE,
      TOKENDESK_TIMEOUT_MS: '20000',
      TOKENDESK_DEBUG: '0',
      Tokendesk_Mixed_Case: 'also a TokenDesk setting',
    };
    expect((await runCli(['import', file, '--vault', vault], { env })).code).toBe(0);

    const result = await runCli(['token', 'netrex', '--vault', vault], {
      env,
      onSpawn: (child) => {
        child.stdin!.end();
        void waitForStderr(child, /Open this URL in your browser: (\S+)/).then((match) => followAuthorization(match[1]!));
      },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(server.isAccessTokenActive('netrex', result.stdout.trim())).toBe(true);

    const seen = await recordedEnvironment(log);
    // The browser did get an environment: the rest of it is passed on.
    expect(seen.get('FAKE_BROWSER_LOG')).toBe(log);
    expect(seen.get('PATH')).toBe(env.PATH);
    expect([...seen.keys()].filter((name) => name.toUpperCase().startsWith('TOKENDESK_'))).toEqual([]);
    expect([...seen.values()].some((value) => value.includes(PASSPHRASE))).toBe(false);
  });
});
