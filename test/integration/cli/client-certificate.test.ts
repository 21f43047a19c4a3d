/**
 * Issue 12 item 4 through the real `tokendesk` process: a TOML with
 * `client_pkcs12 = "client.p12"` is imported (the file read once, into the
 * vault), then `tokendesk token` and `tokendesk request` present the
 * certificate to an https server on 127.0.0.1 that requires it. The CLI
 * trusts the test authority through NODE_EXTRA_CA_CERTS, as a user behind a
 * company authority would. A token the agent hands out cannot carry the
 * certificate: `request` then refuses in words. Needs `npm run build:main`.
 */
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMtlsServer, type MtlsServer } from '../../fixtures/mtls-server.js';
import { LOCALHOST_SERVER } from '../../fixtures/tls/https-fixtures.js';
import { createAuthority, toPkcs12 } from '../../fixtures/tls/pki.js';
import { startAgentProcess } from '../../helpers/agent-process.js';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { secretsIn, secretsInFolder } from '../security/secret-scan.js';

const PASSPHRASE = 'client certificate cli passphrase';
const P12_PASSWORD = 'CLI-MTLS-p12-password-z9';
const authority = createAuthority({ commonName: 'Corp Test Root CA' });
const client = authority.issue({ commonName: 'cli-client', usage: 'client', keyType: 'rsa' });
const dir = useTempDir('tokendesk-cli-mtls-');
let server: MtlsServer;
let runtimeDir: string;
let env: Record<string, string>;
const vault = () => join(dir.path(), 'vault');

beforeAll(async () => {
  server = await startMtlsServer({
    identity: authority.issue(LOCALHOST_SERVER),
    mode: 'pki',
    authorities: [authority.certPem],
    clients: [{ clientId: 'cli-client-id', method: 'tls_client_auth', commonName: 'cli-client' }],
  });
  runtimeDir = await mkdtemp(join(tmpdir(), 'tokendesk-mtls-run-'));
  const caFile = await dir.write('corp-ca.pem', authority.certPem);
  env = { TOKENDESK_PASSPHRASE: PASSPHRASE, NODE_EXTRA_CA_CERTS: caFile, XDG_RUNTIME_DIR: runtimeDir };
  await writeFile(join(dir.path(), 'client.p12'), toPkcs12(client, P12_PASSWORD));
  const toml = await dir.write(
    'bank.toml',
    `name = "bank"
token_url = "${server.url}/token"
client_id = "cli-client-id"
client_auth = "tls_client_auth"
client_pkcs12 = "client.p12"
client_pkcs12_password = "${P12_PASSWORD}"
`,
  );
  const imported = await runCli(['import', toml, '--vault', vault()], { env });
  expect(imported.code, imported.stderr).toBe(0);
  // Read once at import: the vault holds the certificate, not the path.
  await unlink(join(dir.path(), 'client.p12'));
});
afterAll(async () => {
  await server?.close();
  await rm(runtimeDir, { recursive: true, force: true });
});

describe('tokendesk with a client certificate', () => {
  it('token NAME presents the certificate from the vault and prints the certificate-bound token', async () => {
    const before = server.requests.length;
    const result = await runCli(['token', 'bank', '--vault', vault()], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ey\S+\n$/);
    expect(server.requests.slice(before)).toEqual([expect.objectContaining({ path: '/token', certificate: client.cert.fingerprint256, form: expect.objectContaining({ client_id: 'cli-client-id' }) })]);
    expect(secretsIn(result.stdout + result.stderr, [{ label: 'PKCS#12 password', value: P12_PASSWORD }])).toEqual([]);
  });

  it('request NAME URL presents it to the API too, which accepts the bound token only so', async () => {
    const result = await runCli(['request', 'bank', `${server.url}/api`, '--vault', vault()], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ ok: true, client: 'cli-client-id' });
    expect(server.requests.at(-1)).toMatchObject({ path: '/api', certificate: client.cert.fingerprint256 });
  });

  it('without the company authority the CLI refuses the server in plain words (exit 4)', async () => {
    const { NODE_EXTRA_CA_CERTS: _ca, ...untrusting } = env;
    const result = await runCli(['token', 'bank', '--force', '--vault', vault()], { env: untrusting });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/certificate/i);
  });

  it('request through the agent refuses: the certificate never leaves TokenDesk; --no-agent works', async () => {
    const agent = await startAgentProcess(['--vault', vault()], env);
    try {
      const { TOKENDESK_PASSPHRASE: _p, ...scriptEnv } = env;
      const token = await runCli(['token', 'bank', '--vault', vault()], { env: scriptEnv });
      expect(token.code, token.stderr).toBe(0);
      const before = server.requests.length;
      const refused = await runCli(['request', 'bank', `${server.url}/api`, '--vault', vault()], { env: scriptEnv });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('"bank" presents a client certificate, which never leaves TokenDesk');
      expect(refused.stderr).toContain('--no-agent');
      expect(server.requests.length).toBe(before);
      const direct = await runCli(['request', 'bank', `${server.url}/api`, '--no-agent', '--vault', vault()], { env });
      expect(direct.code, direct.stderr).toBe(0);
    } finally {
      await agent.stop();
    }
  });

  it('the vault file holds neither the PKCS#12 file nor its password in plain text', async () => {
    expect(await secretsInFolder(vault(), [{ label: 'PKCS#12 password', value: P12_PASSWORD }, { label: 'RSA key body', value: client.keyPem.split('\n').slice(1, 3).join('\n') }])).toEqual([]);
  });
});
