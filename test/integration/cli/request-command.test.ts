/**
 * Issue 11 items 5 and 7: `tokendesk request` as a separate process against
 * the seed fixture server. A 401 invalid_token (Myfox's body, RFC 6750's
 * header in its spellings) gets exactly one new token and one retry of the
 * same request, byte for byte; any other 401 or a second refusal is exit 6;
 * a redirect is named, never followed; nothing TokenDesk prints on stderr
 * holds the token; an insecure URL is refused before the vault is opened.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { seedAccountToml } from '../../fixtures/seed-accounts.js';
import { runCli, type CliOptions, type CliResult } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const PASSPHRASE = 'quartz meadow lantern ripple';
let server: ProviderServer;
const dir = useTempDir('tokendesk-cli-request-');
const vault = () => join(dir.path(), 'vault');
const env = { TOKENDESK_PASSPHRASE: PASSPHRASE };

beforeAll(async () => {
  server = await startProviderServer();
  const file = await dir.write('myfox.toml', seedAccountToml(server, 'myfox', 'name = "myfox"', { client_auth: '"basic_raw"' }));
  const imported = await runCli(['import', file, '--vault', vault()], { env });
  expect(imported.code, imported.stderr).toBe(0);
});
afterAll(async () => server?.close());

function request(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runCli(['request', 'myfox', ...args, '--vault', vault()], { env, ...options, ...(options.env ? { env: { ...env, ...options.env } } : {}) });
}

/** Counts what one command sent: token requests and requests to `path`. */
async function counting(path: string, run: () => Promise<CliResult>): Promise<{ result: CliResult; tokenRequests: number; apiRequests: { authorization: string; method: string; bodyBytes: Buffer; contentType: string | undefined }[] }> {
  const tokensBefore = server.requestsTo('/myfox/oauth2/token').length;
  const apiBefore = server.requestsTo(path).length;
  const result = await run();
  return {
    result,
    tokenRequests: server.requestsTo('/myfox/oauth2/token').length - tokensBefore,
    apiRequests: server.requestsTo(path).slice(apiBefore).map((r) => ({ authorization: String(r.headers.authorization), method: r.method, bodyBytes: r.bodyBytes, contentType: r.headers['content-type'] })),
  };
}

async function cachedToken(): Promise<string> {
  const result = await runCli(['token', 'myfox', '--vault', vault()], { env });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe('tokendesk request', () => {
  it('sends the account token, prints the body on stdout and the status line on stderr', async () => {
    const token = await cachedToken();
    const { result, tokenRequests, apiRequests } = await counting('/myfox/api/', () => request([`${server.url}/myfox/api/v2/client/site/items`]));
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'OK' });
    expect(result.stderr).toBe('HTTP 200 OK\n');
    expect(tokenRequests).toBe(0);
    expect(apiRequests).toEqual([expect.objectContaining({ authorization: `Bearer ${token}`, method: 'GET' })]);
  });

  it('retries once with a new token when Myfox answers 401 {"status":"KO","error":"invalid_token"}', async () => {
    const old = await cachedToken();
    server.invalidateAccessTokens('myfox');
    const { result, tokenRequests, apiRequests } = await counting('/myfox/api/', () => request([`${server.url}/myfox/api/v2/client/site/items`]));
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'OK' });
    expect(result.stderr).toMatch(/invalid_token.*once more[\s\S]*HTTP 200 OK\n$/);
    expect(tokenRequests).toBe(1);
    expect(apiRequests.map((r) => r.authorization)).toHaveLength(2);
    expect(apiRequests[0]!.authorization).toBe(`Bearer ${old}`);
    const fresh = await cachedToken();
    expect(fresh).not.toBe(old);
    expect(apiRequests[1]!.authorization).toBe(`Bearer ${fresh}`);
  });

  for (const challenge of ['quoted', 'token', 'split']) {
    it(`retries once on RFC 6750's WWW-Authenticate: Bearer error="invalid_token" (${challenge})`, async () => {
      await cachedToken();
      server.invalidateAccessTokens('myfox');
      const { result, tokenRequests, apiRequests } = await counting('/api/rfc6750/', () => request([`${server.url}/api/rfc6750/things?challenge=${challenge}`]));
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true });
      expect(tokenRequests).toBe(1);
      expect(apiRequests).toHaveLength(2);
    });
  }

  for (const route of ['api-insufficient-scope', 'api-plain-401', 'api-other-scheme']) {
    it(`does not retry another 401 (${route}): exit 6, the body on stdout`, async () => {
      await cachedToken();
      const { result, tokenRequests, apiRequests } = await counting(`/hostile/${route}`, () => request([`${server.url}/hostile/${route}`]));
      expect(result.code, result.stderr).toBe(6);
      expect(result.stderr).toContain('HTTP 401 Unauthorized');
      expect(result.stderr).not.toContain('once more');
      expect(tokenRequests).toBe(0);
      expect(apiRequests).toHaveLength(1);
      if (route === 'api-plain-401') expect(result.stdout).toBe('Unauthorized');
    });
  }

  for (const as of ['rfc6750', 'myfox']) {
    it(`retries only once when the new token is refused as well (${as}): exit 6`, async () => {
      await cachedToken();
      const { result, tokenRequests, apiRequests } = await counting('/hostile/api-invalid-token-always', () => request([`${server.url}/hostile/api-invalid-token-always?as=${as}`]));
      expect(result.code, result.stderr).toBe(6);
      expect(tokenRequests).toBe(1);
      expect(apiRequests).toHaveLength(2);
      expect(apiRequests[0]!.authorization).not.toBe(apiRequests[1]!.authorization);
    });
  }

  it('reports a redirect, naming its Location, and never follows it', async () => {
    const { result, apiRequests } = await counting('/hostile/api-redirect', () => request([`${server.url}/hostile/api-redirect`]));
    expect(result.code, result.stderr).toBe(6);
    expect(result.stderr).toContain('HTTP 302 Found');
    expect(result.stderr).toContain(`redirects to ${server.url}/hostile/api-redirect-target?…`);
    expect(apiRequests.map((r) => r.authorization)).toHaveLength(1); // api-redirect only
    expect(server.requestsTo('/hostile/api-redirect-target')).toHaveLength(0);
    expect(result.stdout).toBe('moved');
  });

  it('sends -d DATA byte for byte, on the retry too', async () => {
    await cachedToken();
    server.invalidateAccessTokens('myfox');
    const data = 'label=Front door&mode=armed&note=caf\u00e9 \u2603';
    const { result, apiRequests } = await counting('/myfox/api/', () => request([`${server.url}/myfox/api/v2/site/security/set`, '-d', data]));
    expect(result.code, result.stderr).toBe(0);
    expect(apiRequests).toHaveLength(2);
    for (const sent of apiRequests) {
      expect(sent.method).toBe('POST');
      expect(sent.contentType).toBe('application/x-www-form-urlencoded');
      expect(sent.bodyBytes.equals(Buffer.from(data, 'utf8'))).toBe(true);
    }
  });

  it('sends --data-file FILE (every byte value) and --data-file - (stdin) byte for byte, on the retry too, with -X and -H', async () => {
    const bytes = Buffer.from(Array.from({ length: 1024 }, (_, index) => (index * 7) % 256));
    const file = join(dir.path(), 'payload.bin');
    await writeFile(file, bytes);
    for (const source of ['file', 'stdin'] as const) {
      await cachedToken();
      server.invalidateAccessTokens('myfox');
      const args = [`${server.url}/myfox/api/v2/upload`, '-XPUT', '-H', 'Content-Type: application/octet-stream', '--data-file', source === 'file' ? file : '-'];
      const { result, apiRequests } = await counting('/myfox/api/', () => request(args, source === 'stdin' ? { input: bytes } : {}));
      expect(result.code, result.stderr).toBe(0);
      expect(apiRequests).toHaveLength(2);
      for (const sent of apiRequests) {
        expect(sent.method).toBe('PUT');
        expect(sent.contentType).toBe('application/octet-stream');
        expect(sent.bodyBytes.equals(bytes)).toBe(true);
      }
    }
  });

  it('writes a binary body to stdout unchanged', async () => {
    await cachedToken();
    const result = await request([`${server.url}/api/rfc6750/file?binary=1`]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdoutBytes.equals(Buffer.from(Array.from({ length: 512 }, (_, index) => index % 256)))).toBe(true);
  });

  it('never prints the token on stderr, even when the API echoes it in its status text and headers', async () => {
    const token = await cachedToken();
    const result = await request([`${server.url}/hostile/api-echo-token`]);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('HTTP 500 Rejected Bearer [redacted]');
    expect(result.stderr).not.toContain(token);
    // The body is the result, whatever it holds.
    expect(result.stdout).toBe(`You sent Bearer ${token}`);
  });

  it('refuses a plain-http address that is not this computer before opening the vault or connecting', async () => {
    const tokensBefore = server.requestsTo('/myfox/oauth2/token').length;
    // A wrong passphrase proves the vault is never opened: that would be exit 5.
    const result = await request(['http://api.example.test/v2/items'], { env: { TOKENDESK_PASSPHRASE: 'not the passphrase at all' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('uses plain http');
    expect(server.requestsTo('/myfox/oauth2/token').length).toBe(tokensBefore);
  });

  it('refuses usage errors with exit 2 before any request: an Authorization header, data with GET, -d with --data-file, a bad method', async () => {
    const before = server.requests.length;
    const url = `${server.url}/myfox/api/v2/items`;
    const cases: [string[], RegExp][] = [
      [[url, '-H', 'authorization: Bearer mine'], /TokenDesk sends the account's token itself/],
      [[url, '-H', 'no colon here'], /"Name: value"/],
      [[url, '-X', 'GET', '-d', 'a=1'], /cannot carry data/],
      [[url, '-d', 'a=1', '--data-file', 'x'], /either with -d DATA or with --data-file FILE/],
      [[url, '-X', 'BAD METHOD'], /HTTP method/],
      [[url, '-Z'], /Unknown option "-Z"/],
      [[url, '-H'], /-H needs a value/],
      [[url, '--min-validity', '1.5'], /--min-validity must be a whole number/],
    ];
    for (const [args, message] of cases) {
      const result = await request(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(server.requests.length).toBe(before);
  });

  it('gives up after TOKENDESK_TIMEOUT_MS when the API never answers: exit 4', async () => {
    await cachedToken();
    const result = await request([`${server.url}/hostile/stall`], { env: { TOKENDESK_TIMEOUT_MS: '500' } });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/sent nothing for 0.5 s/);
  });
});
