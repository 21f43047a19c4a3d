/**
 * Issue 9 item 16: text from a server or a file reaches the terminal without
 * control characters. The fixture routes under /escapes/ put ESC sequences,
 * a C1 CSI and a bidi override in a discovery issuer, a device user code, a
 * verification address and an error description; a credentials file puts
 * them in an account name.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { runCli, type CliResult } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const PASSPHRASE = 'mosaic thunder pillow arctic';
// C0 but newline and tab, DEL, C1, bidi overrides and isolates.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
let server: ProviderServer;
const dir = useTempDir('tokendesk-cli-escapes-');

beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server?.close();
});

function expectNoControl(text: string): void {
  const found = text.match(CONTROL);
  expect(found, `control character U+${found?.[0]?.charCodeAt(0).toString(16).padStart(4, '0')} in ${JSON.stringify(text)}`).toBeNull();
}

function expectClean(result: CliResult): void {
  expectNoControl(result.stdout);
  expectNoControl(result.stderr);
}

describe('server and file text on the terminal', () => {
  it('prints an issuer from discovery without its control characters', async () => {
    const file = await dir.write('discovery.toml', `grant = "client_credentials"\nissuer = "${server.url}/escapes"\nclient_id = "a"\nclient_secret = "b"\n`);
    const result = await runCli(['token', '--from', file]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('/elsewhere[2J[H]0;pwned31mimpostor');
    expectClean(result);
  });

  it('refuses a device user code with control characters, and says so without printing them', async () => {
    const file = await dir.write(
      'device.toml',
      `name = "device"\ngrant = "device_code"\ndevice_authorization_url = "${server.url}/escapes/device"\ntoken_url = "${server.url}/escapes/token"\nclient_id = "escapes-client"\nclient_auth = "none"\n`,
    );
    const result = await runCli(['token', '--from', file, '--no-browser'], { timeoutMs: 20_000 });
    // A code the user must type cannot hold control characters: the answer is a protocol failure (exit 4), never shown raw.
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain('a user_code with control characters');
    expect(result.stderr).not.toContain('enter the code');
    expectClean(result);
  });

  describe('an account name with control characters, imported from a file', () => {
    const NAME = 'evil\u001b[2J\u001b[H\u001b]0;title\u0007\u009b1m\u202eeman\tname';
    const vault = () => join(dir.path(), 'vault');
    const env = { TOKENDESK_PASSPHRASE: PASSPHRASE };
    beforeAll(async () => {
      const escaped = [...NAME].map((char) => (char < ' ' || (char >= '\u007f' && char <= '\u009f') || char === '\u202e' ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}` : char)).join('');
      const file = await dir.write('names.toml', `[accounts."${escaped}"]\ngrant = "static"\naccess_token = "static-token-1"\n\n[accounts.plain]\ngrant = "static"\naccess_token = "static-token-2"\n`);
      const imported = await runCli(['import', file, '--vault', vault()], { env });
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stderr).toContain('Imported 2 accounts: evil[2J[H]0;title1meman\tname, plain.');
      expectClean(imported);
    });

    it('shows it in the list table without them, one row per account', async () => {
      const result = await runCli(['list', '--vault', vault()], { env });
      expect(result.code, result.stderr).toBe(0);
      expectClean(result);
      const rows = result.stdout.trimEnd().split('\n');
      expect(rows).toHaveLength(3);
      expect(rows[1]).toMatch(/^evil\[2J\[H\]0;title1meman name +static/);
      expect(result.stdout).not.toContain('\t');
    });

    it('keeps it exact in list --json, with C1 and bidi characters escaped', async () => {
      const result = await runCli(['list', '--json', '--vault', vault()], { env });
      expect(result.code, result.stderr).toBe(0);
      expectClean(result);
      expect(result.stdout).toContain('\\u009b');
      expect(result.stdout).toContain('\\u202e');
      expect(JSON.parse(result.stdout).map((row: { name: string }) => row.name)).toEqual([NAME, 'plain']);
    });

    it('names it without them when the account asked for does not exist', async () => {
      const result = await runCli(['token', `missing\u001b[2J`, '--vault', vault()], { env });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('evil[2J');
      expectClean(result);
    });
  });
});
