/**
 * Edit over the IPC handler table and the REAL core (issue 13 items 1, 7
 * and 9): changing the provider and the client authentication, editing the
 * request budget, the per-grant facts an error carries for its advice, and
 * the one-click fix of a missing trailing slash, against the seed fixture
 * server on 127.0.0.1.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiHandlers } from '../../../main/core/api.js';
import { AppSession } from '../../../main/core/app-session.js';
import { createClipboardGuard } from '../../../main/core/clipboard-guard.js';
import type { CorePorts } from '../../../main/core/ports.js';
import type { AccountSettings } from '../../../shared/account.js';
import type { IpcHandlers } from '../../../shared/ipc.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';

let provider: ProviderServer;
let dataDir: string;
let session: AppSession;
let api: IpcHandlers;
let clipboard: string;
const PASSPHRASE = 'edit test passphrase';

const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: { now: () => Date.now() }, randomBytes: (n) => new Uint8Array(randomBytes(n)) };

beforeAll(async () => {
  provider = await startProviderServer();
});
afterAll(async () => provider.close());
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tokendesk-edit-'));
  session = new AppSession({ dataDir, ports });
  clipboard = '';
  const guard = createClipboardGuard({ clipboard: { readText: () => clipboard, writeText: (t) => void (clipboard = t) }, now: () => Date.now() });
  api = createApiHandlers({ session, clipboard: guard, ports, emit: () => undefined, openExternal: async () => undefined });
  expect((await api['app:create']({ passphrase: PASSPHRASE })).ok).toBe(true);
});
afterEach(async () => {
  session.lock();
  await rm(dataDir, { recursive: true, force: true });
});

async function value<T>(result: Promise<{ ok: true; value: T } | { ok: false; error: unknown }>): Promise<T> {
  const settled = await result;
  if (!settled.ok) throw new Error(`expected ok, got ${JSON.stringify(settled.error)}`);
  return settled.value;
}

/** The myfiber text as the vendor's document names the fields, no preset: imported as Custom. */
async function importPlainMyfiber(name = 'fiber'): Promise<void> {
  const text = [
    `name = "${name}"`,
    `client_id = "${provider.clients.myfiber.clientId}"`,
    `client_secret = "${provider.clients.myfiber.clientSecret}"`,
    `url_to_authentication_service = "${provider.url}/myfiber/oauth/v2/token"`,
    'scopes = ["openid", "profile"]',
  ].join('\n');
  await value(api['accounts:import']({ text }));
}

describe('Edit: provider and client authentication', () => {
  it('changes a Custom account to myfiber: its defaults apply, id, secret and scopes stay, and Copy sends the secret in the body once', async () => {
    await importPlainMyfiber();
    const before = await value(api['accounts:get']({ name: 'fiber' }));
    expect(before).toMatchObject({ clientAuth: 'basic', clientAuthAuto: true });
    expect(before.preset).toBeUndefined();

    const { dropped } = await value(api['accounts:update']({ name: 'fiber', patch: { preset: 'myfiber' } }));
    expect(dropped).toEqual([]);
    const after = await value(api['accounts:get']({ name: 'fiber' }));
    expect(after).toMatchObject({
      preset: 'myfiber',
      clientAuth: 'body',
      tokenUrl: `${provider.url}/myfiber/oauth/v2/token`,
      issuer: `${provider.url}/myfiber`,
      defaultTokenLifetimeSeconds: 300,
      requestBudget: { maxRequests: 30, windowSeconds: 3600 },
      clientId: provider.clients.myfiber.clientId,
      scopes: ['openid', 'profile'],
      hasClientSecret: true,
    });
    expect(after).not.toHaveProperty('clientAuthAuto');

    const sentBefore = provider.requestsTo('/myfiber/oauth/v2/token').length;
    await value(api['tokens:copy']({ name: 'fiber', what: 'token' }));
    expect(clipboard).toMatch(/^ey/);
    const sent = provider.requestsTo('/myfiber/oauth/v2/token').slice(sentBefore);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.authorization).toBeUndefined();
    expect(sent[0]!.form.client_secret).toBe(provider.clients.myfiber.clientSecret);
  });

  it('takes the client authentication chosen in the same edit over the preset’s, and Custom keeps everything but the provider', async () => {
    await importPlainMyfiber();
    await value(api['accounts:update']({ name: 'fiber', patch: { preset: 'myfiber', clientAuth: 'basic_raw' } }));
    expect(await value(api['accounts:get']({ name: 'fiber' }))).toMatchObject({ preset: 'myfiber', clientAuth: 'basic_raw' });

    await value(api['accounts:update']({ name: 'fiber', patch: { preset: '' } }));
    const custom = await value(api['accounts:get']({ name: 'fiber' }));
    expect(custom.preset).toBeUndefined();
    expect(custom).toMatchObject({ clientAuth: 'basic_raw', requestBudget: { maxRequests: 30, windowSeconds: 3600 }, hasClientSecret: true });
  });

  it('choosing the client authentication ends the automatic fallback', async () => {
    await importPlainMyfiber();
    await value(api['accounts:update']({ name: 'fiber', patch: { clientAuth: 'body' } }));
    const after = await value(api['accounts:get']({ name: 'fiber' }));
    expect(after.clientAuth).toBe('body');
    expect(after).not.toHaveProperty('clientAuthAuto');
  });

  it('refuses a provider that does not offer the account’s sign-in method, and changes nothing', async () => {
    await importPlainMyfiber();
    const refused = await api['accounts:update']({ name: 'fiber', patch: { preset: 'vyopta' } });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'input', code: 'ERR_INPUT_FIELD' } });
    expect(!refused.ok && refused.error.message).toMatch(/Vyopta accounts sign in with password/);
    expect((await value(api['accounts:get']({ name: 'fiber' }))).preset).toBeUndefined();
  });

  it('lets the secret-exposure rule decide: a provider on another host drops the stored secret unless it is pasted again', async () => {
    // A Custom password account on a path that is not Myfox's: the preset's documented host applies.
    await session.accounts().importAccounts([
      {
        name: 'fox',
        grant: 'password',
        tokenUrl: `${provider.url}/myfox/token-elsewhere`,
        clientId: 'fox-client',
        clientSecret: 'fox-secret-value-0001',
        clientAuth: 'basic',
        username: 'someone',
        password: 'fox-password-0001',
        scopes: [],
        scopeSeparator: ' ',
        extra: {},
      } satisfies AccountSettings,
    ]);
    const refused = await api['accounts:update']({ name: 'fox', patch: { preset: 'myfox' } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ERR_INPUT_MISSING' } });
    expect(!refused.ok && refused.error.message).toMatch(/Changing the token address to https:\/\/api\.myfox\.me removes the stored client secret and the stored password/);
    expect((await value(api['accounts:get']({ name: 'fox' }))).tokenUrl).toBe(`${provider.url}/myfox/token-elsewhere`);

    const { dropped } = await value(api['accounts:update']({ name: 'fox', patch: { preset: 'myfox', clientSecret: 'pasted-again-0001', password: 'pasted-again-0002' } }));
    expect(dropped).toEqual([]);
    expect(await value(api['accounts:get']({ name: 'fox' }))).toMatchObject({ preset: 'myfox', tokenUrl: 'https://api.myfox.me/oauth2/token', requestBudget: { maxRequests: 20, windowSeconds: 86_400 } });
  });
});

describe('Edit: request budget', () => {
  it('sets, shows and removes a budget', async () => {
    await importPlainMyfiber();
    await value(api['accounts:update']({ name: 'fiber', patch: { requestBudget: { maxRequests: 20, windowSeconds: 86_400 } } }));
    expect((await value(api['accounts:get']({ name: 'fiber' }))).requestBudget).toEqual({ maxRequests: 20, windowSeconds: 86_400 });
    await value(api['tokens:copy']({ name: 'fiber', what: 'token' }));
    expect((await value(api['accounts:history']({ name: 'fiber' }))).budget).toMatchObject({ maxRequests: 20, windowSeconds: 86_400, used: 2 });

    await value(api['accounts:update']({ name: 'fiber', patch: { requestBudget: null } }));
    expect(await value(api['accounts:get']({ name: 'fiber' }))).not.toHaveProperty('requestBudget');
    expect(await value(api['accounts:history']({ name: 'fiber' }))).not.toHaveProperty('budget');
  });

  it('refuses a budget that is no budget, naming it', async () => {
    await importPlainMyfiber();
    expect(await api['accounts:update']({ name: 'fiber', patch: { requestBudget: { maxRequests: 0, windowSeconds: 3600 } } })).toMatchObject({ ok: false, error: { kind: 'input' } });
    const tooMany = await api['accounts:update']({ name: 'fiber', patch: { requestBudget: { maxRequests: 10_000_000, windowSeconds: 3600 } } });
    expect(!tooMany.ok && tooMany.error.message).toMatch(/max_requests must be at most/);
  });
});

describe('errors that say what to do', () => {
  it('a refused key file names the jwt_bearer grant, a refused password the password grant', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await session.accounts().importAccounts([
      {
        name: 'key',
        grant: 'jwt_bearer',
        tokenUrl: `${provider.url}/myfiber/oauth/v2/token`,
        issuer: provider.myfiberIssuer,
        clientAuth: 'none',
        // Never registered at the server: as a revoked key is.
        key: { type: 'serviceaccount', keyId: 'revoked-key-1', key: pem, userId: 'user-1' },
        scopes: [],
        scopeSeparator: ' ',
        extra: {},
      },
      {
        name: 'ins',
        grant: 'password',
        tokenUrl: `${provider.url}/insiders/oauth2/token/`,
        clientId: provider.clients.insiders.clientId,
        clientSecret: provider.clients.insiders.clientSecret!,
        clientAuth: 'basic',
        username: provider.users.insiders.username,
        password: 'not-the-password',
        scopes: [],
        scopeSeparator: ' ',
        extra: {},
      },
    ]);
    expect(await api['tokens:refresh']({ name: 'key' })).toMatchObject({ ok: false, error: { kind: 'auth_server', serverError: 'invalid_grant', grant: 'jwt_bearer' } });
    expect(await api['tokens:refresh']({ name: 'ins' })).toMatchObject({ ok: false, error: { kind: 'auth_server', serverError: 'invalid_grant', grant: 'password' } });
  });

  it('a token URL without the trailing slash its server redirects to carries the fix, and applying it works', async () => {
    const tokenUrl = `${provider.url}/insiders/oauth2/token`;
    await session.accounts().importAccounts([
      {
        name: 'insiders noslash',
        grant: 'password',
        tokenUrl,
        clientId: provider.clients.insiders.clientId,
        clientSecret: provider.clients.insiders.clientSecret!,
        clientAuth: 'basic',
        ...provider.users.insiders,
        scopes: ['all'],
        scopeSeparator: ' ',
        extra: {},
      },
    ]);
    const failed = await api['tokens:refresh']({ name: 'insiders noslash' });
    expect(failed).toMatchObject({ ok: false, error: { kind: 'transport', code: 'ERR_REDIRECT', fix: { field: 'tokenUrl', value: `${tokenUrl}/` } } });
    expect(!failed.ok && failed.error.message).toContain(`Use ${tokenUrl}/ instead.`);
    if (failed.ok || !failed.error.fix) return;

    const { dropped } = await value(api['accounts:update']({ name: 'insiders noslash', patch: { [failed.error.fix.field]: failed.error.fix.value } }));
    expect(dropped).toEqual([]);
    await value(api['tokens:refresh']({ name: 'insiders noslash' }));
    expect((await value(api['accounts:get']({ name: 'insiders noslash' }))).tokenUrl).toBe(`${tokenUrl}/`);
  });

  it('offers no fix for a redirect elsewhere', async () => {
    await session.accounts().importAccounts([
      {
        name: 'moved',
        grant: 'client_credentials',
        tokenUrl: `${provider.url}/hostile/redirect`,
        clientId: 'id',
        clientSecret: 'secret-value-0001',
        clientAuth: 'body',
        scopes: [],
        scopeSeparator: ' ',
        extra: {},
      },
    ]);
    const failed = await api['tokens:refresh']({ name: 'moved' });
    expect(failed).toMatchObject({ ok: false, error: { code: 'ERR_REDIRECT' } });
    expect(!failed.ok && failed.error).not.toHaveProperty('fix');
  });
});
