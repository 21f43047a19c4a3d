import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCredentials, previewImport } from '../../../main/core/import/index.js';

const fixtures = fileURLToPath(new URL('../../fixtures/import/', import.meta.url));
const fixture = async (name: string) => ({ text: await readFile(fixtures + name, 'utf8'), fileName: name, baseDir: fixtures });

describe('importCredentials: seed provider examples', () => {
  it('imports the myfiber example with the preset filling the token URL', async () => {
    const [account, ...rest] = await importCredentials(await fixture('myfiber.toml'));
    expect(rest).toHaveLength(0);
    expect(account).toMatchObject({
      name: 'myfiber production',
      preset: 'myfiber',
      grant: 'client_credentials',
      tokenUrl: 'https://so.yio.at/oauth/v2/token',
      clientAuth: 'body',
      clientId: '306635992142446597@myfiber',
      clientSecret: 'example-myfiber-secret-do-not-use',
      scopes: ['openid', 'profile', 'urn:zitadel:iam:org:project:id:306635992142446597:aud'],
      defaultTokenLifetimeSeconds: 300,
      apiUrl: 'https://api.myfiber.at/v2/infra/resource/sites/',
    });
  });

  it('imports the Vyopta example as a public password client', async () => {
    const [account] = await importCredentials(await fixture('vyopta.toml'));
    expect(account).toMatchObject({ grant: 'password', clientId: 'vyopta', clientAuth: 'none', username: 'jane.doe@example.org' });
    expect(account!.clientSecret).toBeUndefined();
  });

  it('imports the Insiders example with trailing slashes intact', async () => {
    const [account] = await importCredentials(await fixture('insiders.toml'));
    expect(account).toMatchObject({
      grant: 'authorization_code',
      tokenUrl: 'https://api.asi.swiss/oauth2/token/',
      authorizeUrl: 'https://api.asi.swiss/oauth2/authorize/',
      revokeUrl: 'https://api.asi.swiss/oauth2/revoke-token/',
      scopes: ['all'],
      clientAuth: 'basic',
      redirectUri: 'http://127.0.0.1:8000/authorized/',
    });
  });

  it('imports the Myfox example with its request budget', async () => {
    const [account] = await importCredentials(await fixture('myfox.toml'));
    expect(account).toMatchObject({ grant: 'password', clientAuth: 'basic', requestBudget: { maxRequests: 20, windowSeconds: 86_400 } });
  });

  it('imports the Netrex example on the provider host given in base_url', async () => {
    const [account] = await importCredentials(await fixture('netrex.toml'));
    expect(account).toMatchObject({
      grant: 'authorization_code',
      tokenUrl: 'https://cloud.camstreamer.com/oauth2/token',
      authorizeUrl: 'https://cloud.camstreamer.com/oauth2/auth/',
      revokeUrl: 'https://cloud.camstreamer.com/oauth2/revoke',
      revokeStyle: 'access_token_query',
      clientAuth: 'query',
      scopes: ['read', 'write'],
      scopeSeparator: ',',
    });
  });

  it('imports several accounts with shared top-level defaults', async () => {
    const accounts = await importCredentials(await fixture('several.toml'));
    expect(accounts.map((a) => [a.name, a.grant, a.tokenUrl])).toEqual([
      ['office', 'authorization_code', 'https://system2.netrex.cz/oauth2/token'],
      ['camera wall', 'static', 'https://system2.netrex.cz/oauth2/token'],
    ]);
    expect(accounts[1]!.accessToken).toBe('example-netrex-personal-token');
  });
});

describe('importCredentials: text as people paste it', () => {
  it('accepts CRLF, a byte-order mark, comments, trailing spaces and surrounding quotes', async () => {
    const text =
      '\uFEFF# pasted from mail\r\n' +
      'name = "  messy  "   \r\n' +
      "token_endpoint = \"'https://so.yio.at/oauth/v2/token'\"  # vendor name for token_url\r\n" +
      'clientId = "\\"my-client\\""\r\n' +
      'client-secret = " s3cr3t-value "\t\r\n' +
      'scope = "openid profile"\r\n';
    const [account] = await importCredentials({ text });
    expect(account).toMatchObject({
      name: 'messy',
      grant: 'client_credentials',
      tokenUrl: 'https://so.yio.at/oauth/v2/token',
      clientId: 'my-client',
      clientSecret: 's3cr3t-value',
      // so.yio.at is myfiber's: its preset sends the secret in the form body (issue 13 item 1; this said 'basic' before).
      preset: 'myfiber',
      clientAuth: 'body',
      scopes: ['openid', 'profile'],
    });
  });

  it('maps vendor and RFC key names to the canonical settings', async () => {
    const text = [
      'url_to_authentication_service = "https://idp.example/token"',
      'authorization_endpoint = "https://idp.example/authorize"',
      'revocation_endpoint = "https://idp.example/revoke"',
      'client_id = "c"',
      'client_secret = "s"',
      'token_endpoint_auth_method = "client_secret_post"',
      'callback_url = "tokendesk://callback"',
      'grant_type = "authorization-code"',
      '[extra.token]',
      'audience = "https://api.example"',
    ].join('\n');
    const [account] = await importCredentials({ text });
    expect(account).toMatchObject({
      tokenUrl: 'https://idp.example/token',
      authorizeUrl: 'https://idp.example/authorize',
      revokeUrl: 'https://idp.example/revoke',
      clientAuth: 'body',
      redirectUri: 'tokendesk://callback',
      grant: 'authorization_code',
      extra: { token: { audience: 'https://api.example' } },
    });
  });

  it('splits a Netrex scope string on commas and keeps explicit keys over the preset', async () => {
    const text = 'preset = "netrex"\nbase_url = "system2.netrex.cz"\nclient_id = "c"\nclient_secret = "s"\nscope = "read, write"\nclient_auth = "body"';
    const [account] = await importCredentials({ text });
    expect(account).toMatchObject({ scopes: ['read', 'write'], clientAuth: 'body', name: 'netrex system2.netrex.cz' });
  });

  it('infers the grant from the fields given', async () => {
    const cases: [string, string][] = [
      ['token_url = "https://x.example/t"\nclient_id = "c"\nusername = "u"\npassword = "p"', 'password'],
      ['access_token = "pat"', 'static'],
      ['token_url = "https://x.example/t"\nauthorize_url = "https://x.example/a"\nclient_id = "c"', 'authorization_code'],
      ['token_url = "https://x.example/t"\nclient_id = "c"\nclient_secret = "s"', 'client_credentials'],
    ];
    for (const [text, grant] of cases) {
      const [account] = await importCredentials({ text });
      expect(account!.grant, text).toBe(grant);
    }
  });

  it('names accounts from their preset or host and keeps [[accounts]] names unique', async () => {
    const text = [
      '[[accounts]]',
      'preset = "myfox"',
      'client_id = "a"',
      'client_secret = "b"',
      'username = "u"',
      'password = "p"',
      '[[accounts]]',
      'preset = "myfox"',
      'client_id = "c"',
      'client_secret = "d"',
      'username = "v"',
      'password = "q"',
      '[[accounts]]',
      'token_url = "https://api.example.org/token"',
      'client_id = "e"',
      'client_secret = "f"',
    ].join('\n');
    const accounts = await importCredentials({ text });
    expect(accounts.map((a) => a.name)).toEqual(['myfox', 'myfox 2', 'api.example.org']);
  });

  it('accepts loopback http endpoints (test servers) and a loopback base_url', async () => {
    const text = 'preset = "insiders"\nbase_url = "http://127.0.0.1:4567"\ngrant = "password"\nclient_id = "c"\nclient_secret = "s"\nusername = "u"\npassword = "p"';
    const [account] = await importCredentials({ text });
    expect(account!.tokenUrl).toBe('http://127.0.0.1:4567/oauth2/token/');
  });

  it('previewImport returns accounts and an empty problem list for a good file', async () => {
    const preview = await previewImport(await fixture('several.toml'));
    expect(preview.problems).toEqual([]);
    expect(preview.accounts).toHaveLength(2);
  });
});
