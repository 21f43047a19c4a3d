/**
 * SPEC 3: "No network request runs while the cross-process vault lock is
 * held." A stalled vendor on one account must not block another account, the
 * app or another process; a second process asking for the SAME account still
 * waits for the first one's request and reuses its token (single flight).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import { AppSession } from '../../../main/core/app-session.js';
import type { CorePorts } from '../../../main/core/ports.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { holdLock } from '../../helpers/hold-lock.js';
import { runCli } from '../../helpers/run-cli.js';

const PASSPHRASE = 'no network under the lock 4 tests';
let server: ProviderServer;
let root: string;

const realPorts: CorePorts = { fetch: (input, init) => fetch(input, init), clock: { now: () => Date.now() }, randomBytes: (n) => new Uint8Array(randomBytes(n)) };

function myfiber(name: string): AccountSettings {
  const { clientId, clientSecret } = server.clients.myfiber;
  return { name, grant: 'client_credentials', tokenUrl: `${server.url}/myfiber/oauth/v2/token`, clientId, clientSecret: clientSecret!, clientAuth: 'body', scopes: [], scopeSeparator: ' ', extra: {} };
}

beforeAll(async () => {
  server = await startProviderServer();
  root = await mkdtemp(join(tmpdir(), 'tokendesk-nolock-'));
});
afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

async function until(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('no network request under the vault lock', () => {
  it('while one account waits for its server, another instance can save to the vault at once', async () => {
    const dir = await mkdtemp(join(root, 'inproc-'));
    // The real fixture server answers, but only once the test lets the response through.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let waiting = false;
    const gatedPorts: CorePorts = {
      ...realPorts,
      fetch: async (input, init) => {
        waiting = true;
        await gate;
        return fetch(input, init);
      },
    };
    const app = new AppSession({ dataDir: dir, ports: gatedPorts });
    await app.create({ passphrase: PASSPHRASE });
    await app.accounts().importAccounts([myfiber('slow vendor')]);
    const pending = app.accounts().getToken('slow vendor');
    await until(() => waiting, 'the token request to start');

    const other = new AppSession({ dataDir: dir, ports: realPorts });
    await other.unlock(PASSPHRASE);
    const started = Date.now();
    await other.accounts().importAccounts([myfiber('added meanwhile')]);
    // The vault lock waits 10 s or more before giving up; a save that had to wait for the request would take that long.
    expect(Date.now() - started).toBeLessThan(5_000);
    release();
    const token = await pending;
    // The merge after the request kept the account the other instance added.
    await app.accounts().reload();
    expect((await app.accounts().list()).map((account) => account.name).sort()).toEqual(['added meanwhile', 'slow vendor']);
    expect((await app.accounts().cachedToken('slow vendor'))?.accessToken).toBe(token.accessToken);
    other.lock();
    app.lock();
  });

  it('a Ctrl+C while the answer waits for the vault lock still saves it (a rotated refresh token is never dropped)', async () => {
    const dir = await mkdtemp(join(root, 'cancel-commit-'));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let waiting = false;
    const controller = new AbortController();
    const gatedPorts: CorePorts = { ...realPorts, fetch: async (input, init) => ((waiting = true), await gate, fetch(input, init)) };
    const app = new AppSession({ dataDir: dir, ports: gatedPorts, signal: controller.signal });
    await app.create({ passphrase: PASSPHRASE });
    await app.accounts().importAccounts([myfiber('answered')]);
    const pending = app.accounts().getToken('answered', { signal: controller.signal });
    await until(() => waiting, 'the token request to start');
    // Another process is in the middle of a save when the answer arrives, and the user presses Ctrl+C then.
    const lock = await holdLock(join(dir, 'vault.json.lock'));
    release();
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await lock.release();
    const token = await pending;
    const other = new AppSession({ dataDir: dir, ports: realPorts });
    await other.unlock(PASSPHRASE);
    expect((await other.accounts().cachedToken('answered'))?.accessToken).toBe(token.accessToken);
    other.lock();
    app.lock();
  });

  it('`tokendesk token B` returns while account A\'s server stalls in another process', async () => {
    const dir = await mkdtemp(join(root, 'cli-'));
    const file = join(dir, 'accounts.toml');
    await writeFile(
      file,
      [
        '[accounts.stalled]',
        'grant = "client_credentials"',
        `token_url = "${server.url}/hostile/stall"`,
        'client_id = "stalled-client"',
        'client_secret = "stalled-secret-value"',
        '',
        '[accounts.healthy]',
        'grant = "client_credentials"',
        `token_url = "${server.url}/myfiber/oauth/v2/token"`,
        `client_id = "${server.clients.myfiber.clientId}"`,
        `client_secret = "${server.clients.myfiber.clientSecret}"`,
        'client_auth = "body"',
        '',
      ].join('\n'),
    );
    const env = { TOKENDESK_PASSPHRASE: PASSPHRASE, TOKENDESK_TIMEOUT_MS: '20000' };
    expect((await runCli(['import', file, '--vault', dir], { env })).code).toBe(0);

    const stallsBefore = server.requestsTo('/hostile/stall').length;
    let stalledDone = false;
    const stalled = runCli(['token', 'stalled', '--vault', dir], { env, timeoutMs: 60_000 }).finally(() => (stalledDone = true));
    await until(() => server.requestsTo('/hostile/stall').length > stallsBefore, 'the stalled request to reach the server');

    const healthy = await runCli(['token', 'healthy', '--vault', dir], { env, timeoutMs: 60_000 });
    expect(healthy.code, healthy.stderr).toBe(0);
    expect(healthy.stdout.trim()).not.toBe('');
    // The stalled process still waits for its server: B did not wait for A's lock.
    expect(stalledDone).toBe(false);

    const result = await stalled;
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('did not answer within 20 s');
  }, 90_000);
});
