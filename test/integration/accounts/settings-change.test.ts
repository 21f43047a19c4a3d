/**
 * SPEC 3: a settings change can never send a stored secret to a new host.
 * Changing the origin of any endpoint, or moving the secret to a more
 * exposed place (client_auth = "query"), drops the stored secrets and tokens
 * unless the same change supplies them again. A second fixture server plays
 * the capture server of someone who got hold of the settings form.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import { AppSession } from '../../../main/core/app-session.js';
import type { CorePorts } from '../../../main/core/ports.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { secretsIn, type Secret } from '../security/secret-scan.js';

const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: { now: () => Date.now() }, randomBytes: (n) => new Uint8Array(randomBytes(n)) };
let vendor: ProviderServer;
let capture: ProviderServer;
let dir: string;
let session: AppSession;
let stored: Secret[];
let captureStart: number;

function myfox(): AccountSettings {
  return {
    name: 'fox',
    grant: 'password',
    tokenUrl: `${vendor.url}/myfox/oauth2/token`,
    revokeUrl: `${vendor.url}/myfox/oauth2/revoke`,
    clientId: vendor.clients.myfox.clientId,
    clientSecret: vendor.clients.myfox.clientSecret!,
    clientAuth: 'basic',
    ...vendor.users.myfox,
    scopes: [],
    scopeSeparator: ' ',
    extra: {},
  };
}

/** What the capture server saw, every request flattened into one text (headers, query, body). */
function captured(): string {
  return JSON.stringify(capturedRequests());
}
function capturedRequests(): ProviderServer['requests'] {
  return capture.requests.slice(captureStart);
}

beforeAll(async () => {
  vendor = await startProviderServer();
  capture = await startProviderServer();
});
afterAll(async () => {
  await vendor?.close();
  await capture?.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-settings-change-'));
  session = new AppSession({ dataDir: dir, ports });
  await session.create({ passphrase: 'settings change test passphrase' });
  await session.accounts().importAccounts([myfox()]);
  const tokens = await session.accounts().getToken('fox');
  captureStart = capture.requests.length;
  stored = [
    { label: 'client secret', value: vendor.clients.myfox.clientSecret! },
    { label: 'password', value: vendor.users.myfox.password },
    { label: 'access token', value: tokens.accessToken },
    { label: 'refresh token', value: tokens.refreshToken! },
  ];
});
afterEach(async () => {
  session.lock();
  await rm(dir, { recursive: true, force: true });
});

describe('a settings change that would send stored secrets somewhere new', () => {
  it('refuses a token address on another host until the secrets are pasted again; nothing reaches that host', async () => {
    const accounts = session.accounts();
    const elsewhere = `${capture.url}/myfox/oauth2/token`;
    const refused = accounts.updateAccount('fox', { tokenUrl: elsewhere });
    await expect(refused).rejects.toMatchObject({ code: 'ERR_INPUT_MISSING' });
    await expect(refused).rejects.toThrow(
      `Changing the token address to ${capture.url} removes the stored client secret, the stored password and the saved tokens: paste them again.`,
    );
    // Nothing changed: the account still works where it was, from its cache.
    expect((await accounts.getSettings('fox')).tokenUrl).toBe(myfox().tokenUrl);
    expect(await accounts.cachedToken('fox')).toBeDefined();
    await accounts.getToken('fox', { force: true });
    expect(capturedRequests()).toHaveLength(0);
  });

  it('with the secrets supplied again, the new host gets only those, never the stored ones or the tokens', async () => {
    const accounts = session.accounts();
    const fresh = { clientSecret: 'secret-for-the-new-host-1', password: 'password-for-the-new-host-2' };
    const { dropped } = await accounts.updateAccount('fox', { tokenUrl: `${capture.url}/myfox/oauth2/token`, ...fresh });
    expect(dropped).toEqual(['tokens']);
    expect(await accounts.cachedToken('fox')).toBeUndefined();
    await expect(accounts.getToken('fox')).rejects.toMatchObject({ kind: 'auth_server' });
    expect(capturedRequests().length).toBeGreaterThan(0);
    expect(secretsIn(captured(), stored)).toEqual([]);
    expect(captured()).toContain(Buffer.from(`${vendor.clients.myfox.clientId}:${fresh.clientSecret}`).toString('base64'));
  });

  it('a new revocation address on another host drops the tokens and secrets too (revocation sends both)', async () => {
    const accounts = session.accounts();
    await expect(accounts.updateAccount('fox', { revokeUrl: `${capture.url}/revoke` })).rejects.toMatchObject({ code: 'ERR_INPUT_MISSING' });
    const { dropped } = await accounts.updateAccount('fox', {
      revokeUrl: `${capture.url}/revoke`,
      clientSecret: 'another-secret-3',
      password: 'another-password-4',
    });
    expect(dropped).toEqual(['tokens']);
    // Nothing left to revoke, so nothing is sent.
    await expect(accounts.revoke('fox')).resolves.toEqual({ revokedAtServer: false });
    expect(capturedRequests()).toHaveLength(0);
  });

  it('moving the credentials into the address (client_auth = "query") drops them unless given again', async () => {
    const accounts = session.accounts();
    await expect(accounts.updateAccount('fox', { clientAuth: 'query' })).rejects.toThrow(
      'Sending the credentials in the address (query) removes the stored client secret, the stored password and the saved tokens: paste them again.',
    );
    const before = vendor.requests.length;
    await expect(accounts.getToken('fox')).resolves.toBeDefined();
    expect(vendor.requests.length).toBe(before); // still the cached token: nothing went out as a query
    expect((await accounts.getSettings('fox')).clientAuth).toBe('basic');
  });

  it('keeps everything for a change on the same host (the Insiders trailing slash)', async () => {
    const accounts = session.accounts();
    const { dropped } = await accounts.updateAccount('fox', { tokenUrl: `${vendor.url}/myfox/oauth2/token/`, clientAuth: 'body' });
    expect(dropped).toEqual([]);
    expect(await accounts.getSettings('fox')).toMatchObject({ hasClientSecret: true, hasPassword: true, clientAuth: 'body' });
  });
});
