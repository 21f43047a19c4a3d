/**
 * Issue 13 item 1, "done when": the myfiber text from its document imports
 * and works against a server that accepts the secret only in the body.
 *
 * myfiber-zitadel-authentication.txt: "To obtain a valid token, you need:
 * client_id, client_secret, url_to_authentication_service, scopes", and its
 * curl example sends them as form fields:
 *   curl 'https://so.yio.at/oauth/v2/token' ... --data-urlencode 'client_id='$CLIENT_ID
 *   --data-urlencode 'client_secret='$CLIENT_SECRET
 * The fixture server's /myfiber route (test/fixtures/provider-server.ts)
 * reads client_id and client_secret from the form only: Basic is refused with
 * invalid_client, which the first test checks before relying on it.
 *
 * The text carries myfiber's real address; test/fixtures/seed-hosts.ts
 * resolves so.yio.at to the fixture server, as DNS would to myfiber's.
 * Through the IPC handler table, as the window uses it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandlers } from '../../../main/core/api.js';
import { AppSession } from '../../../main/core/app-session.js';
import { createClipboardGuard } from '../../../main/core/clipboard-guard.js';
import type { CorePorts } from '../../../main/core/ports.js';
import type { IpcHandlers } from '../../../shared/ipc.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { seedHostsFetch } from '../../fixtures/seed-hosts.js';

let provider: ProviderServer;
let dataDir: string;
let session: AppSession;
let api: IpcHandlers;
let clipboard = '';

/** The text as myfiber's document describes it: the four values, no preset, no client_auth. */
function myfiberDocumentText(): string {
  const { clientId, clientSecret } = provider.clients.myfiber;
  return [
    `client_id = "${clientId}"`,
    `client_secret = "${clientSecret}"`,
    'url_to_authentication_service = "https://so.yio.at/oauth/v2/token"',
    'scopes = "openid profile urn:zitadel:iam:org:project:id:306635992142446597:aud"',
    '',
  ].join('\n');
}

beforeAll(async () => {
  provider = await startProviderServer();
  dataDir = await mkdtemp(join(tmpdir(), 'tokendesk-myfiber-doc-'));
  const ports: CorePorts = { fetch: seedHostsFetch(provider), clock: { now: () => Date.now() }, randomBytes: (n) => new Uint8Array(randomBytes(n)) };
  session = new AppSession({ dataDir, ports });
  const guard = createClipboardGuard({ clipboard: { readText: () => clipboard, writeText: (t) => void (clipboard = t) }, now: () => Date.now() });
  api = createApiHandlers({ session, clipboard: guard, ports, emit: () => undefined, openExternal: async () => undefined });
  const created = await api['app:create']({ passphrase: 'unit-test passphrase' });
  if (!created.ok) throw new Error(created.error.message);
});

afterAll(async () => {
  session?.lock();
  await provider?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the myfiber text from its document', () => {
  it('meets a server that accepts the secret only in the form body', async () => {
    const { clientId, clientSecret } = provider.clients.myfiber;
    const tokenUrl = `${provider.url}/myfiber/oauth/v2/token`;
    const basic = await fetch(tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(basic.status).toBe(401);
    expect(((await basic.json()) as { error: string }).error).toBe('invalid_client');
    const body = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret ?? '' }).toString(),
    });
    expect(body.status).toBe(200);
  });

  it('previews as a myfiber account, saying the provider was recognised', async () => {
    const result = await api['accounts:preview']({ text: myfiberDocumentText() });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.problems).toEqual([]);
    expect(result.value.accounts).toHaveLength(1);
    expect(result.value.accounts[0]).toMatchObject({ name: 'myfiber', preset: 'myfiber', clientAuth: 'body', grant: 'client_credentials', hasClientSecret: true });
    expect(result.value.notes).toEqual(['The provider was recognised from the token address: myfiber.']);
    expect(result.value.conflicts).toEqual([]);
    expect(JSON.stringify(result.value)).not.toContain(provider.clients.myfiber.clientSecret);
  });

  it('imports and gets a token, sending the secret in the form body', async () => {
    const imported = await api['accounts:import']({ text: myfiberDocumentText() });
    if (!imported.ok) throw new Error(imported.error.message);
    expect(imported.value.names).toEqual(['myfiber']);
    const before = provider.requests.length;
    const copied = await api['tokens:copy']({ name: 'myfiber', what: 'token' });
    if (!copied.ok) throw new Error(copied.error.message);
    expect(clipboard.split('.')).toHaveLength(3);
    const sent = provider.requests.slice(before).filter((r) => r.path === '/myfiber/oauth/v2/token');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.authorization).toBeUndefined();
    expect(sent[0]!.form).toMatchObject({ grant_type: 'client_credentials', client_id: provider.clients.myfiber.clientId, client_secret: provider.clients.myfiber.clientSecret });
  });

  it('flags the name as taken on a second paste, with a free suggestion, and the import still refuses it', async () => {
    const preview = await api['accounts:preview']({ text: myfiberDocumentText() });
    if (!preview.ok) throw new Error(preview.error.message);
    expect(preview.value.conflicts).toEqual([{ index: 0, name: 'myfiber', suggestion: 'myfiber (2)' }]);
    const refused = await api['accounts:import']({ text: myfiberDocumentText() });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ERR_INPUT_DUPLICATE' } });
    const renamed = await api['accounts:import']({ text: myfiberDocumentText(), names: ['myfiber (2)'] });
    expect(renamed).toEqual({ ok: true, value: { names: ['myfiber (2)'] } });
    const third = await api['accounts:preview']({ text: myfiberDocumentText() });
    expect(third.ok && third.value.conflicts).toEqual([{ index: 0, name: 'myfiber', suggestion: 'myfiber (3)' }]);
  });
});
