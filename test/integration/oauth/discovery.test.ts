/** Discovery against tiny real well-known servers on 127.0.0.1 and the myfiber fixture. */
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverEndpoints, resolveEndpoints } from '../../../main/core/oauth/discovery.js';
import type { ProviderServer } from '../../fixtures/provider-server.js';
import { startProviderServer } from '../../fixtures/provider-server.js';
import { caught, makeContext, settings } from './support.js';

/** A well-known server: `documents(base)` maps paths to JSON bodies; every hit is recorded. */
async function wellKnownServer(documents: (base: string) => Record<string, unknown>): Promise<{ base: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  let base = '';
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const doc = documents(base)[req.url ?? ''];
    if (doc === undefined) res.writeHead(404).end('not found');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, hits, server };
}

const servers: Server[] = [];
let fixture: ProviderServer;
beforeAll(async () => {
  fixture = await startProviderServer();
});
afterAll(async () => {
  await fixture.close();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('discoverEndpoints', () => {
  it('reads OpenID Connect discovery appended to the issuer path', async () => {
    const found = await discoverEndpoints(fixture.myfiberIssuer, makeContext());
    expect(found).toEqual({
      issuer: fixture.myfiberIssuer,
      tokenUrl: `${fixture.url}/myfiber/oauth/v2/token`,
      authorizeUrl: `${fixture.url}/myfiber/oauth/v2/authorize`,
      revokeUrl: `${fixture.url}/myfiber/oauth/v2/revoke`,
      grantTypes: ['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
    });
    expect(fixture.requests.map((r) => r.path)).toContain('/myfiber/.well-known/openid-configuration');
  });

  it('falls back to RFC 8414 with the well-known segment inserted before the issuer path', async () => {
    const s = await wellKnownServer((base) => ({
      '/.well-known/oauth-authorization-server/tenant/a': {
        issuer: `${base}/tenant/a`,
        token_endpoint: `${base}/tenant/a/token`,
        device_authorization_endpoint: `${base}/tenant/a/device`,
      },
    }));
    servers.push(s.server);
    const found = await discoverEndpoints(`${s.base}/tenant/a`, makeContext());
    expect(s.hits).toEqual(['/tenant/a/.well-known/openid-configuration', '/.well-known/oauth-authorization-server/tenant/a']);
    expect(found).toEqual({ issuer: `${s.base}/tenant/a`, tokenUrl: `${s.base}/tenant/a/token`, deviceAuthorizationUrl: `${s.base}/tenant/a/device` });
  });

  it('refuses a document that names another issuer', async () => {
    const s = await wellKnownServer(() => ({ '/.well-known/openid-configuration': { issuer: 'https://impostor.example', token_endpoint: 'https://impostor.example/token' } }));
    servers.push(s.server);
    const error = await caught(() => discoverEndpoints(s.base, makeContext()));
    expect(error.code).toBe('ERR_INPUT_FIELD');
    expect(error.message).toContain('impostor.example');
  });

  it('refuses an advertised endpoint that is plain http to a remote host', async () => {
    const s = await wellKnownServer((base) => ({ '/.well-known/openid-configuration': { issuer: base, token_endpoint: 'http://example.invalid/token' } }));
    servers.push(s.server);
    const ctx = makeContext();
    const error = await caught(() => discoverEndpoints(s.base, ctx));
    expect(error.code).toBe('ERR_INPUT_INSECURE_URL');
    expect(ctx.fetched.every((u) => u.startsWith(s.base))).toBe(true);
  });

  it('says what it tried when neither document exists', async () => {
    const s = await wellKnownServer(() => ({}));
    servers.push(s.server);
    const error = await caught(() => discoverEndpoints(`${s.base}/x`, makeContext()));
    expect(error.code).toBe('ERR_HTTP_STATUS');
    expect(error.message).toContain('HTTP 404');
    expect(s.hits).toHaveLength(2);
  });

  it('refuses a plain-http issuer on a remote host without connecting', async () => {
    const ctx = makeContext();
    const error = await caught(() => discoverEndpoints('http://example.invalid', ctx));
    expect(error.code).toBe('ERR_INPUT_INSECURE_URL');
    expect(ctx.fetched).toEqual([]);
  });
});

describe('resolveEndpoints', () => {
  it('fills missing endpoints and keeps configured ones', async () => {
    const resolved = await resolveEndpoints(settings({ issuer: fixture.myfiberIssuer, revokeUrl: 'https://mine.example/revoke' }), makeContext());
    expect(resolved.tokenUrl).toBe(`${fixture.url}/myfiber/oauth/v2/token`);
    expect(resolved.revokeUrl).toBe('https://mine.example/revoke');
  });

  it('makes no request when the grant has every endpoint it needs', async () => {
    const ctx = makeContext();
    const s = settings({ issuer: fixture.myfiberIssuer, tokenUrl: 'https://so.yio.at/oauth/v2/token' });
    expect(await resolveEndpoints(s, ctx)).toBe(s);
    expect(ctx.fetched).toEqual([]);
  });

  it('discovers the authorize URL an authorization-code account lacks, keeping its own token URL', async () => {
    const s = settings({ grant: 'authorization_code', issuer: fixture.myfiberIssuer, tokenUrl: 'https://mine.example/token' });
    const resolved = await resolveEndpoints(s, makeContext());
    expect(resolved.authorizeUrl).toBe(`${fixture.url}/myfiber/oauth/v2/authorize`);
    expect(resolved.tokenUrl).toBe('https://mine.example/token');
  });
});
