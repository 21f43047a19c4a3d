/**
 * Issue 11 item 5 for `token`: --min-validity SECONDS (default 30) as
 * separate processes sharing one vault, and --format env for token NAME and
 * token --from, eval-ed by a real shell.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { seedAccountToml } from '../../fixtures/seed-accounts.js';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const PASSPHRASE = 'saffron glacier pocket violin';
let server: ProviderServer;
let file: string;
const dir = useTempDir('tokendesk-cli-token-options-');
const vault = () => join(dir.path(), 'vault');
const env = { TOKENDESK_PASSPHRASE: PASSPHRASE };
const tokenRequests = () => server.requestsTo('/myfiber/oauth/v2/token').length;

beforeAll(async () => {
  server = await startProviderServer();
  file = await dir.write('fiber.toml', seedAccountToml(server, 'myfiber', 'name = "fiber"'));
  expect((await runCli(['import', file, '--vault', vault()], { env })).code).toBe(0);
});
afterAll(async () => server?.close());

describe('tokendesk token --min-validity', () => {
  it('reuses a cached 300 s token for 30 s (the default) and for 250 s, gets a new one for 400 s', async () => {
    const first = await runCli(['token', 'fiber', '--vault', vault()], { env });
    expect(first.code, first.stderr).toBe(0);
    const before = tokenRequests();
    for (const extra of [[], ['--min-validity', '30'], ['--min-validity=250']]) {
      const again = await runCli(['token', 'fiber', '--vault', vault(), ...extra], { env });
      expect(again.stdout, extra.join(' ')).toBe(first.stdout);
    }
    expect(tokenRequests()).toBe(before);
    const longer = await runCli(['token', 'fiber', '--min-validity', '400', '--vault', vault()], { env });
    expect(longer.code, longer.stderr).toBe(0);
    expect(longer.stdout).not.toBe(first.stdout);
    expect(tokenRequests()).toBe(before + 1);
  });

  it('refuses anything but a whole number of seconds from 0 to 86400 (exit 2)', async () => {
    for (const value of ['-1', '1.5', 'abc', '86401', '', '1e3', ' 5']) {
      const result = await runCli(['token', 'fiber', `--min-validity=${value}`, '--vault', vault()], { env });
      expect(result.code, value).toBe(2);
      expect(result.stderr).toContain(`The option --min-validity must be a whole number of seconds from 0 to 86400, not "${value}".`);
    }
    const fromFile = await runCli(['token', '--from', file, '--min-validity', '60']);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain('do not apply to token --from');
  });
});

describe.skipIf(process.platform === 'win32')('tokendesk token --format env', () => {
  /** Runs the lines in sh as a script would: eval "$(tokendesk token ... --format env)". */
  function evalInSh(lines: string): [string, string] {
    const result = spawnSync('sh', ['-c', 'eval "$TD_LINES"; printf "%s\\n%s" "$TOKENDESK_ACCESS_TOKEN" "$TOKENDESK_EXPIRES_AT"'], { env: { PATH: process.env.PATH, TD_LINES: lines }, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    return result.stdout.split('\n') as [string, string];
  }

  it('prints TOKENDESK_ACCESS_TOKEN and TOKENDESK_EXPIRES_AT lines for a vault account and for --from', async () => {
    const raw = (await runCli(['token', 'fiber', '--vault', vault()], { env })).stdout.trim();
    const json = JSON.parse((await runCli(['token', 'fiber', '--format', 'json', '--vault', vault()], { env })).stdout);
    const fromVault = await runCli(['token', 'fiber', '--format', 'env', '--vault', vault()], { env });
    expect(fromVault.code, fromVault.stderr).toBe(0);
    expect(fromVault.stdout).toMatch(/^TOKENDESK_ACCESS_TOKEN=\S+\nTOKENDESK_EXPIRES_AT='\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z'\n$/);
    expect(evalInSh(fromVault.stdout)).toEqual([raw, json.expires_at]);

    const fromFile = await runCli(['token', '--from', file, '--format', 'env']);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const [token, expires] = evalInSh(fromFile.stdout);
    expect(server.isAccessTokenActive('myfiber', token)).toBe(true);
    expect(Date.parse(expires) - Date.now()).toBeGreaterThan(290_000);
  });
});
