/**
 * Issue 13 items 1 and 9: a text without `preset` whose token address is a
 * seed provider's gets that provider's preset (what the text says still
 * wins), and a full endpoint address typed as a preset's provider address is
 * reduced to the address the endpoint paths hang off.
 */
import { describe, expect, it } from 'vitest';
import { importCredentials, previewImport } from '../../../main/core/import/index.js';
import { endpointBase, recognisePreset } from '../../../shared/presets.js';

const secretLines = 'client_id = "c"\nclient_secret = "s3cr3t-for-recognition"\n';

describe('recognising the provider from the token address (item 1)', () => {
  it('imports myfiber’s text as its document describes it with the myfiber preset and the secret in the body', async () => {
    // myfiber-zitadel-authentication.txt: "To obtain a valid token, you need: client_id, client_secret, url_to_authentication_service, scopes".
    const text = [
      'client_id = "306635992142446597@myfiber"',
      'client_secret = "myfiber-secret-from-the-link"',
      'url_to_authentication_service = "https://so.yio.at/oauth/v2/token"',
      'scopes = "openid profile urn:zitadel:iam:org:project:id:306635992142446597:aud"',
    ].join('\n');
    const preview = await previewImport({ text });
    expect(preview.problems).toEqual([]);
    expect(preview.accounts).toHaveLength(1);
    const [account] = preview.accounts;
    expect(account).toMatchObject({
      name: 'myfiber',
      preset: 'myfiber',
      grant: 'client_credentials',
      tokenUrl: 'https://so.yio.at/oauth/v2/token',
      issuer: 'https://so.yio.at',
      clientAuth: 'body',
      scopes: ['openid', 'profile', 'urn:zitadel:iam:org:project:id:306635992142446597:aud'],
      defaultTokenLifetimeSeconds: 300,
    });
    expect(account!.clientAuthAuto).toBeUndefined();
    expect(preview.notes).toEqual(['The provider was recognised from the token address: myfiber.']);
  });

  it.each([
    ['vyopta', 'username = "u"\npassword = "p"\ntoken_url = "https://login.vyopta.com/auth/realms/vyopta/protocol/openid-connect/token"', { clientAuth: 'none', clientId: 'vyopta', grant: 'password', useRefreshToken: false }, 'Vyopta'],
    ['insiders', `${secretLines}token_url = "https://api.asi.swiss/oauth2/token/"`, { clientAuth: 'basic', grant: 'authorization_code', authorizeUrl: 'https://api.asi.swiss/oauth2/authorize/', scopes: ['all'] }, 'Insiders (ASI)'],
    ['myfox', `${secretLines}username = "u"\npassword = "p"\ntoken_url = "https://api.myfox.me/oauth2/token"`, { clientAuth: 'basic', grant: 'password', requestBudget: { maxRequests: 20, windowSeconds: 86_400 } }, 'Myfox'],
  ])('recognises %s from its documented host', async (presetId, text, expected, label) => {
    const preview = await previewImport({ text });
    expect(preview.problems).toEqual([]);
    expect(preview.accounts[0]).toMatchObject({ name: presetId, preset: presetId, ...expected });
    expect(preview.notes).toContain(`The provider was recognised from the token address: ${label}.`);
  });

  it('recognises a Netrex / Survilla address and takes the provider address from it', async () => {
    for (const host of ['system2.netrex.cz', 'cloud.camstreamer.com']) {
      const [account] = await importCredentials({ text: `${secretLines}token_url = "https://${host}/oauth2/token"\n` });
      expect(account).toMatchObject({
        name: `netrex ${host}`,
        preset: 'netrex',
        clientAuth: 'query',
        scopeSeparator: ',',
        tokenUrl: `https://${host}/oauth2/token`,
        authorizeUrl: `https://${host}/oauth2/auth/`,
        revokeUrl: `https://${host}/oauth2/revoke`,
        revokeStyle: 'access_token_query',
      });
    }
  });

  it('lets what the text says win over the recognised preset', async () => {
    const [account] = await importCredentials({
      text: `name = "mine"\n${secretLines}client_auth = "basic"\nscopes = ["openid"]\ntoken_url = "https://so.yio.at/oauth/v2/token"\n`,
    });
    expect(account).toMatchObject({ name: 'mine', preset: 'myfiber', clientAuth: 'basic', scopes: ['openid'] });
    expect(account!.clientAuthAuto).toBeUndefined();
  });

  it('recognises nothing for other hosts, plain http, addresses of two providers or a grant the provider does not offer', async () => {
    for (const text of [
      `${secretLines}token_url = "https://idp.example/oauth/v2/token"`,
      `${secretLines}token_url = "https://so.yio.at.example.com/oauth/v2/token"`,
      `${secretLines}token_url = "https://api.myfox.me/oauth2/token"\nauthorize_url = "https://so.yio.at/oauth/v2/authorize"\ngrant = "authorization_code"`,
      `${secretLines}username = "u"\npassword = "p"\ntoken_url = "https://so.yio.at/oauth/v2/token"`,
    ]) {
      const preview = await previewImport({ text });
      expect(preview.accounts[0]?.preset, text).toBeUndefined();
      expect(preview.notes).toEqual([]);
    }
    expect(recognisePreset('http://so.yio.at/oauth/v2/token')).toBeUndefined();
  });

  it('marks the client authentication as a guess only when neither the text nor a preset chose it', async () => {
    const [guessed] = await importCredentials({ text: `${secretLines}token_url = "https://idp.example/token"` });
    expect(guessed).toMatchObject({ clientAuth: 'basic', clientAuthAuto: true });
    const [chosen] = await importCredentials({ text: `${secretLines}client_auth = "basic"\ntoken_url = "https://idp.example/token"` });
    expect(chosen!.clientAuthAuto).toBeUndefined();
    const [preset] = await importCredentials({ text: `preset = "myfox"\n${secretLines}username = "u"\npassword = "p"` });
    expect(preset!.clientAuthAuto).toBeUndefined();
  });

  it('says which account a note is about when the text has several', async () => {
    const text = `[accounts.fiber]\n${secretLines}token_url = "https://so.yio.at/oauth/v2/token"\n[accounts.other]\n${secretLines}token_url = "https://idp.example/token"\n`;
    const preview = await previewImport({ text });
    expect(preview.problems).toEqual([]);
    expect(preview.accounts.map((a) => [a.name, a.preset])).toEqual([['fiber', 'myfiber'], ['other', undefined]]);
    expect(preview.notes).toEqual(['fiber: The provider was recognised from the token address: myfiber.']);
  });
});

describe('a full endpoint address as the provider address (item 9)', () => {
  it.each([
    'https://system2.netrex.cz/oauth2/token',
    'system2.netrex.cz/oauth2/token/',
    'https://system2.netrex.cz/oauth2/auth/',
    'https://system2.netrex.cz/oauth2/revoke',
    'https://system2.netrex.cz/oauth2/token?client_id=CLIENT_ID&client_secret=CLIENT_SECRET&grant_type=authorization_code',
  ])('reduces %s to the provider address, and says so', async (baseUrl) => {
    const text = `preset = "netrex"\nbase_url = "${baseUrl}"\nclient_id = "c"\nclient_secret = "s3cr3t-base"\n`;
    const preview = await previewImport({ text });
    expect(preview.problems).toEqual([]);
    expect(preview.accounts[0]).toMatchObject({
      name: 'netrex system2.netrex.cz',
      tokenUrl: 'https://system2.netrex.cz/oauth2/token',
      authorizeUrl: 'https://system2.netrex.cz/oauth2/auth/',
      revokeUrl: 'https://system2.netrex.cz/oauth2/revoke',
    });
    expect(preview.notes).toEqual(['The provider address was the full address of an endpoint; TokenDesk uses https://system2.netrex.cz as the provider address.']);
    expect(preview.notes.join(' ')).not.toContain('CLIENT_SECRET');
  });

  it('keeps a path prefix in front of the endpoint (a provider under a sub-path, a test server)', () => {
    expect(endpointBase('netrex', 'http://127.0.0.1:8080/netrex/oauth2/token')).toBe('http://127.0.0.1:8080/netrex');
    expect(endpointBase('netrex', 'https://cloud.camstreamer.com')).toBeUndefined();
    expect(endpointBase('myfiber', 'https://so.yio.at/oauth/v2/token')).toBe('https://so.yio.at');
  });

  it('leaves a plain provider address alone, without a note', async () => {
    const preview = await previewImport({ text: `preset = "netrex"\nbase_url = "cloud.camstreamer.com"\n${secretLines}` });
    expect(preview.accounts[0]?.tokenUrl).toBe('https://cloud.camstreamer.com/oauth2/token');
    expect(preview.notes).toEqual([]);
  });
});
