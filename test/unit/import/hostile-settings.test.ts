/**
 * Settings a hostile or careless credentials file can carry (issue 9 items 13,
 * 14, 15 and 17): a key_file that is no file, unbounded numbers, extra
 * parameters that would replace protocol parameters, a jwt_bearer token_url on
 * another server than its issuer, and the loopback rule shared with the transport.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../main/core/errors.js';
import { importCredentials, isLoopbackHost } from '../../../main/core/import/index.js';
import { assertSecureEndpoint } from '../../../main/core/oauth/http.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-hostile-settings-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(text: string, options: { baseDir?: string } = {}): Promise<InputError> {
  const error = await importCredentials({ text, fileName: 'creds.toml', ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'import should have been refused').toBeInstanceOf(InputError);
  return error as InputError;
}

const keyJson = (): string => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return JSON.stringify({ type: 'serviceaccount', keyId: '1', key: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), userId: '2' });
};

describe('key_file must be a regular file of at most 64 KiB (item 13)', () => {
  const keyFileToml = (path: string): string => `preset = "myfiber"\nkey_file = ${JSON.stringify(path)}\n`;

  it('refuses a FIFO at once instead of waiting for a writer forever', async (t) => {
    const fifo = join(dir, 'key.fifo');
    const made = spawnSync('mkfifo', [fifo]);
    if (made.error || made.status !== 0) return t.skip('mkfifo is not available on this system');
    const started = Date.now();
    const error = await refusal(keyFileToml(fifo));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error.code).toBe('ERR_INPUT_FIELD');
    expect(error.location).toMatchObject({ field: 'key_file', line: 2 });
    expect(error.message).toContain('named pipe (FIFO)');
    expect(error.message).toContain(fifo);
  });

  it('refuses a device such as /dev/zero instead of reading without end', async (t) => {
    if (process.platform === 'win32') return t.skip('no /dev/zero on Windows');
    const started = Date.now();
    const error = await refusal(keyFileToml('/dev/zero'));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error.message).toMatch(/cannot read key_file "\/dev\/zero": it is a device, not a file \(looked at \/dev\/zero\)/);
  });

  it('refuses a folder and a file over 64 KiB, naming field and path', async () => {
    const folder = join(dir, 'a-folder');
    await mkdir(folder, { recursive: true });
    expect((await refusal(keyFileToml(folder))).message).toMatch(/key_file.*it is a folder, not a file/);
    const big = join(dir, 'big.json');
    await writeFile(big, `${keyJson().slice(0, -1)}, "padding": "${'x'.repeat(64 * 1024)}"}`);
    const error = await refusal(keyFileToml(big));
    expect(error.message).toMatch(/cannot read key_file ".*big\.json": it is \d+ bytes; a key file is at most 65536 bytes/);
    expect(error.location?.field).toBe('key_file');
  });

  it('still reads a real key file', async () => {
    const file = join(dir, 'key.json');
    await writeFile(file, keyJson());
    const [account] = await importCredentials({ text: keyFileToml('key.json'), baseDir: dir });
    expect(account?.key?.keyId).toBe('1');
  });
});

describe('numbers that become dates are bounded at import (item 14)', () => {
  const base = 'grant = "client_credentials"\ntoken_url = "https://x.example/t"\nclient_id = "c"\nclient_secret = "s"\n';

  it('refuses token_lifetime beyond 10 years, naming it', async () => {
    const error = await refusal(`${base}token_lifetime = 9007199254740991\n`);
    expect(error.code).toBe('ERR_INPUT_FIELD');
    expect(error.location).toMatchObject({ field: 'token_lifetime', line: 5 });
    expect(error.message).toContain('at most 315360000 seconds (10 years)');
    const [ok] = await importCredentials({ text: `${base}token_lifetime = 315360000\n` });
    expect(ok?.defaultTokenLifetimeSeconds).toBe(315_360_000);
  });

  it('refuses a request_budget window beyond 366 days and more than 10,000 requests', async () => {
    const window = await refusal(`${base}request_budget = { max_requests = 5, window_seconds = 9007199254740991 }\n`);
    expect(window.location?.field).toBe('request_budget');
    expect(window.message).toContain('window_seconds must be at most 31622400 (366 days)');
    const requests = await refusal(`${base}request_budget = { max_requests = 9007199254740991, window_seconds = 60 }\n`);
    expect(requests.message).toContain('max_requests must be at most 10000');
    const [ok] = await importCredentials({ text: `${base}request_budget = { max_requests = 20, window_seconds = 31622400 }\n` });
    expect(ok?.requestBudget).toEqual({ maxRequests: 20, windowSeconds: 31_622_400 });
  });
});

describe('no extra parameter may replace a protocol parameter (item 15)', () => {
  const authCode = 'grant = "authorization_code"\nauthorize_url = "https://x.example/auth"\ntoken_url = "https://x.example/t"\nclient_id = "c"\nclient_auth = "none"\n';

  it.each([
    ['authorize', 'response_type', 'token'],
    ['authorize', 'client_id', 'other'],
    ['authorize', 'redirect_uri', 'https://evil.example/cb'],
    ['authorize', 'state', 'fixed'],
    ['authorize', 'code_challenge_method', 'plain'],
    ['token', 'grant_type', 'password'],
    ['token', 'code_verifier', 'x'],
    ['token', 'client_secret', 'x'],
    ['token', 'Client_Assertion', 'x'],
    ['refresh', 'refresh_token', 'x'],
    ['revoke', 'token', 'x'],
    ['revoke', 'token_type_hint', 'refresh_token'],
    ['device', 'client_id', 'x'],
  ])('refuses extra.%s.%s = "%s", naming the key and the request kind', async (kind, key, value) => {
    const error = await refusal(`${authCode}[extra.${kind}]\n${key} = "${value}"\n`);
    expect(error.code).toBe('ERR_INPUT_FIELD');
    expect(error.location?.field).toBe('extra');
    expect(error.message).toContain(`extra.${kind}.${key} cannot be set`);
    expect(error.message).toContain(key.toLowerCase());
  });

  it('refuses an extra scope where the account has scopes, and allows it where it has none (and on refresh)', async () => {
    const scoped = await refusal(`${authCode}scopes = ["openid"]\n[extra.authorize]\nscope = "admin"\n`);
    expect(scoped.message).toContain('extra.authorize.scope cannot be set');
    expect(scoped.message).toContain('change scopes instead');
    const [unscoped] = await importCredentials({ text: `${authCode}[extra.authorize]\nscope = "admin"\n` });
    expect(unscoped?.extra.authorize).toEqual({ scope: 'admin' });
    const [refresh] = await importCredentials({ text: `${authCode}scopes = ["openid"]\n[extra.refresh]\nscope = "openid"\n` });
    expect(refresh?.extra.refresh).toEqual({ scope: 'openid' });
  });

  it('keeps ordinary extras', async () => {
    const [account] = await importCredentials({ text: `${authCode}[extra.authorize]\nprompt = "consent"\n[extra.token]\naudience = "https://api.example"\n` });
    expect(account?.extra).toEqual({ authorize: { prompt: 'consent' }, token: { audience: 'https://api.example' } });
  });
});

describe('a jwt_bearer token_url must be on the issuer\'s server (item 13)', () => {
  it('refuses another origin at import, naming both', async () => {
    const file = join(dir, 'jwt-key.json');
    await writeFile(file, keyJson());
    const text = `grant = "jwt_bearer"\nissuer = "https://so.yio.at"\ntoken_url = "https://attacker.example/oauth/v2/token"\nkey_file = "jwt-key.json"\n`;
    const error = await refusal(text, { baseDir: dir });
    expect(error.location?.field).toBe('token_url');
    expect(error.message).toContain('https://attacker.example');
    expect(error.message).toContain('https://so.yio.at');
  });
});

describe('one loopback rule for import and transport (item 17)', () => {
  it('accepts exactly what the transport accepts', () => {
    const hosts = ['127.0.0.1', '127.0.0.2', '127.255.255.254', 'localhost', '[::1]', '[0:0:0:0:0:0:0:1]', '127.1', '10.0.0.1', '128.0.0.1', '[::ffff:127.0.0.1]', '127.0.0.1.example.com', 'localhost.example.com'];
    for (const host of hosts) {
      const url = `http://${host}:8080/token`;
      const transport = (() => {
        try {
          assertSecureEndpoint(url, 'token endpoint');
          return true;
        } catch {
          return false;
        }
      })();
      expect(isLoopbackHost(new URL(url).hostname), host).toBe(transport);
    }
    expect(isLoopbackHost('127.0.0.2')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('127.999.0.1')).toBe(false);
  });

  it('imports http://127.0.0.2 and the transport lets a request go there', async () => {
    const [account] = await importCredentials({ text: 'token_url = "http://127.0.0.2:8080/token"\nclient_id = "c"\nclient_secret = "s"\n' });
    expect(account?.tokenUrl).toBe('http://127.0.0.2:8080/token');
    expect(() => assertSecureEndpoint(account!.tokenUrl!, 'token endpoint')).not.toThrow();
  });
});
