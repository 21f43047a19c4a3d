/**
 * The account service over a real vault and the seed-provider fixture server:
 * cache reuse, single flight, refresh rotation persisted before return,
 * Vyopta-style re-authentication, the request budget and the history.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import { AppSession } from '../../../main/core/app-session.js';
import { importCredentials } from '../../../main/core/import/index.js';
import type { VaultDocument } from '../../../main/core/accounts/document.js';
import { createPassphraseSlot, Vault } from '../../../main/core/vault/index.js';
import type { CorePorts } from '../../../main/core/ports.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';

const PASSPHRASE = 'account service test passphrase';
let server: ProviderServer;
let dir: string;
let now: number;
let session: AppSession;

const ports = (): CorePorts => ({
  fetch: (input, init) => fetch(input, init),
  clock: { now: () => now },
  randomBytes: (length) => new Uint8Array(randomBytes(length)),
});

function account(name: string, provider: 'insiders' | 'vyopta' | 'myfox' | 'myfiber', extra: Partial<AccountSettings> = {}): AccountSettings {
  const base = { name, scopes: [] as string[], scopeSeparator: ' ', extra: {} };
  switch (provider) {
    case 'myfiber':
      return { ...base, grant: 'client_credentials', tokenUrl: `${server.url}/myfiber/oauth/v2/token`, clientId: server.clients.myfiber.clientId, clientSecret: server.clients.myfiber.clientSecret!, clientAuth: 'body', ...extra };
    case 'vyopta':
      return { ...base, grant: 'password', tokenUrl: `${server.url}/vyopta/auth/realms/vyopta/protocol/openid-connect/token`, clientId: 'vyopta', clientAuth: 'none', ...server.users.vyopta, ...extra };
    case 'insiders':
      return { ...base, grant: 'password', tokenUrl: `${server.url}/insiders/oauth2/token/`, clientId: server.clients.insiders.clientId, clientSecret: server.clients.insiders.clientSecret!, clientAuth: 'basic', ...server.users.insiders, ...extra };
    case 'myfox':
      return { ...base, grant: 'password', tokenUrl: `${server.url}/myfox/oauth2/token`, clientId: server.clients.myfox.clientId, clientSecret: server.clients.myfox.clientSecret!, clientAuth: 'basic', ...server.users.myfox, ...extra };
  }
}

beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => server?.close());
beforeEach(async () => {
  now = Date.now();
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-accounts-'));
  session = new AppSession({ dataDir: dir, ports: ports() });
  await session.create({ passphrase: PASSPHRASE });
});
afterEach(async () => {
  session.lock();
  await rm(dir, { recursive: true, force: true });
});

describe('AccountService.getToken', () => {
  it('answers 1,000 concurrent calls for one account with exactly one token request', async () => {
    const accounts = session.accounts();
    await accounts.importAccounts([account('fiber', 'myfiber')]);
    const before = server.requestsTo('/myfiber/oauth/v2/token').length;
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => accounts.getToken('fiber')));
    expect(new Set(tokens.map((token) => token.accessToken)).size).toBe(1);
    expect(server.requestsTo('/myfiber/oauth/v2/token').length - before).toBe(1);
  });

  it('reuses the cached token while at least 30 s remain, then gets a new one', async () => {
    const accounts = session.accounts();
    await accounts.importAccounts([account('fiber', 'myfiber')]);
    const first = await accounts.getToken('fiber');
    now += 300_000 - 31_000;
    expect((await accounts.getToken('fiber')).accessToken).toBe(first.accessToken);
    now += 2_000;
    expect((await accounts.getToken('fiber')).accessToken).not.toBe(first.accessToken);
  });

  it('reuses a cached 300 s token for a minimum validity of 30 s and gets a new one for 400 s', async () => {
    const accounts = session.accounts();
    await accounts.importAccounts([account('fiber', 'myfiber')]);
    const first = await accounts.getToken('fiber');
    expect(first.expiresAt! - first.obtainedAt).toBe(300_000);
    const before = server.requestsTo('/myfiber/oauth/v2/token').length;
    expect((await accounts.getToken('fiber', { minValiditySeconds: 30 })).accessToken).toBe(first.accessToken);
    const longer = await accounts.getToken('fiber', { minValiditySeconds: 400 });
    expect(longer.accessToken).not.toBe(first.accessToken);
    expect(server.requestsTo('/myfiber/oauth/v2/token').length).toBe(before + 1);
    await expect(accounts.getToken('fiber', { minValiditySeconds: -1 })).rejects.toMatchObject({ code: 'ERR_INPUT_FIELD' });
  });

  it('applies a call\'s minimum validity to the token another process just saved, too', async () => {
    const accounts = session.accounts();
    await accounts.importAccounts([account('fiber', 'myfiber')]);
    // Two other processes that opened the vault before this one got its token: they learn of it only when they reload.
    const others = [new AppSession({ dataDir: dir, ports: ports() }), new AppSession({ dataDir: dir, ports: ports() })] as const;
    for (const other of others) await other.unlock(PASSPHRASE);
    try {
      const first = await accounts.getToken('fiber');
      const before = server.requestsTo('/myfiber/oauth/v2/token').length;
      expect((await others[0].accounts().getToken('fiber', { minValiditySeconds: 30 })).accessToken).toBe(first.accessToken);
      expect(server.requestsTo('/myfiber/oauth/v2/token').length).toBe(before);
      expect((await others[1].accounts().getToken('fiber', { minValiditySeconds: 400 })).accessToken).not.toBe(first.accessToken);
      expect(server.requestsTo('/myfiber/oauth/v2/token').length).toBe(before + 1);
    } finally {
      for (const other of others) other.lock();
    }
  });

  it('gives a call that joins a request under way a token valid for its own minimum', async () => {
    const accounts = session.accounts();
    await accounts.importAccounts([account('fiber', 'myfiber')]);
    const other = new AppSession({ dataDir: dir, ports: ports() });
    await other.unlock(PASSPHRASE);
    try {
      const first = await accounts.getToken('fiber');
      now += 250_000; // 50 s of it remain
      const before = server.requestsTo('/myfiber/oauth/v2/token').length;
      // The first call reloads and finds the other process's token good enough for 30 s; the second joins it.
      const [short, long] = await Promise.all([
        other.accounts().getToken('fiber'),
        other.accounts().getToken('fiber', { minValiditySeconds: 60 }),
      ]);
      expect(short.accessToken).toBe(first.accessToken);
      expect(long.accessToken).not.toBe(first.accessToken);
      expect(long.expiresAt! - now).toBeGreaterThanOrEqual(60_000);
      expect(server.requestsTo('/myfiber/oauth/v2/token').length).toBe(before + 1);
    } finally {
      other.lock();
    }
  });

  it('saves a rotated refresh token before returning the new access token', async () => {
    const accounts = session.accounts();
    await accounts.importAccounts([account('ins', 'insiders')]);
    const first = await accounts.getToken('ins');
    expect(first.refreshToken).toBeTruthy();
    now = first.expiresAt! + 1;
    const before = server.requestsTo('/insiders/oauth2/token/').length;
    const second = await accounts.getToken('ins');
    // Read the file from a second process's point of view, right after the return.
    const other = new AppSession({ dataDir: dir, ports: ports() });
    await other.unlock(PASSPHRASE);
    const onDisk = await other.accounts().cachedToken('ins');
    expect(server.requestsTo('/insiders/oauth2/token/').slice(before).map((request) => request.form.grant_type)).toEqual(['refresh_token']);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(onDisk?.refreshToken).toBe(second.refreshToken);
    expect(onDisk?.accessToken).toBe(second.accessToken);
  });

  it('re-authenticates with the stored password when a Vyopta token expires, never trying its refresh token', async () => {
    // The vyopta preset, imported as a user would: "Refreshing the session is not implemented."
    const [vyopta] = await importCredentials({
      text: `name = "vy"\npreset = "vyopta"\nbase_url = "${server.url}/vyopta"\nusername = "${server.users.vyopta.username}"\npassword = "${server.users.vyopta.password}"\n`,
    });
    const accounts = session.accounts();
    await accounts.importAccounts([vyopta!]);
    const first = await accounts.getToken('vy');
    expect(first.refreshToken).toBeTruthy(); // Keycloak sends one anyway
    now = first.expiresAt! - 10_000;
    const second = await accounts.getToken('vy');
    expect(second.accessToken).not.toBe(first.accessToken);
    const grants = server.requestsTo('/vyopta/').slice(-2).map((request) => request.form.grant_type);
    expect(grants).toEqual(['password', 'password']);
  });

  it('refreshes through the refresh token when a Myfox token expires, keeping the old refresh token', async () => {
    const accounts = session.accounts();
    await accounts.importAccounts([account('fox', 'myfox')]);
    const first = await accounts.getToken('fox');
    now = first.expiresAt! + 1;
    const second = await accounts.getToken('fox');
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(server.requestsTo('/myfox/oauth2/token').at(-1)!.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: first.refreshToken });
    expect(second.refreshToken).toBe(first.refreshToken);
    const history = await accounts.history('fox');
    expect(history.map((entry) => `${entry.request}:${entry.outcome}`)).toEqual(['password:ok', 'refresh_token:ok']);
  });

  it('warns near the request budget and refuses to exceed it, without sending the request', async () => {
    const accounts = session.accounts();
    await accounts.importAccounts([account('fox', 'myfox', { requestBudget: { maxRequests: 3, windowSeconds: 3600 } })]);
    const warnings: string[] = [];
    for (let index = 0; index < 3; index++) await accounts.getToken('fox', { force: true, onWarning: (message) => warnings.push(message) });
    expect(warnings.length).toBeGreaterThan(0);
    const before = server.requestsTo('/myfox/oauth2/token').length;
    await expect(accounts.getToken('fox', { force: true })).rejects.toMatchObject({ code: 'ERR_BUDGET_EXCEEDED' });
    expect(server.requestsTo('/myfox/oauth2/token').length).toBe(before);
    expect(await accounts.budget('fox')).toMatchObject({ used: 3, maxRequests: 3, warning: true });
    now += 3601_000;
    await expect(accounts.getToken('fox', { force: true })).resolves.toMatchObject({ tokenType: 'Bearer' });
  });

  it('counts every request that reaches the server in the budget: 429 retries and the basic_raw retry too', async () => {
    const accounts = session.accounts();
    const budget = { maxRequests: 10, windowSeconds: 3600 };
    await accounts.importAccounts([
      account('limited', 'myfiber', { tokenUrl: `${server.url}/hostile/429?times=2&after=0&case=budget`, clientAuth: 'body', requestBudget: budget }),
    ]);
    await accounts.getToken('limited');
    expect(server.hostile.rateLimitHits.get('/hostile/429?times=2&after=0&case=budget')).toBe(3);
    expect(await accounts.budget('limited')).toMatchObject({ used: 3 });

    const special = { clientId: 'id+with space', clientSecret: 's3cret:with%chars+' };
    server.setClient('insiders', special);
    server.setBehaviour({ insidersBasicDecoding: 'raw' });
    try {
      await accounts.importAccounts([account('raw', 'insiders', { ...special, requestBudget: budget })]);
      await accounts.getToken('raw');
      expect(await accounts.budget('raw')).toMatchObject({ used: 2 }); // refused as basic, accepted as basic_raw
    } finally {
      server.setClient('insiders', { clientId: 'abc123def456', clientSecret: '789ghi123klm' });
      server.setBehaviour({ insidersBasicDecoding: 'rfc' });
    }
  });

  it('lists every account even when one holds an expiry no date can show', async () => {
    const accounts = session.accounts();
    await accounts.importAccounts([account('fiber', 'myfiber'), account('other', 'myfiber')]);
    await accounts.getToken('fiber');
    // An older TokenDesk (or an edited file) stored an absurd expiry.
    const vault = await Vault.open<VaultDocument>({ dir }, [createPassphraseSlot(PASSPHRASE)]);
    await vault.update((doc) => {
      doc.accounts[0]!.tokens!.expiresAt = Number.MAX_SAFE_INTEGER;
      return { next: doc, result: undefined };
    });
    await vault.close();
    await accounts.reload();
    const rows = await accounts.list();
    expect(rows.map((row) => row.name)).toEqual(['fiber', 'other']);
    expect(rows[0]).not.toHaveProperty('expiresAt');
    expect(() => JSON.stringify(rows)).not.toThrow();
  });

  it('records failures in the history and list without any secret', async () => {
    const accounts = session.accounts();
    await accounts.importAccounts([account('bad', 'myfiber', { clientSecret: 'wrong-secret-value-1234' })]);
    await expect(accounts.getToken('bad')).rejects.toMatchObject({ kind: 'auth_server' });
    const history = await accounts.history('bad');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ outcome: 'error', request: 'client_credentials', errorCode: 'ERR_AUTH_SERVER' });
    const summary = (await accounts.list())[0]!;
    expect(summary.lastError?.code).toBe('ERR_AUTH_SERVER');
    expect(JSON.stringify({ history, summary, settings: await accounts.getSettings('bad') })).not.toContain('wrong-secret-value-1234');
  });
});

describe('AccountService discovery', () => {
  it('discovers the endpoints of an issuer-only account once, not before every request', async () => {
    const accounts = session.accounts();
    await accounts.importAccounts([account('fiber', 'myfiber', { tokenUrl: undefined, issuer: server.myfiberIssuer })]);
    const wellKnown = () => server.requests.filter((request) => request.path.includes('.well-known')).length;
    const before = wellKnown();
    await accounts.getToken('fiber');
    await accounts.getToken('fiber', { force: true });
    expect(wellKnown() - before).toBe(1);
    // A restart keeps what was discovered.
    session.lock();
    const reopened = new AppSession({ dataDir: dir, ports: ports() });
    await reopened.unlock(PASSPHRASE);
    await reopened.accounts().getToken('fiber', { force: true });
    expect(wellKnown() - before).toBe(1);
    // After a day the metadata is read again.
    now += 25 * 3600_000;
    await reopened.accounts().getToken('fiber', { force: true });
    expect(wellKnown() - before).toBe(2);
    reopened.lock();
  });
});

describe('AccountService client authentication', () => {
  it('remembers the one-time basic -> basic_raw fallback, so the next request needs one attempt', async () => {
    const special = { clientId: 'id+with space', clientSecret: 's3cret:with%chars+' };
    server.setClient('insiders', special);
    server.setBehaviour({ insidersBasicDecoding: 'raw' });
    try {
      const accounts = session.accounts();
      await accounts.importAccounts([account('ins', 'insiders', { clientId: special.clientId, clientSecret: special.clientSecret })]);
      const before = server.requestsTo('/insiders/oauth2/token/').length;
      await accounts.getToken('ins');
      expect(server.requestsTo('/insiders/oauth2/token/').length - before).toBe(2); // refused as basic, accepted as basic_raw
      expect((await accounts.getSettings('ins')).clientAuth).toBe('basic_raw');
      await accounts.getToken('ins', { force: true });
      expect(server.requestsTo('/insiders/oauth2/token/').length - before).toBe(3);
    } finally {
      server.setClient('insiders', { clientId: 'abc123def456', clientSecret: '789ghi123klm' });
      server.setBehaviour({ insidersBasicDecoding: 'rfc' });
    }
  });
});

describe('AccountService account management', () => {
  it('imports all or nothing, renames, edits without erasing secrets, and removes', async () => {
    const accounts = session.accounts();
    await accounts.importAccounts([account('a', 'myfiber')]);
    await expect(accounts.importAccounts([account('b', 'myfiber'), account('a', 'myfox')])).rejects.toMatchObject({ code: 'ERR_INPUT_DUPLICATE' });
    expect((await accounts.list()).map((entry) => entry.name)).toEqual(['a']);
    await accounts.renameAccount('a', 'renamed');
    await accounts.updateAccount('renamed', { clientSecret: '', scopes: ['openid'] });
    const settings = await accounts.getSettings('renamed');
    expect(settings).toMatchObject({ name: 'renamed', hasClientSecret: true, scopes: ['openid'] });
    expect(settings).not.toHaveProperty('clientSecret');
    await expect(accounts.getToken('renamed')).resolves.toMatchObject({ tokenType: 'Bearer' });
    await accounts.removeAccount('renamed');
    expect(await accounts.list()).toEqual([]);
  });

  it('keeps everything after a restart: accounts, tokens, history', async () => {
    const accounts = session.accounts();
    await accounts.importAccounts([account('fiber', 'myfiber')]);
    const token = await accounts.getToken('fiber');
    session.lock();
    const reopened = new AppSession({ dataDir: dir, ports: ports() });
    await reopened.unlock(PASSPHRASE);
    const before = server.requests.length;
    expect((await reopened.accounts().getToken('fiber')).accessToken).toBe(token.accessToken);
    expect(server.requests.length).toBe(before);
    expect(await reopened.accounts().history('fiber')).toHaveLength(1);
  });
});
