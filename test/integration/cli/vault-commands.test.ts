/**
 * The vault commands as separate processes sharing one data folder: import,
 * list, token (cached across processes), --force, revoke, remove; exit code 5
 * for vault failures; 20 concurrent processes cause exactly one token request;
 * nothing readable is left on disk.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { runCli } from '../../helpers/run-cli.js';

const PASSPHRASE = 'correct horse battery staple';
let server: ProviderServer;
let root: string;
let vaultDir: string;
const env = (): Record<string, string> => ({ TOKENDESK_PASSPHRASE: PASSPHRASE });
const issuedTokens: string[] = [];

beforeAll(async () => {
  server = await startProviderServer();
  root = await mkdtemp(join(tmpdir(), 'tokendesk-vault-cli-'));
  vaultDir = join(root, 'data');
});
afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

function accountsToml(): string {
  const { myfiber, insiders, myfox } = server.clients;
  return [
    '# Three vendors in one file, as a team lead might keep them.',
    '[accounts."myfiber prod"]',
    'grant = "client_credentials"',
    `token_url = "${server.url}/myfiber/oauth/v2/token"`,
    `client_id = "${myfiber.clientId}"`,
    `client_secret = "${myfiber.clientSecret}"`,
    'client_auth = "body"',
    'scopes = ["openid"]',
    '',
    '[accounts.insiders]',
    'grant = "password"',
    `token_url = "${server.url}/insiders/oauth2/token/"`,
    `revoke_url = "${server.url}/insiders/oauth2/revoke-token/"`,
    `client_id = "${insiders.clientId}"`,
    `client_secret = "${insiders.clientSecret}"`,
    'client_auth = "basic"',
    `username = "${server.users.insiders.username}"`,
    `password = "${server.users.insiders.password}"`,
    '',
    '[accounts.myfox]',
    'grant = "password"',
    `token_url = "${server.url}/myfox/oauth2/token"`,
    `client_id = "${myfox.clientId}"`,
    `client_secret = "${myfox.clientSecret}"`,
    'client_auth = "basic"',
    `username = "${server.users.myfox.username}"`,
    `password = "${server.users.myfox.password}"`,
    '',
  ].join('\r\n');
}

describe('tokendesk vault commands', () => {
  it('imports a file into a new vault, creating it', async () => {
    const file = join(root, 'accounts.toml');
    await writeFile(file, `\uFEFF${accountsToml()}`);
    const result = await runCli(['import', file, '--vault', vaultDir], { env: env() });
    expect(result.stderr).toContain('Imported 3 accounts');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
  });

  it('lists the accounts without any secret', async () => {
    const result = await runCli(['list', '--json', '--vault', vaultDir], { env: env() });
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout);
    expect(rows.map((row: { name: string }) => row.name)).toEqual(['myfiber prod', 'insiders', 'myfox']);
    expect(rows[0].status).toBe('none');
    for (const secret of [server.clients.myfiber.clientSecret!, server.users.insiders.password, server.users.myfox.password]) {
      expect(result.stdout).not.toContain(secret);
    }
  });

  it('reuses the cached token across processes, and --force gets a new one', async () => {
    const before = server.requestsTo('/myfiber/oauth/v2/token').length;
    const first = await runCli(['token', 'myfiber prod', '--vault', vaultDir], { env: env() });
    expect(first.code).toBe(0);
    const second = await runCli(['token', 'myfiber prod', '--vault', vaultDir], { env: env() });
    expect(second.stdout).toBe(first.stdout);
    expect(server.requestsTo('/myfiber/oauth/v2/token').length).toBe(before + 1);
    const forced = await runCli(['token', 'myfiber prod', '--force', '--vault', vaultDir], { env: env() });
    expect(forced.code).toBe(0);
    expect(forced.stdout).not.toBe(first.stdout);
    expect(server.requestsTo('/myfiber/oauth/v2/token').length).toBe(before + 2);
    issuedTokens.push(first.stdout.trim(), forced.stdout.trim());
  });

  it('20 concurrent processes asking for one account cause exactly one token request', async () => {
    const before = server.requestsTo('/myfox/oauth2/token').length;
    const results = await Promise.all(Array.from({ length: 20 }, () => runCli(['token', 'myfox', '--vault', vaultDir], { env: env(), timeoutMs: 90_000 })));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(new Set(results.map((result) => result.stdout)).size).toBe(1);
    expect(server.requestsTo('/myfox/oauth2/token').length).toBe(before + 1);
    issuedTokens.push(results[0]!.stdout.trim());
  }, 120_000);

  it('revokes at the server (RFC 7009) and forgets the tokens', async () => {
    const token = (await runCli(['token', 'insiders', '--vault', vaultDir], { env: env() })).stdout.trim();
    issuedTokens.push(token);
    expect(server.isAccessTokenActive('insiders', token)).toBe(true);
    const result = await runCli(['revoke', 'insiders', '--vault', vaultDir], { env: env() });
    expect(result.code).toBe(0);
    expect(server.isAccessTokenActive('insiders', token)).toBe(false);
    const rows = JSON.parse((await runCli(['list', '--json', '--vault', vaultDir], { env: env() })).stdout);
    expect(rows.find((row: { name: string }) => row.name === 'insiders').status).toBe('none');
  });

  it('leaves no secret and no token readable in any file of the data folder', async () => {
    const secrets = [
      server.clients.myfiber.clientSecret!,
      server.clients.insiders.clientSecret!,
      server.clients.myfox.clientSecret!,
      server.users.insiders.password,
      server.users.myfox.password,
      ...issuedTokens,
    ];
    expect(issuedTokens.length).toBeGreaterThanOrEqual(3);
    const files = await listFiles(vaultDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = await readFile(file);
      for (const secret of secrets) {
        for (const form of [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')]) {
          expect(bytes.includes(Buffer.from(form)), `${file} contains a secret`).toBe(false);
        }
      }
    }
  });

  it('removes an account', async () => {
    expect((await runCli(['remove', 'myfox', '--vault', vaultDir], { env: env() })).code).toBe(0);
    const rows = JSON.parse((await runCli(['list', '--json', '--vault', vaultDir], { env: env() })).stdout);
    expect(rows.map((row: { name: string }) => row.name)).toEqual(['myfiber prod', 'insiders']);
    const missing = await runCli(['token', 'myfox', '--vault', vaultDir], { env: env() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('myfiber prod');
  });

  it('exits 5 for a wrong passphrase, a missing passphrase and a missing vault', async () => {
    const wrong = await runCli(['list', '--vault', vaultDir], { env: { TOKENDESK_PASSPHRASE: 'not the passphrase' } });
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).not.toContain('not the passphrase');
    const none = await runCli(['list', '--vault', vaultDir]);
    expect(none.code).toBe(5);
    expect(none.stderr).toContain('TOKENDESK_PASSPHRASE');
    const missing = await runCli(['list', '--vault', join(root, 'nowhere')], { env: env() });
    expect(missing.code).toBe(5);
  });

  it('refuses a weak TOKENDESK_PASSPHRASE for a new vault, saying why, and creates nothing (exit 2)', async () => {
    const file = join(root, 'static.toml');
    await writeFile(file, 'name = "static"\ngrant = "static"\naccess_token = "t1"\n');
    for (const weak of ['12345678', 'aaaaaaaa', 'password1', 'qwertyuiop']) {
      const folder = join(root, `weak-${weak}`);
      const result = await runCli(['import', file, '--vault', folder], { env: { TOKENDESK_PASSPHRASE: weak } });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(/TOKENDESK_PASSPHRASE cannot protect a new vault\. This passphrase is too weak: .+ Nothing was created\./);
      expect(result.stderr).not.toContain(weak);
      expect(await readdir(folder).catch(() => [])).toEqual([]);
    }
  });

  it('imports nothing when one account of the file is invalid', async () => {
    const file = join(root, 'half.toml');
    await writeFile(file, '[accounts.good]\ngrant = "static"\naccess_token = "t1"\n\n[accounts.bad]\ngrant = "password"\ntoken_url = "https://x.example/token"\nclient_id = "c"\n');
    const result = await runCli(['import', file, '--vault', vaultDir], { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('username');
    const rows = JSON.parse((await runCli(['list', '--json', '--vault', vaultDir], { env: env() })).stdout);
    expect(rows.map((row: { name: string }) => row.name)).not.toContain('good');
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name));
}
