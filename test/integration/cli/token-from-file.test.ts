/**
 * `tokendesk token --from FILE` as a separate process against the fixture
 * server that reproduces the seed providers: every grant returns a token,
 * stdout carries only the result, failures give the SPEC 6 exit codes.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { followAuthorization } from '../../helpers/browser-step.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { runCli, waitForStderr, type CliResult } from '../../helpers/run-cli.js';

let server: ProviderServer;
const dir = useTempDir('tokendesk-cli-');

beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server?.close();
});

function credentials(name: string, toml: string): Promise<string> {
  return dir.write(name, toml);
}

function expectNoSecrets(result: CliResult, secrets: string[]): void {
  for (const secret of secrets) expect(result.stderr).not.toContain(secret);
}

describe('tokendesk token --from', () => {
  it('gets a myfiber client_credentials token with body authentication and prints only the token', async () => {
    const { clientId, clientSecret } = server.clients.myfiber;
    const file = await credentials('myfiber.toml', `name = "myfiber"\ngrant = "client_credentials"\ntoken_url = "${server.url}/myfiber/oauth/v2/token"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nclient_auth = "body"\nscopes = ["openid", "profile", "urn:zitadel:iam:org:project:id:306635992142446597:aud"]\n`);
    const before = server.requestsTo('/myfiber/oauth/v2/token').length;
    const result = await runCli(['token', '--from', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const sent = server.requestsTo('/myfiber/oauth/v2/token').slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.form).toMatchObject({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'openid profile urn:zitadel:iam:org:project:id:306635992142446597:aud' });
    expect(server.isAccessTokenActive('myfiber', result.stdout.trim())).toBe(true);
  });

  it('gets a myfiber jwt_bearer token from a Zitadel key file', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    server.registerJwtKey('130509901696068329', publicKey.export({ type: 'spki', format: 'pem' }).toString(), '180507859606888466');
    await dir.write('key.json', JSON.stringify({ type: 'serviceaccount', keyId: '130509901696068329', key: pem, userId: '180507859606888466' }));
    const file = await credentials('jwt.toml', `grant = "jwt_bearer"\ntoken_url = "${server.url}/myfiber/oauth/v2/token"\nissuer = "${server.myfiberIssuer}"\nclient_auth = "none"\nkey_file = "key.json"\nscopes = ["openid"]\n`);
    const result = await runCli(['token', '--from', file, '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.token_type).toBe('Bearer');
    expect(server.isAccessTokenActive('myfiber', json.access_token)).toBe(true);
    expect(result.stderr).not.toContain('PRIVATE KEY');
  });

  it('gets a Vyopta password token as the public client "vyopta" and normalises "bearer"', async () => {
    const { username, password } = server.users.vyopta;
    const file = await credentials('vyopta.toml', `grant = "password"\ntoken_url = "${server.url}/vyopta/auth/realms/vyopta/protocol/openid-connect/token"\nclient_id = "vyopta"\nclient_auth = "none"\nusername = "${username}"\npassword = "${password}"\n`);
    const result = await runCli(['token', '--from', file, '--format', 'header']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Authorization: Bearer \S+\n$/);
    const sent = server.requestsTo('/vyopta/').at(-1)!;
    expect(sent.form).toMatchObject({ grant_type: 'password', client_id: 'vyopta', username, password });
    expect(sent.headers.authorization).toBeUndefined();
  });

  it('gets an Insiders password token with HTTP Basic at the trailing-slash URL', async () => {
    const { clientId, clientSecret } = server.clients.insiders;
    const { username, password } = server.users.insiders;
    const file = await credentials('insiders.toml', `grant = "password"\ntoken_url = "${server.url}/insiders/oauth2/token/"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nclient_auth = "basic"\nusername = "${username}"\npassword = "${password}"\nscope = "all"\n`);
    const result = await runCli(['token', '--from', file]);
    expect(result.code).toBe(0);
    const sent = server.requestsTo('/insiders/oauth2/token/').at(-1)!;
    expect(sent.headers.authorization).toBe(`Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`);
  });

  it('reports the redirect, naming its Location, when the mandatory trailing slash is missing (exit 4)', async () => {
    const { clientId, clientSecret } = server.clients.insiders;
    const { username, password } = server.users.insiders;
    const file = await credentials('insiders-noslash.toml', `grant = "password"\ntoken_url = "${server.url}/insiders/oauth2/token"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nclient_auth = "basic"\nusername = "${username}"\npassword = "${password}"\n`);
    const before = server.requestsTo('/insiders/oauth2/token/').length;
    const result = await runCli(['token', '--from', file]);
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('/insiders/oauth2/token/');
    expect(server.requestsTo('/insiders/oauth2/token/').length).toBe(before);
    expectNoSecrets(result, [clientSecret!, password]);
  });

  it('gets a Myfox password token and prints "scope": null as null in JSON', async () => {
    const { clientId, clientSecret } = server.clients.myfox;
    const { username, password } = server.users.myfox;
    const file = await credentials('myfox.toml', `grant = "password"\ntoken_url = "${server.url}/myfox/oauth2/token"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nclient_auth = "basic"\nusername = "${username}"\npassword = "${password}"\n`);
    const result = await runCli(['token', '--from', file, '--format', 'json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.scope).toBeNull();
    expect(json.has_refresh_token).toBe(true);
    expect(json.expires_in).toBeGreaterThan(3500);
    expect(Object.keys(json)).not.toContain('refresh_token');
  });

  it('runs the Netrex authorization code flow with query-style client authentication through the loopback listener', async () => {
    const { clientId, clientSecret } = server.clients.netrex;
    const file = await credentials('netrex.toml', `grant = "authorization_code"\nauthorize_url = "${server.url}/netrex/oauth2/auth/"\ntoken_url = "${server.url}/netrex/oauth2/token"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nclient_auth = "query"\nscopes = ["read", "write"]\nscope_separator = ","\n`);
    let browserPage = '';
    const result = await runCli(['token', '--from', file, '--no-browser'], {
      onSpawn: (child) => {
        child.stdin!.end();
        void waitForStderr(child, /Open this URL in your browser: (\S+)/).then(async (match) => {
          const authorizeUrl = new URL(match[1]!);
          expect(authorizeUrl.searchParams.get('scope')).toBe('read,write');
          expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
          browserPage = (await followAuthorization(match[1]!)).body;
        });
      },
    });
    expect(result.stderr).toContain('Open this URL in your browser:');
    expect(result.code).toBe(0);
    const token = result.stdout.trim();
    expect(server.isAccessTokenActive('netrex', token)).toBe(true);
    expect(browserPage).not.toContain(token);
    const sent = server.requestsTo('/netrex/oauth2/token').at(-1)!;
    expect(sent.body).toBe('');
    expect(sent.query).toMatchObject({ grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret });
    expect(sent.query.code_verifier).toMatch(/^[\w.~-]{43,128}$/);
  });

  it('returns a static personal access token without any request', async () => {
    const before = server.requests.length;
    const file = await credentials('pat.toml', 'grant = "static"\naccess_token = "pat-0123456789"\n');
    const result = await runCli(['token', '--from', file]);
    expect(result).toMatchObject({ code: 0, stdout: 'pat-0123456789\n' });
    expect(server.requests.length).toBe(before);
  });

  it('chooses an account with --account and refuses an ambiguous file (exit 2)', async () => {
    const file = await credentials('two.toml', '[accounts.first]\ngrant = "static"\naccess_token = "tok-first"\n\n[accounts.second]\ngrant = "static"\naccess_token = "tok-second"\n');
    expect(await runCli(['token', '--from', file, '--account', 'second'])).toMatchObject({ code: 0, stdout: 'tok-second\n' });
    const ambiguous = await runCli(['token', '--from', file]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('--account');
  });
});

describe('tokendesk token --from failures', () => {
  it('names file, line and column of a TOML syntax error (exit 2)', async () => {
    const file = await credentials('broken.toml', 'grant = "static"\naccess_token = "abc\n');
    const result = await runCli(['token', '--from', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/broken\.toml, line 2, column \d+/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('shows the server\'s error when the credentials are refused (exit 3)', async () => {
    const file = await credentials('wrong.toml', `grant = "client_credentials"\ntoken_url = "${server.url}/myfiber/oauth/v2/token"\nclient_id = "myfiber-client"\nclient_secret = "definitely-wrong-secret"\nclient_auth = "body"\n`);
    const result = await runCli(['token', '--from', file]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('invalid_client');
    expectNoSecrets(result, ['definitely-wrong-secret']);
  });

  it('refuses a plain-http token endpoint that is not loopback before connecting (exit 2)', async () => {
    const file = await credentials('insecure.toml', 'grant = "client_credentials"\ntoken_url = "http://tokens.example.invalid/token"\nclient_id = "a"\nclient_secret = "b"\n');
    const result = await runCli(['token', '--from', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/https/);
  });

  it('reports an HTML 200 answer as a protocol failure naming its type and length, never quoting it (exit 4)', async () => {
    const file = await credentials('html.toml', `grant = "client_credentials"\ntoken_url = "${server.url}/hostile/html-200"\nclient_id = "a"\nclient_secret = "b"\nclient_auth = "body"\n`);
    const result = await runCli(['token', '--from', file]);
    expect(result.code).toBe(4);
    // A 2xx body may hold a token, so it is described, not quoted (issue 9 item 1).
    expect(result.stderr).toMatch(/HTTP 200 .*not JSON.*\d+ bytes of text\/html/);
    expect(result.stderr).not.toMatch(/<html|<!DOCTYPE/i);
  });

  it('reports a refused connection as a network failure (exit 4)', async () => {
    const file = await credentials('closed.toml', 'grant = "client_credentials"\ntoken_url = "http://127.0.0.1:9/token"\nclient_id = "a"\nclient_secret = "b"\n');
    const result = await runCli(['token', '--from', file]);
    expect(result.code).toBe(4);
  });

  it('exits 130 when cancelled while waiting for the browser', async () => {
    const file = await credentials('cancel.toml', `grant = "authorization_code"\nauthorize_url = "${server.url}/insiders/oauth2/authorize/"\ntoken_url = "${server.url}/insiders/oauth2/token/"\nclient_id = "abc123def456"\nclient_secret = "789ghi123klm"\nclient_auth = "basic"\n`);
    const result = await runCli(['token', '--from', file, '--no-browser'], {
      onSpawn: (child) => {
        child.stdin!.end();
        void waitForStderr(child, /Waiting for the browser/).then(() => child.kill('SIGINT'));
      },
    });
    expect(result.code).toBe(130);
    expect(result.stdout).toBe('');
  });

  it('refuses a TOKENDESK_TIMEOUT_MS that is not a sensible number of milliseconds (exit 2)', async () => {
    const result = await runCli(['list'], { env: { TOKENDESK_TIMEOUT_MS: 'soon' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('TOKENDESK_TIMEOUT_MS');
  });

  it('rejects unknown commands and options with usage (exit 2)', async () => {
    expect((await runCli(['fetch'])).code).toBe(2);
    const bad = await runCli(['token', '--from', 'x.toml', '--format', 'yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('raw, json, header');
  });
});

describe('tokendesk decode', () => {
  const jwt = `${Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'svc', aud: 'https://so.yio.at', exp: 4_102_444_800, scope: 'openid' })).toString('base64url')}.c2ln`;

  it('decodes a JWT given as argument, offline, warning on stderr that ps shows arguments', async () => {
    const result = await runCli(['decode', jwt]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('Warning: a token given as an argument can be seen by other programs on this computer (ps); pipe it instead: ... | tokendesk decode\n');
    expect(result.stderr).not.toContain(jwt);
    const decoded = JSON.parse(result.stdout);
    expect(decoded.header).toEqual({ alg: 'RS256', kid: 'k1' });
    expect(decoded.claims.aud).toBe('https://so.yio.at');
    expect(decoded.expires_at).toBe('2100-01-01T00:00:00.000Z');
    expect(decoded.expired).toBe(false);
  });

  it('reads the token from stdin without a warning, and refuses an opaque token (exit 2)', async () => {
    const piped = await runCli(['decode'], { input: `${jwt}\n` });
    expect(JSON.parse(piped.stdout).claims.sub).toBe('svc');
    expect(piped.stderr).toBe('');
    expect((await runCli(['decode'], { input: 'opaque-token' })).code).toBe(2);
  });

  it('shows an expiry no date can hold as unknown instead of failing', async () => {
    const absurd = `${jwt.split('.')[0]}.${Buffer.from(JSON.stringify({ sub: 'svc', exp: Number.MAX_SAFE_INTEGER })).toString('base64url')}.c2ln`;
    const result = await runCli(['decode'], { input: absurd });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ expires_at: null, expires_in: null, expired: null, claims: { exp: Number.MAX_SAFE_INTEGER } });
  });
});
