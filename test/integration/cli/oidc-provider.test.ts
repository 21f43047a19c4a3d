/**
 * The CLI against a certified OpenID provider (oidc-provider): endpoints from
 * discovery, the authorization code flow through the loopback listener, the
 * device code flow, and revocation from the vault.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, followToCallback, startOidcServer, type OidcServer } from '../../fixtures/oidc-server.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { runCli, waitForStderr } from '../../helpers/run-cli.js';

let server: OidcServer;
const dir = useTempDir('tokendesk-cli-oidc-');

beforeAll(async () => {
  server = await startOidcServer({ deviceInterval: 1 });
});
afterAll(async () => {
  await server?.close();
});

function credentials(name: string, toml: string): Promise<string> {
  return dir.write(name, toml);
}

describe('tokendesk against oidc-provider', () => {
  it('finds the token endpoint by discovery from the issuer alone (client_credentials, Basic)', async () => {
    const file = await credentials('discovery.toml', `grant = "client_credentials"\nissuer = "${server.issuer}"\nclient_id = "${CLIENTS.basic.clientId}"\nclient_secret = "${CLIENTS.basic.clientSecret}"\nclient_auth = "basic"\nscopes = ["api:read"]\n`);
    const before = server.tokenRequests.length;
    const result = await runCli(['token', '--from', file, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ token_type: 'Bearer', scope: 'api:read' });
    expect(server.tokenRequests.slice(before).map((request) => [request.grantType, request.status])).toEqual([['client_credentials', 200]]);
    expect(server.requestPaths.some((path) => path.startsWith('/.well-known/openid-configuration'))).toBe(true);
  });

  it('signs in with the authorization code flow as a public client, PKCE S256, through the loopback listener', async () => {
    const file = await credentials('code.toml', `grant = "authorization_code"\nissuer = "${server.issuer}"\nclient_id = "${CLIENTS.public.clientId}"\nclient_auth = "none"\nscopes = ["openid", "api:read"]\n`);
    let page = '';
    const result = await runCli(['token', '--from', file, '--no-browser', '--format', 'json'], {
      onSpawn: (child) => {
        child.stdin!.end();
        void waitForStderr(child, /Open this URL in your browser: (\S+)/).then(async (match) => {
          const callback = await followToCallback(match[1]!, server.issuer);
          expect(new URL(callback).hostname).toBe('127.0.0.1');
          page = await (await fetch(callback)).text();
        });
      },
    });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.has_refresh_token).toBe(true);
    expect(page).toMatch(/close this (tab|window)/i);
    expect(page).not.toContain(json.access_token);
  });

  it('reads the redirected URL from stdin when the redirect URI is not a loopback one', async () => {
    const file = await credentials('paste.toml', `grant = "authorization_code"\nissuer = "${server.issuer}"\nclient_id = "${CLIENTS.public.clientId}"\nclient_auth = "none"\nredirect_uri = "https://app.tokendesk.example/callback"\nscopes = ["openid"]\n`);
    const result = await runCli(['token', '--from', file, '--no-browser'], {
      onSpawn: (child) => {
        void waitForStderr(child, /Open this URL in your browser: (\S+)/).then(async (match) => {
          // The browser would now land on the vendor-registered https page; the user copies its address.
          const callback = await followToCallback(match[1]!, server.issuer);
          expect(callback.startsWith('https://app.tokendesk.example/callback?')).toBe(true);
          child.stdin!.end(`${callback}\n`);
        });
      },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Paste that whole address here');
    expect(result.stdout.trim().length).toBeGreaterThan(20);
  });

  it('signs in with the device code flow: shows the code, waits for approval, prints the token', async () => {
    const file = await credentials('device.toml', `grant = "device_code"\nissuer = "${server.issuer}"\nclient_id = "${CLIENTS.public.clientId}"\nclient_auth = "none"\nscopes = ["openid"]\n`);
    const result = await runCli(['token', '--from', file, '--no-browser'], {
      timeoutMs: 60_000,
      onSpawn: (child) => {
        child.stdin!.end();
        void waitForStderr(child, /enter the code: (\S+)/).then((match) => server.approveDevice(match[1]!));
      },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/To sign in, open http:\/\/127\.0\.0\.1:\d+\/\S* and enter the code/);
    expect(result.stdout.trim().length).toBeGreaterThan(20);
  });

  it('revokes the stored tokens at the provider (RFC 7009) from the vault', async () => {
    const vault = join(dir.path(), 'vault');
    const env = { TOKENDESK_PASSPHRASE: 'oidc provider test passphrase' };
    const file = await credentials('vault.toml', `name = "oidc"\ngrant = "client_credentials"\nissuer = "${server.issuer}"\nrevoke_url = "${server.revocationEndpoint}"\nclient_id = "${CLIENTS.post.clientId}"\nclient_secret = "${CLIENTS.post.clientSecret}"\nclient_auth = "body"\nscopes = ["api:read"]\n`);
    expect((await runCli(['import', file, '--vault', vault], { env })).code).toBe(0);
    const token = (await runCli(['token', 'oidc', '--vault', vault], { env })).stdout.trim();
    const introspect = async () => {
      const response = await fetch(`${server.issuer}/token/introspection`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, client_id: CLIENTS.post.clientId, client_secret: CLIENTS.post.clientSecret }),
      });
      return (await response.json()) as { active: boolean };
    };
    expect((await introspect()).active).toBe(true);
    const revoked = await runCli(['revoke', 'oidc', '--vault', vault], { env });
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stderr).toContain('at the server');
    expect((await introspect()).active).toBe(false);
  });
});
