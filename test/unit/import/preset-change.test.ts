/**
 * shared/preset-change.ts: what changing an account's provider sets. The
 * same function fills the edit form and runs in the main process.
 */
import { describe, expect, it } from 'vitest';
import { presetBaseFor, presetChange } from '../../../shared/preset-change.js';
import { PRESETS } from '../../../shared/presets.js';

describe('presetBaseFor', () => {
  it('keeps the account’s own address when its token URL already ends with the preset’s token path', () => {
    expect(presetBaseFor({ tokenUrl: 'http://127.0.0.1:5000/myfiber/oauth/v2/token' }, PRESETS.myfiber)).toBe('http://127.0.0.1:5000/myfiber');
    // Insiders' documented path ends with "/", which a pasted address often lacks.
    expect(presetBaseFor({ tokenUrl: 'https://api.asi.swiss/oauth2/token' }, PRESETS.insiders)).toBe('https://api.asi.swiss');
  });

  it('falls back to the documented host, and for Netrex (which has none) to the token URL’s origin', () => {
    expect(presetBaseFor({ tokenUrl: 'https://example.com/elsewhere' }, PRESETS.myfox)).toBe('https://api.myfox.me');
    expect(presetBaseFor({ tokenUrl: 'https://cloud.camstreamer.com/somewhere/token' }, PRESETS.netrex)).toBe('https://cloud.camstreamer.com');
    expect(presetBaseFor({}, PRESETS.netrex)).toBeUndefined();
  });
});

describe('presetChange', () => {
  const custom = { grant: 'client_credentials' as const, tokenUrl: 'https://so.yio.at/oauth/v2/token', clientId: 'mine', scopes: ['openid'] };

  it('sets everything a preset owns, removing what the new preset has none of, and keeps id and scopes', () => {
    const change = presetChange(custom, 'myfiber');
    expect(change).toEqual({
      ok: true,
      settings: {
        preset: 'myfiber',
        tokenUrl: 'https://so.yio.at/oauth/v2/token',
        authorizeUrl: undefined,
        revokeUrl: undefined,
        revokeStyle: undefined,
        issuer: 'https://so.yio.at',
        clientAuth: 'body',
        scopeSeparator: ' ',
        defaultTokenLifetimeSeconds: 300,
        requestBudget: { maxRequests: 30, windowSeconds: 3600 },
        useRefreshToken: undefined,
      },
    });
  });

  it('fills the preset’s client id and scopes only where the account has none', () => {
    const change = presetChange({ grant: 'password', tokenUrl: undefined, clientId: undefined, scopes: [] }, 'vyopta');
    expect(change.ok && change.settings).toMatchObject({ clientId: 'vyopta', clientAuth: 'none', useRefreshToken: false });
    const insiders = presetChange({ grant: 'password', tokenUrl: 'https://api.asi.swiss/oauth2/token', clientId: 'c', scopes: [] }, 'insiders');
    expect(insiders.ok && insiders.settings).toMatchObject({ scopes: ['all'], tokenUrl: 'https://api.asi.swiss/oauth2/token/', revokeUrl: 'https://api.asi.swiss/oauth2/revoke-token/' });
  });

  it('uses the preset’s client authentication for the account’s grant', () => {
    const change = presetChange({ ...custom, grant: 'jwt_bearer' }, 'myfiber');
    expect(change.ok && change.settings.clientAuth).toBe('none');
  });

  it('Custom removes only the provider', () => {
    expect(presetChange(custom, '')).toEqual({ ok: true, settings: { preset: undefined } });
  });

  it('refuses an unknown provider and one that does not offer the account’s sign-in method, in words', () => {
    expect(presetChange(custom, 'nope')).toEqual({ ok: false, problem: 'There is no provider named “nope”.' });
    expect(presetChange(custom, 'vyopta')).toMatchObject({ ok: false, problem: expect.stringMatching(/^Vyopta accounts sign in with password, and this account uses client_credentials/) });
    expect(presetChange({ grant: 'authorization_code', tokenUrl: undefined, clientId: 'x', scopes: [] }, 'netrex')).toMatchObject({ ok: false, problem: expect.stringMatching(/needs your provider’s address/) });
  });
});
