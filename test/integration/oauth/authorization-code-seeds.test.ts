import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import type { CorePorts } from '../../../main/core/ports.js';
import { systemClock } from '../../../main/core/ports.js';
import { startProviderServer } from '../../fixtures/provider-server.js';
import type { ProviderServer } from '../../fixtures/provider-server.js';
import { signInAtSeedServer } from './support.js';

const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: systemClock, randomBytes: (n) => new Uint8Array(randomBytes(n)) };

let server: ProviderServer;
beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server.close();
});

const signIn = (settings: AccountSettings) => signInAtSeedServer(settings, ports);

describe('authorization code against the seed providers', () => {
  it('Insiders: trailing-slash endpoints and HTTP Basic, with PKCE S256 bound to the code', async () => {
    const { clientId, clientSecret } = server.clients.insiders;
    const { result, prompt, callbackUrl } = await signIn({
      name: 'Insiders',
      grant: 'authorization_code',
      authorizeUrl: `${server.url}/insiders/oauth2/authorize/`,
      tokenUrl: `${server.url}/insiders/oauth2/token/`,
      clientId,
      clientSecret: clientSecret!,
      clientAuth: 'basic',
      scopes: [],
      scopeSeparator: ' ',
      extra: {},
      redirectUri: 'http://127.0.0.1:0/authorized/',
    });
    const tokens = await result;
    expect(tokens.refreshToken).toBeTruthy();
    const code = new URL(callbackUrl).searchParams.get('code')!;
    const record = server.codes.get(code)!;
    expect(record).toMatchObject({ used: true, codeChallengeMethod: 'S256', redirectUri: prompt.redirectUri });
    const sent = server.requestsTo('/insiders/oauth2/token/').at(-1)!;
    expect(sent.path).toBe('/insiders/oauth2/token/');
    expect(sent.headers.authorization).toMatch(/^Basic /);
    expect(createHash('sha256').update(sent.form.code_verifier!).digest('base64url')).toBe(record.codeChallenge);
  });

  it('Netrex: comma-joined scopes on the authorize URL and every token parameter in the query', async () => {
    const { clientId, clientSecret } = server.clients.netrex;
    const { result, callbackUrl } = await signIn({
      name: 'Netrex',
      grant: 'authorization_code',
      authorizeUrl: `${server.url}/netrex/oauth2/auth/`,
      tokenUrl: `${server.url}/netrex/oauth2/token`,
      clientId,
      clientSecret: clientSecret!,
      clientAuth: 'query',
      scopes: ['read', 'write'],
      scopeSeparator: ',',
      extra: {},
    });
    const tokens = await result;
    expect(tokens.tokenType).toBe('Bearer');
    expect(tokens.refreshToken).toBeTruthy();
    expect(server.codes.get(new URL(callbackUrl).searchParams.get('code')!)!.scope).toBe('read,write');
    const sent = server.requestsTo('/netrex/oauth2/token').at(-1)!;
    expect(sent.query).toMatchObject({ grant_type: 'authorization_code', client_id: clientId });
    expect(sent.body).toBe('');
  });

  it('Netrex: a refused consent comes back as ERR_AUTH_DENIED', async () => {
    server.setBehaviour({ authorizeDecision: 'deny' });
    try {
      const { clientId, clientSecret } = server.clients.netrex;
      const before = server.requestsTo('/netrex/oauth2/token').length;
      const { result } = await signIn({
        name: 'Netrex',
        grant: 'authorization_code',
        authorizeUrl: `${server.url}/netrex/oauth2/auth/`,
        tokenUrl: `${server.url}/netrex/oauth2/token`,
        clientId,
        clientSecret: clientSecret!,
        clientAuth: 'query',
        scopes: ['read'],
        scopeSeparator: ',',
        extra: {},
      });
      await expect(result).rejects.toMatchObject({ code: 'ERR_AUTH_DENIED', error: 'access_denied' });
      expect(server.requestsTo('/netrex/oauth2/token').length).toBe(before);
    } finally {
      server.setBehaviour({ authorizeDecision: 'approve' });
    }
  });
});
