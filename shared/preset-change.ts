/**
 * Changing an existing account's provider (issue 13: Edit can change the
 * provider). A preset owns the endpoints, the client authentication, the
 * scope separator, the token lifetime, the request budget and whether refresh
 * tokens are used; changing the preset re-applies those and keeps what the
 * vendor gave the user (client id, secrets, scopes, notes).
 *
 * One pure function for both sides: the main process applies it when an
 * account is edited, and the edit form shows its result before Save. Whether
 * stored secrets survive the change is not decided here but by the
 * secret-exposure rule (shared/secret-exposure.ts), as for any edit.
 */
import type { AccountSettings } from './account.js';
import { applyPreset, isPresetId, normaliseBaseUrl, PRESETS, type PresetDefinition, type PresetId } from './presets.js';

/** The settings a preset decides; a change of preset sets each of them, or removes it when the new preset has none. */
export const PRESET_OWNED_FIELDS = [
  'tokenUrl',
  'authorizeUrl',
  'revokeUrl',
  'revokeStyle',
  'issuer',
  'clientAuth',
  'scopeSeparator',
  'defaultTokenLifetimeSeconds',
  'requestBudget',
  'useRefreshToken',
] as const satisfies readonly (keyof AccountSettings)[];

export type PresetChange =
  | { ok: true; settings: Partial<AccountSettings> }
  | { ok: false; problem: string };

type Current = Pick<AccountSettings, 'grant' | 'tokenUrl' | 'clientId' | 'scopes'>;

/**
 * The address the preset's documented paths hang off for this account: the
 * account's own, when its token URL already ends with the preset's token path
 * (a test server, a vendor's second host), else the preset's documented host,
 * else (Netrex, which has none) the origin of the account's token URL.
 */
export function presetBaseFor(current: Pick<AccountSettings, 'tokenUrl'>, preset: PresetDefinition): string | undefined {
  const tokenUrl = current.tokenUrl?.trim();
  const path = preset.paths.token;
  if (tokenUrl) {
    // Insiders' path ends in "/", which a pasted address often lacks.
    for (const suffix of [path, path.replace(/\/$/, '')]) {
      if (suffix && tokenUrl.endsWith(suffix) && tokenUrl.length > suffix.length) {
        const base = normaliseBaseUrl(tokenUrl.slice(0, -suffix.length));
        if (base !== undefined) return base;
      }
    }
  }
  if (preset.defaultBaseUrl) return preset.defaultBaseUrl;
  if (!tokenUrl) return undefined;
  try {
    const { origin } = new URL(tokenUrl);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * What changing `current` to the provider `presetId` sets: every field of
 * PRESET_OWNED_FIELDS (undefined where the preset has none, which removes
 * it), `preset` itself, and the preset's client id or scopes only where the
 * account has none. `presetId` '' means Custom: only `preset` is removed,
 * everything else stays as it is.
 */
export function presetChange(current: Current, presetId: string): PresetChange {
  if (presetId === '') return { ok: true, settings: { preset: undefined } };
  if (!isPresetId(presetId)) return { ok: false, problem: `There is no provider named “${presetId}”.` };
  const preset = PRESETS[presetId];
  if (!preset.allowedGrants.includes(current.grant)) {
    return {
      ok: false,
      problem: `${preset.label} accounts sign in with ${preset.allowedGrants.join(', ')}, and this account uses ${current.grant}. Add the account again for ${preset.label} instead.`,
    };
  }
  const base = presetBaseFor(current, preset);
  if (base === undefined) return { ok: false, problem: `${preset.label} needs your provider’s address: enter the token URL first.` };
  let applied: Partial<AccountSettings>;
  try {
    applied = applyPreset(presetId as PresetId, { base_url: base, grant: current.grant });
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
  const settings: Partial<AccountSettings> = { preset: presetId };
  for (const field of PRESET_OWNED_FIELDS) (settings as Record<string, unknown>)[field] = applied[field];
  if (!current.clientId && applied.clientId) settings.clientId = applied.clientId;
  if (current.scopes.length === 0 && applied.scopes) settings.scopes = applied.scopes;
  return { ok: true, settings };
}
