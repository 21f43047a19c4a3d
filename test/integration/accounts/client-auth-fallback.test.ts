/**
 * Client authentication nobody chose (issue 13 item 1): the myfiber text as
 * its document describes it (`client_id`, `client_secret`,
 * `url_to_authentication_service`, `scopes`, no preset, no client_auth)
 * imports with TokenDesk's guess, `basic`. The seed fixture's myfiber route
 * reads the secret only from the form, as the seed's curl sends it:
 *   curl 'https://so.yio.at/oauth/v2/token' ... --data-urlencode 'client_id='$CLIENT_ID --data-urlencode 'client_secret='$CLIENT_SECRET
 * so the refused guess must be followed by one attempt with the secret in the
 * body, and the account must remember what worked.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import { AppSession } from '../../../main/core/app-session.js';
import { importCredentials } from '../../../main/core/import/index.js';
import type { CorePorts } from '../../../main/core/ports.js';
import { startProviderServer, type ProviderServer, type RecordedRequest } from '../../fixtures/provider-server.js';

const PASSPHRASE = 'client auth fallback test passphrase';
let server: ProviderServer;
let dir: string;
let session: AppSession;

const ports = (): CorePorts => ({
  fetch: (input, init) => fetch(input, init),
  clock: { now: () => Date.now() },
  randomBytes: (length) => new Uint8Array(randomBytes(length)),
});

beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => server?.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-client-auth-'));
  session = new AppSession({ dataDir: dir, ports: ports() });
  await session.create({ passphrase: PASSPHRASE });
});
afterEach(async () => {
  session.lock();
  await rm(dir, { recursive: true, force: true });
});

/** The myfiber credentials as its single-use link shows them: the four names the document uses, nothing else. */
function myfiberText(secret = server.clients.myfiber.clientSecret!): string {
  return [
    `client_id = "${server.clients.myfiber.clientId}"`,
    `client_secret = "${secret}"`,
    `url_to_authentication_service = "${server.url}/myfiber/oauth/v2/token"`,
    'scopes = ["openid", "profile"]',
    '',
  ].join('\n');
}

async function importText(text: string): Promise<AccountSettings> {
  const [account] = await importCredentials({ text, fileName: 'myfiber.toml' });
  return { ...account!, name: 'myfiber plain' };
}

/** How the client authenticated in one recorded request. */
function authIn(request: RecordedRequest): { header: boolean; bodySecret: boolean } {
  return { header: (request.headers.authorization ?? '').startsWith('Basic '), bodySecret: request.form.client_secret !== undefined };
}

describe('client authentication nobody chose', () => {
  it('imports the myfiber text as a guess, tries the secret in the body after the refused Basic header, and remembers it', async () => {
    const settings = await importText(myfiberText());
    expect(settings).toMatchObject({ clientAuth: 'basic', clientAuthAuto: true });
    const accounts = session.accounts();
    await accounts.importAccounts([settings]);

    const before = server.requestsTo('/myfiber/oauth/v2/token').length;
    const progress: string[] = [];
    const token = await accounts.getToken('myfiber plain', { onProgress: (line) => progress.push(line) });
    expect(token.accessToken).toBeTruthy();
    const sent = server.requestsTo('/myfiber/oauth/v2/token').slice(before);
    // Refused as Basic, accepted with the secret in the form: exactly two requests.
    expect(sent.map(authIn)).toEqual([
      { header: true, bodySecret: false },
      { header: false, bodySecret: true },
    ]);
    expect(sent[1]!.form).toMatchObject({ grant_type: 'client_credentials', client_id: server.clients.myfiber.clientId, client_secret: server.clients.myfiber.clientSecret });
    expect(progress.join('\n')).toMatch(/did not accept the client ID and secret in the Authorization header, but did accept them in the request itself/);

    const stored = await accounts.getSettings('myfiber plain');
    expect(stored.clientAuth).toBe('body');
    expect(stored).not.toHaveProperty('clientAuthAuto');

    // The second token request sends only what worked.
    await accounts.getToken('myfiber plain', { force: true });
    const next = server.requestsTo('/myfiber/oauth/v2/token').slice(before + 2);
    expect(next.map(authIn)).toEqual([{ header: false, bodySecret: true }]);
  });

  it('tries body, then the raw Basic variant, counting each attempt against the budget, and remembers basic_raw', async () => {
    const special = { clientId: 'id+with space', clientSecret: 's3cret:with%chars+' };
    server.setClient('insiders', special);
    server.setBehaviour({ insidersBasicDecoding: 'raw' });
    try {
      const accounts = session.accounts();
      await accounts.importAccounts([
        {
          name: 'ins',
          grant: 'password',
          tokenUrl: `${server.url}/insiders/oauth2/token/`,
          ...special,
          clientAuth: 'basic',
          clientAuthAuto: true,
          ...server.users.insiders,
          scopes: [],
          scopeSeparator: ' ',
          extra: {},
          requestBudget: { maxRequests: 10, windowSeconds: 3600 },
        },
      ]);
      const before = server.requestsTo('/insiders/oauth2/token/').length;
      const progress: string[] = [];
      await accounts.getToken('ins', { onProgress: (line) => progress.push(line) });
      const sent = server.requestsTo('/insiders/oauth2/token/').slice(before);
      const raw = `Basic ${Buffer.from(`${special.clientId}:${special.clientSecret}`).toString('base64')}`;
      expect(sent.map(authIn)).toEqual([
        { header: true, bodySecret: false },
        { header: false, bodySecret: true },
        { header: true, bodySecret: false },
      ]);
      expect(sent[0]!.headers.authorization).not.toBe(raw);
      expect(sent[2]!.headers.authorization).toBe(raw);
      expect(await accounts.budget('ins')).toMatchObject({ used: 3 });
      expect(progress.join('\n')).toMatch(/without form-encoding/);
      const stored = await accounts.getSettings('ins');
      expect(stored.clientAuth).toBe('basic_raw');
      expect(stored).not.toHaveProperty('clientAuthAuto');

      await accounts.getToken('ins', { force: true });
      const next = server.requestsTo('/insiders/oauth2/token/').slice(before + 3);
      expect(next.map((request) => request.headers.authorization)).toEqual([raw]);
    } finally {
      server.setClient('insiders', { clientId: 'abc123def456', clientSecret: '789ghi123klm' });
      server.setBehaviour({ insidersBasicDecoding: 'rfc' });
    }
  });

  it('speaks of wrong credentials only after every way was refused, and learns nothing', async () => {
    const accounts = session.accounts();
    await accounts.importAccounts([await importText(myfiberText('not-the-secret-0002'))]);
    const before = server.requestsTo('/myfiber/oauth/v2/token').length;
    const failure = accounts.getToken('myfiber plain');
    await expect(failure).rejects.toMatchObject({ code: 'ERR_AUTH_SERVER', error: 'invalid_client' });
    await expect(failure).rejects.toThrow(/also sent the client ID and secret in the request itself, and the server refused each: the client ID or secret is not what the server expects/);
    expect(server.requestsTo('/myfiber/oauth/v2/token').length - before).toBe(2);
    expect(await accounts.getSettings('myfiber plain')).toMatchObject({ clientAuth: 'basic', clientAuthAuto: true });
  });

  it('keeps the old behaviour for a chosen Basic: no body attempt', async () => {
    const accounts = session.accounts();
    const chosen = await importText(`${myfiberText()}client_auth = "basic"\n`);
    expect(chosen).not.toHaveProperty('clientAuthAuto');
    await accounts.importAccounts([chosen]);
    const before = server.requestsTo('/myfiber/oauth/v2/token').length;
    await expect(accounts.getToken('myfiber plain')).rejects.toMatchObject({ error: 'invalid_client' });
    expect(server.requestsTo('/myfiber/oauth/v2/token').slice(before).map(authIn)).toEqual([{ header: true, bodySecret: false }]);
  });
});
