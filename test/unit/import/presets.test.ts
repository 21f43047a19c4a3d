import { describe, expect, it } from 'vitest';
import { applyPreset, PRESET_IDS, PRESETS, presetParamProblem } from '../../../shared/presets.js';

describe('presets', () => {
  it('myfiber uses the documented Zitadel token URL, issuer, body auth and 300 s lifetime', () => {
    expect(applyPreset('myfiber')).toMatchObject({
      preset: 'myfiber',
      grant: 'client_credentials',
      tokenUrl: 'https://so.yio.at/oauth/v2/token',
      issuer: 'https://so.yio.at',
      clientAuth: 'body',
      scopeSeparator: ' ',
      defaultTokenLifetimeSeconds: 300,
    });
    expect(PRESETS.myfiber.exampleScopes).toContain('urn:zitadel:iam:org:project:id:306635992142446597:aud');
  });

  it('myfiber jwt_bearer sends no client authentication, as the seed JWT example', () => {
    expect(applyPreset('myfiber', { grant: 'jwt_bearer' }).clientAuth).toBe('none');
  });

  it('vyopta is a public password client named "vyopta"', () => {
    expect(applyPreset('vyopta')).toMatchObject({
      grant: 'password',
      tokenUrl: 'https://login.vyopta.com/auth/realms/vyopta/protocol/openid-connect/token',
      clientId: 'vyopta',
      clientAuth: 'none',
      defaultTokenLifetimeSeconds: 300,
    });
  });

  it('insiders keeps the mandatory trailing slashes', () => {
    expect(applyPreset('insiders')).toMatchObject({
      tokenUrl: 'https://api.asi.swiss/oauth2/token/',
      authorizeUrl: 'https://api.asi.swiss/oauth2/authorize/',
      revokeUrl: 'https://api.asi.swiss/oauth2/revoke-token/',
      clientAuth: 'basic',
      scopes: ['all'],
    });
  });

  it('myfox carries a conservative request budget', () => {
    expect(applyPreset('myfox')).toMatchObject({
      tokenUrl: 'https://api.myfox.me/oauth2/token',
      authorizeUrl: 'https://api.myfox.me/oauth2/authorize',
      clientAuth: 'basic',
      defaultTokenLifetimeSeconds: 3600,
      requestBudget: { maxRequests: 20, windowSeconds: 86_400 },
    });
  });

  it('netrex builds its endpoints from base_url, with query auth and comma scopes', () => {
    for (const base of ['cloud.camstreamer.com', 'https://cloud.camstreamer.com/', ' cloud.camstreamer.com ']) {
      expect(applyPreset('netrex', { base_url: base })).toMatchObject({
        tokenUrl: 'https://cloud.camstreamer.com/oauth2/token',
        authorizeUrl: 'https://cloud.camstreamer.com/oauth2/auth/',
        revokeUrl: 'https://cloud.camstreamer.com/oauth2/revoke',
        revokeStyle: 'access_token_query',
        clientAuth: 'query',
        scopeSeparator: ',',
        scopes: ['read', 'write'],
        defaultTokenLifetimeSeconds: 3600,
      });
    }
  });

  it('netrex refuses to guess a base_url', () => {
    expect(presetParamProblem('netrex', {})?.param).toBe('base_url');
    expect(() => applyPreset('netrex')).toThrow(/system2\.netrex\.cz/);
  });

  it('refuses a grant the provider does not offer', () => {
    expect(presetParamProblem('vyopta', { grant: 'client_credentials' })?.param).toBe('grant');
  });

  it('every preset quotes its seed and allows its default grant', () => {
    for (const id of PRESET_IDS) {
      const preset = PRESETS[id];
      expect(preset.source.quotes.length).toBeGreaterThan(0);
      expect(preset.allowedGrants).toContain(preset.defaultGrant);
      expect(preset.description).toMatch(/\.$/);
    }
  });
});
