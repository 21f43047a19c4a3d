/**
 * What a script sees from `tokendesk token --from FILE` when the server echoes
 * what it was sent or answers 200 with the token in a body that is not JSON
 * (issue 9 items 1 and 5): the right exit code, nothing on stdout, and no
 * secret on stderr in any form the leak scan knows (raw, form-encoded with
 * `+` and `%20`, URL-encoded, JSON-escaped, Base64 of both Basic variants).
 * The library-level proofs are in test/integration/oauth/hostile-echo.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { runCli } from '../../helpers/run-cli.js';
import { secretsIn, type Secret } from '../security/secret-scan.js';

const CLIENT_ID = 'cli echo+client';
const CLIENT_SECRET = 'cli:s3cr3t +/=%&"é-echo';
const PASSWORD = 'cli P@ss word+/é"&=%-echo';
const API_KEY = 'cli-extra-key+/ 51d0-echo';
const SECRETS: Secret[] = [
  { label: 'client secret', value: CLIENT_SECRET, clientId: CLIENT_ID },
  { label: 'password', value: PASSWORD },
  { label: 'extra api_key', value: API_KEY },
];

let server: ProviderServer;
let dir: string;
beforeAll(async () => {
  server = await startProviderServer();
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-cli-echo-'));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A TOML basic string: JSON's escapes are TOML's. */
const toml = (value: string): string => JSON.stringify(value);

async function credentialsFor(route: string, clientAuth: string): Promise<string> {
  const file = join(dir, `${route.replace(/[^a-z0-9]+/gi, '-')}-${clientAuth}.toml`);
  await writeFile(
    file,
    [
      'name = "echo"',
      'grant = "password"',
      `token_url = ${toml(`${server.url}/hostile/${route}`)}`,
      `client_id = ${toml(CLIENT_ID)}`,
      `client_secret = ${toml(CLIENT_SECRET)}`,
      `client_auth = ${toml(clientAuth)}`,
      'username = "cli-echo-user"',
      `password = ${toml(PASSWORD)}`,
      '[extra.token]',
      `api_key = ${toml(API_KEY)}`,
      '',
    ].join('\n'),
  );
  return file;
}

interface Case {
  route: string;
  clientAuth: string;
  exit: number;
  says: RegExp;
  /** Tokens the route put in its answer that must not show either. */
  issued?: number;
}

const CASES: Case[] = [
  { route: 'form-200', clientAuth: 'body', exit: 4, issued: 2, says: /HTTP 200 .*not JSON \(or is cut short\): \d+ bytes of application\/x-www-form-urlencoded/ },
  { route: 'truncated-refresh-200', clientAuth: 'body', exit: 4, issued: 2, says: /cut short\): \d+ bytes of application\/json/ },
  { route: 'echo-body?as=text', clientAuth: 'body', exit: 4, says: /HTTP 400: "Bad Request: .*password=\[redacted\]/ },
  { route: 'echo-body?as=json', clientAuth: 'query', exit: 3, says: /refused the request \(HTTP 400\): invalid_request/ },
  { route: 'echo-auth?as=json', clientAuth: 'basic', exit: 3, says: /invalid_client - Rejected Authorization: Basic \[redacted\]/ },
  { route: 'echo-auth?as=text', clientAuth: 'basic_raw', exit: 4, says: /HTTP 401: "Unauthorized: Basic \[redacted\]"/ },
];

describe.concurrent('tokendesk token --from against servers that echo secrets', () => {
  for (const c of CASES) {
    it(`exits ${c.exit} for /hostile/${c.route} (${c.clientAuth}) with no secret on stderr`, { timeout: 30_000 }, async () => {
      const file = await credentialsFor(c.route, c.clientAuth);
      const before = server.hostile.issuedTokens.length;
      const result = await runCli(['token', '--from', file, '--format', 'json'], { timeoutMs: 20_000 });
      expect(result.code, result.stderr).toBe(c.exit);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(c.says);
      // Concurrent cases share the list, so every token any route issued is looked for.
      expect(server.hostile.issuedTokens.length - before).toBeGreaterThanOrEqual(c.issued ?? 0);
      const issued = server.hostile.issuedTokens.map((value, i) => ({ label: `issued #${i}`, value }));
      expect(secretsIn(result.stderr, [...SECRETS, ...issued])).toEqual([]);
    });
  }
});

describe.concurrent('tokendesk token --from with a token_type from the server (issue 9 item 5)', () => {
  const typeRoute = (type: string): string => `token-type?type=${encodeURIComponent(type)}`;

  it('exits 4 for a token_type that would inject a header, printing nothing', { timeout: 30_000 }, async () => {
    const file = await credentialsFor(typeRoute('Bearer\r\nX-Injected: evil'), 'body');
    const result = await runCli(['token', '--from', file, '--format', 'header'], { timeoutMs: 20_000 });
    expect(result.code, result.stderr).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('token_type');
    expect(result.stderr).not.toContain('X-Injected');
  });

  it('writes "Authorization: Bearer <token>" for Vyopta\'s lower-case bearer', { timeout: 30_000 }, async () => {
    const file = await credentialsFor(typeRoute('bearer'), 'body');
    const result = await runCli(['token', '--from', file, '--format', 'header'], { timeoutMs: 20_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Authorization: Bearer hostile-type-[0-9a-f]+\n$/);
  });

  it('keeps another single-word scheme as sent (DPoP)', { timeout: 30_000 }, async () => {
    const file = await credentialsFor(typeRoute('DPoP'), 'body');
    const result = await runCli(['token', '--from', file, '--format', 'header'], { timeoutMs: 20_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Authorization: DPoP hostile-type-[0-9a-f]+\n$/);
  });
});
