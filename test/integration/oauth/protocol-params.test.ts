/**
 * No extra parameter replaces a protocol parameter on the wire (issue 9
 * item 15), for settings that bypassed the importer (saved by an older
 * version): token, refresh, revoke and device requests. The authorize URL is
 * covered in authorization-code.test.ts. Also: the loopback rule lets a
 * request reach 127.0.0.2 (item 17).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import type { GrantContext } from '../../../main/core/oauth/context.js';
import { runClientCredentialsGrant } from '../../../main/core/oauth/grants/client-credentials.js';
import { requestDeviceAuthorization } from '../../../main/core/oauth/grants/device-code.js';
import { runPasswordGrant } from '../../../main/core/oauth/grants/password.js';
import { refreshAccessToken } from '../../../main/core/oauth/grants/refresh-token.js';
import { revokeToken } from '../../../main/core/oauth/revoke.js';
import { systemClock } from '../../../main/core/ports.js';
import type { ProviderServer } from '../../fixtures/provider-server.js';
import { startProviderServer } from '../../fixtures/provider-server.js';
import { settings } from './support.js';

let server: ProviderServer;
beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server.close();
});

interface Sent {
  url: string;
  form: URLSearchParams;
  authorization: string | undefined;
}

/** Real fetch, with what went on the wire kept for the assertions. */
function capturing(): { ctx: GrantContext; sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    ctx: {
      ports: {
        fetch: (input, init) => {
          const headers = new Headers(init?.headers);
          sent.push({ url: String(input), form: new URLSearchParams(typeof init?.body === 'string' ? init.body : ''), authorization: headers.get('authorization') ?? undefined });
          return fetch(input, init);
        },
        clock: systemClock,
        randomBytes: (n) => new Uint8Array(randomBytes(n)),
      },
      timeoutMs: 5000,
    },
  };
}

/** Extras an older version may have saved: each tries to replace a protocol or client-authentication parameter. */
const HOSTILE_EXTRAS = {
  grant_type: 'client_credentials',
  username: 'someone-else',
  password: 'not-the-password',
  refresh_token: 'not-the-refresh-token',
  client_id: 'other-client',
  client_secret: 'extra-client-secret',
  client_assertion: 'forged',
  client_assertion_type: 'forged',
  token: 'not-the-token',
  token_type_hint: 'refresh_token',
  scope: 'admin',
  audience: 'https://api.example',
};

function insiders(overrides: Partial<AccountSettings> = {}): AccountSettings {
  return settings({
    grant: 'password',
    tokenUrl: `${server.url}/insiders/oauth2/token/`,
    revokeUrl: `${server.url}/insiders/oauth2/revoke-token/`,
    clientId: server.clients.insiders.clientId,
    clientSecret: server.clients.insiders.clientSecret!,
    clientAuth: 'basic',
    username: server.users.insiders.username,
    password: server.users.insiders.password,
    scopes: ['read'],
    extra: { token: HOSTILE_EXTRAS, refresh: HOSTILE_EXTRAS, revoke: HOSTILE_EXTRAS, device: HOSTILE_EXTRAS },
    ...overrides,
  });
}

describe('extra parameters never replace protocol parameters on the wire', () => {
  it('token and refresh requests: the grant, the user, the refresh token and client authentication are the account\'s', async () => {
    const { ctx, sent } = capturing();
    const tokens = await runPasswordGrant(insiders(), ctx);
    const token = sent.at(-1)!.form;
    expect(token.getAll('grant_type')).toEqual(['password']);
    expect(token.getAll('username')).toEqual([server.users.insiders.username]);
    expect(token.getAll('password')).toEqual([server.users.insiders.password]);
    expect(token.getAll('scope')).toEqual(['read']);
    // Basic authentication: no client parameter in the body at all, extra or not.
    for (const name of ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type', 'refresh_token']) expect(token.has(name), name).toBe(false);
    expect(token.get('audience')).toBe('https://api.example');

    await refreshAccessToken(insiders(), tokens.refreshToken!, ctx);
    const refresh = sent.at(-1)!.form;
    expect(refresh.getAll('grant_type')).toEqual(['refresh_token']);
    expect(refresh.getAll('refresh_token')).toEqual([tokens.refreshToken]);
    expect(refresh.has('client_secret')).toBe(false);
  });

  it('body client authentication sends the account\'s id and secret once', async () => {
    const { ctx, sent } = capturing();
    const account = settings({
      tokenUrl: `${server.url}/myfiber/oauth/v2/token`,
      clientId: server.clients.myfiber.clientId,
      clientSecret: server.clients.myfiber.clientSecret!,
      clientAuth: 'body',
      extra: { token: HOSTILE_EXTRAS },
    });
    expect((await runClientCredentialsGrant(account, ctx)).accessToken).toBeTruthy();
    const form = sent.at(-1)!.form;
    expect(form.getAll('client_id')).toEqual([server.clients.myfiber.clientId]);
    expect(form.getAll('client_secret')).toEqual([server.clients.myfiber.clientSecret]);
    expect(form.has('client_assertion')).toBe(false);
  });

  it('revocation: the token and its hint are the ones being revoked', async () => {
    const { ctx, sent } = capturing();
    const tokens = await runPasswordGrant(insiders(), ctx);
    await revokeToken(insiders(), tokens.accessToken, 'access_token', ctx);
    const form = sent.at(-1)!.form;
    expect(form.getAll('token')).toEqual([tokens.accessToken]);
    expect(form.getAll('token_type_hint')).toEqual(['access_token']);
    expect(form.has('client_secret')).toBe(false);
    expect(server.isAccessTokenActive('insiders', tokens.accessToken)).toBe(false);
  });

  it('device authorization: client authentication and scope are the account\'s', async () => {
    const { ctx, sent } = capturing();
    // The fixture has no device endpoint: what was sent is what matters.
    await requestDeviceAuthorization(insiders({ grant: 'device_code', deviceAuthorizationUrl: `${server.url}/no-device-endpoint` }), ctx).catch(() => undefined);
    const form = sent.at(-1)!.form;
    expect(form.has('client_id')).toBe(false);
    expect(form.has('client_secret')).toBe(false);
    expect(form.getAll('scope')).toEqual(['read']);
    expect(sent.at(-1)!.authorization).toMatch(/^Basic /);
  });
});

describe('one loopback rule (issue 9 item 17)', () => {
  it('sends a token request to a server on 127.0.0.2, which the importer accepts', async (t) => {
    const seen: string[] = [];
    const local = createServer((req, res) => {
      seen.push(req.url ?? '');
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'via-127-0-0-2', token_type: 'Bearer', expires_in: 60 }));
    });
    const listening = await new Promise<boolean>((resolve) => {
      local.once('error', () => resolve(false));
      local.listen(0, '127.0.0.2', () => resolve(true));
    });
    if (!listening) return t.skip('this system does not answer on 127.0.0.2 (macOS has only 127.0.0.1 by default)');
    try {
      const port = (local.address() as AddressInfo).port;
      const { ctx } = capturing();
      const tokens = await runClientCredentialsGrant(settings({ tokenUrl: `http://127.0.0.2:${port}/token`, clientId: 'c', clientSecret: 's' }), ctx);
      expect(tokens.accessToken).toBe('via-127-0-0-2');
      expect(seen).toEqual(['/token']);
    } finally {
      await new Promise((resolve) => local.close(resolve));
    }
  });
});
