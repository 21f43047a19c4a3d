/**
 * Presets for the five seed providers: endpoints, client authentication, scope
 * separator, token lifetime and request budget, each justified by a quote from
 * the provider's own documentation (`source`). Plain data plus one pure
 * function, so the renderer's preset form can preview what a preset fills in.
 *
 * A preset fills only what the credentials file does not say: the importer
 * merges `applyPreset(...)` UNDER the file's explicit keys.
 *
 * Every preset has one parameter, `base_url` (TOML key `base_url` next to
 * `preset`): the scheme and host the endpoint paths hang off. It defaults to
 * the provider's documented host, except for Netrex, where it is required
 * because each Netrex-platform provider has its own host
 * (`system2.netrex.cz`, `cloud.camstreamer.com`, ...). A bare host means https.
 */
import type { AccountSettings, RequestBudget, RevokeStyle } from './account.js';
import type { ClientAuthMethod, GrantType } from './types.js';

export const PRESET_IDS = ['myfiber', 'vyopta', 'insiders', 'myfox', 'netrex'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

/** Parameters a preset takes. Keys are the TOML keys. */
export interface PresetParams {
  /** `system2.netrex.cz`, `https://cloud.camstreamer.com`, or a loopback test server. */
  base_url?: string;
  /** The grant the account uses; picks grant-specific defaults (e.g. client_auth). */
  grant?: GrantType;
}

export interface PresetDefinition {
  id: PresetId;
  label: string;
  /** One plain sentence for people who are not developers. */
  description: string;
  /** The seed document and the sentences that justify the values below. */
  source: { document: string; quotes: readonly string[] };
  defaultGrant: GrantType;
  allowedGrants: readonly GrantType[];
  /** Documented host; undefined when the user must give `base_url`. */
  defaultBaseUrl?: string;
  /** Examples for the `base_url` field of the preset form. */
  baseUrlExamples?: readonly string[];
  /**
   * Hosts that belong to this provider: a pasted text whose token address is
   * on one of them gets this preset (`recognisePreset`). An entry starting
   * with "." stands for every host under it.
   */
  hosts: readonly string[];
  /** Paths appended to the base URL, exactly as documented (trailing slashes kept). */
  paths: { token: string; authorize?: string; revoke?: string };
  /** True when `issuer` is the base URL (Zitadel: jwt_bearer audience and discovery). */
  issuerIsBase?: boolean;
  revokeStyle?: RevokeStyle;
  clientId?: string;
  clientAuth: ClientAuthMethod;
  /** Client authentication for specific grants, where it differs. */
  clientAuthByGrant?: Partial<Record<GrantType, ClientAuthMethod>>;
  scopes?: readonly string[];
  /** Shown as a placeholder in the form, never applied. */
  exampleScopes?: readonly string[];
  scopeSeparator: string;
  defaultTokenLifetimeSeconds?: number;
  requestBudget?: RequestBudget;
  /** false when the provider hands out refresh tokens it does not honour. */
  useRefreshToken?: boolean;
}

export const PRESETS: Readonly<Record<PresetId, PresetDefinition>> = {
  myfiber: {
    id: 'myfiber',
    label: 'myfiber',
    description: 'myfiber API access with the client ID and secret (or key file, or personal token) that myfiber sent you.',
    source: {
      document: 'myfiber-zitadel-authentication.txt',
      quotes: [
        "curl 'https://so.yio.at/oauth/v2/token' ... --data-urlencode 'grant_type=client_credentials' --data-urlencode 'client_id='$CLIENT_ID --data-urlencode 'client_secret='$CLIENT_SECRET",
        'Access tokens can be obtained in three ways: OAuth2 Client Credentials, JWT (JSON Web Token), and PAT (Personal Access Token).',
        '"aud": "https://so.yio.at"',
        'An access token is valid for 300 seconds and can be used for multiple calls within that period.',
        'You may not get a new token if the old one is still valid.',
        'Create access tokens with the scopes: openid, profile, and urn:zitadel:iam:org:project:id:306635992142446597:aud.',
      ],
    },
    defaultGrant: 'client_credentials',
    allowedGrants: ['client_credentials', 'jwt_bearer', 'static'],
    defaultBaseUrl: 'https://so.yio.at',
    hosts: ['so.yio.at'],
    paths: { token: '/oauth/v2/token' },
    issuerIsBase: true,
    // The seed's client-credentials example sends id and secret as form fields.
    clientAuth: 'body',
    // The seed's JWT example sends only grant_type, scope and assertion.
    clientAuthByGrant: { jwt_bearer: 'none' },
    exampleScopes: ['openid', 'profile', 'urn:zitadel:iam:org:project:id:306635992142446597:aud'],
    scopeSeparator: ' ',
    defaultTokenLifetimeSeconds: 300,
    // At most one new token per 300 s lifetime is needed (12 an hour); 30 leaves
    // room for forced refreshes while warning long before anything looks abusive.
    requestBudget: { maxRequests: 30, windowSeconds: 3600 },
  },
  vyopta: {
    id: 'vyopta',
    label: 'Vyopta',
    description: 'Vyopta Query Service API access with your normal Vyopta user name and password.',
    source: {
      document: 'vyopta-keycloak-authentication.txt',
      quotes: [
        'a POST request to https://login.vyopta.com/auth/realms/vyopta/protocol/openid-connect/token',
        'grant_type which takes the value password',
        'client_id, with value vyopta',
        'The period of time, in seconds, for which this token is valid (300)',
        'Once a token has expired, it is necessary to re-authenticate. Refreshing the session is not implemented.',
      ],
    },
    defaultGrant: 'password',
    allowedGrants: ['password'],
    defaultBaseUrl: 'https://login.vyopta.com',
    hosts: ['login.vyopta.com'],
    paths: { token: '/auth/realms/vyopta/protocol/openid-connect/token' },
    clientId: 'vyopta',
    // Public client: no secret is ever issued, client_id goes in the body.
    clientAuth: 'none',
    scopeSeparator: ' ',
    defaultTokenLifetimeSeconds: 300,
    // "refresh_token | A token to refresh the authentication. NOT IMPLEMENTED"
    useRefreshToken: false,
  },
  insiders: {
    id: 'insiders',
    label: 'Insiders (ASI)',
    description: 'Insiders API access, either by logging in through the browser or with your Insiders user name and password.',
    source: {
      document: 'insiders-oauth2.txt',
      quotes: [
        'Insiders API currently supports two authorization grant flows: Authorization Code and Resource Owner Password Credentials.',
        'The Authorization Code flow is recommended whenever possible since it does not require storing sensitive user credentials.',
        'Authorize URL | /oauth2/authorize/ ; Access token URL | /oauth2/token/ ; Scope | all ; Client Authentication | Basic Auth header',
        'If needed, the Revoke token URL is /oauth2/revoke-token/.',
        'The trailing slash in the URLs are mandatory.',
        "requests.post('https://api.asi.swiss/oauth2/token/', ...)",
        'the access token expires after a few hours',
      ],
    },
    defaultGrant: 'authorization_code',
    allowedGrants: ['authorization_code', 'password'],
    defaultBaseUrl: 'https://api.asi.swiss',
    hosts: ['api.asi.swiss'],
    paths: { token: '/oauth2/token/', authorize: '/oauth2/authorize/', revoke: '/oauth2/revoke-token/' },
    revokeStyle: 'rfc7009',
    clientAuth: 'basic',
    scopes: ['all'],
    scopeSeparator: ' ',
    // "A few hours": assume one, so a token without expires_in is renewed early rather than late.
    defaultTokenLifetimeSeconds: 3600,
  },
  myfox: {
    id: 'myfox',
    label: 'Myfox',
    description: 'Myfox HomeControl API access with your personal application and your own Myfox login.',
    source: {
      document: 'myfox-authentication.txt',
      quotes: [
        'The token can be requested by calling, through the POST method, the URL https://api.myfox.me/oauth2/token',
        'Resource Owner Password Credentials Grant (personal application); Authorization Code (commercial application)',
        'curl -u CLIENT_ID:CLIENT_SECRET https://api.myfox.me/oauth2/token -d ...',
        'https://api.myfox.me/oauth2/authorize?response_type=code&client_id=CLIENT_ID&...',
        'A token lasts 3600 seconds (1 hour) and you must use it until it expires.',
        'Since September 2019, personal applications requesting too many tokens are deactivated automatically.',
      ],
    },
    defaultGrant: 'password',
    allowedGrants: ['password', 'authorization_code'],
    defaultBaseUrl: 'https://api.myfox.me',
    hosts: ['api.myfox.me'],
    paths: { token: '/oauth2/token', authorize: '/oauth2/authorize' },
    clientAuth: 'basic',
    scopeSeparator: ' ',
    defaultTokenLifetimeSeconds: 3600,
    // "Since September 2019, personal applications requesting too many tokens are
    // deactivated automatically." Myfox publishes no number, so stay far below any
    // plausible threshold: a token lasts an hour and is reused, so a full working
    // day needs about 10; 20 per 24 h warns well before deactivation could loom.
    requestBudget: { maxRequests: 20, windowSeconds: 86_400 },
  },
  netrex: {
    id: 'netrex',
    label: 'Netrex / Survilla Cloud',
    description: 'Survilla Cloud API access on your provider’s address (for example system2.netrex.cz or cloud.camstreamer.com).',
    source: {
      document: 'netrex-survilla-oauth2.txt',
      quotes: [
        'If you have an account under another provider, you have to change it according to yours provider URL (e.g. cloud.camstreamer.com)',
        'POST: https://system2.netrex.cz/oauth2/auth/?response_type=code&client_id=CLIENT_ID&redirect_uri=CALLBACK_URL&scope=read,write',
        'POST: https://system2.netrex.cz/oauth2/token?client_id=CLIENT_ID&client_secret=CLIENT_SECRET&grant_type=authorization_code&...',
        'POST: https://system2.netrex.cz/oauth2/revoke?access_token=ACCESS_TOKEN',
        '{"access_token":"ACCESS_TOKEN","expires_in":3600,"refresh_token":"1234"}',
        'The first option is to create a token in the user interface. This option is the simplest',
      ],
    },
    defaultGrant: 'authorization_code',
    allowedGrants: ['authorization_code', 'static'],
    baseUrlExamples: ['system2.netrex.cz', 'cloud.camstreamer.com'],
    // The two addresses the seed names; every host under netrex.cz is Netrex's own platform.
    hosts: ['system2.netrex.cz', '.netrex.cz', 'cloud.camstreamer.com'],
    paths: { token: '/oauth2/token', authorize: '/oauth2/auth/', revoke: '/oauth2/revoke' },
    revokeStyle: 'access_token_query',
    // Every parameter, secret included, travels in the URL query of the POST.
    clientAuth: 'query',
    scopes: ['read', 'write'],
    scopeSeparator: ',',
    defaultTokenLifetimeSeconds: 3600,
  },
};

export function isPresetId(value: unknown): value is PresetId {
  return typeof value === 'string' && (PRESET_IDS as readonly string[]).includes(value);
}

/**
 * Turns a `base_url` parameter into an origin-like prefix: a bare host gets
 * https, a trailing slash is dropped (the documented paths start with one).
 * Returns undefined when it is not a usable URL.
 */
export function normaliseBaseUrl(baseUrl: string): string | undefined {
  const trimmed = baseUrl.trim();
  if (trimmed === '') return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  if (url.search || url.hash || url.username || url.password) return undefined;
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Says what is wrong with a preset's parameters, in plain words, or undefined
 * when they are fine. The importer calls this first to report a located error.
 */
export function presetParamProblem(presetId: PresetId, params: PresetParams): { param: keyof PresetParams; message: string } | undefined {
  const preset = PRESETS[presetId];
  if (params.base_url === undefined && !preset.defaultBaseUrl) {
    const examples = preset.baseUrlExamples?.join(' or ') ?? 'your provider’s address';
    return { param: 'base_url', message: `the ${preset.label} preset needs base_url, your provider’s address (for example ${examples})` };
  }
  if (params.base_url !== undefined && normaliseBaseUrl(params.base_url) === undefined) {
    return { param: 'base_url', message: 'base_url must be a host name or an address such as https://system2.netrex.cz' };
  }
  if (params.grant !== undefined && !preset.allowedGrants.includes(params.grant)) {
    return { param: 'grant', message: `the ${preset.label} preset supports the grants ${preset.allowedGrants.join(', ')}, not ${params.grant}` };
  }
  return undefined;
}

/**
 * The settings a preset contributes. Pure; throws a plain Error when
 * `presetParamProblem` reports a problem (the importer checks first).
 */
export function applyPreset(presetId: PresetId, params: PresetParams = {}): Partial<AccountSettings> {
  const problem = presetParamProblem(presetId, params);
  if (problem) throw new Error(problem.message);
  const preset = PRESETS[presetId];
  const base = normaliseBaseUrl(params.base_url ?? preset.defaultBaseUrl ?? '');
  if (base === undefined) throw new Error(`the ${preset.label} preset needs base_url`);
  const grant = params.grant ?? preset.defaultGrant;
  const settings: Partial<AccountSettings> = {
    preset: presetId,
    grant,
    tokenUrl: base + preset.paths.token,
    clientAuth: preset.clientAuthByGrant?.[grant] ?? preset.clientAuth,
    scopeSeparator: preset.scopeSeparator,
  };
  if (preset.paths.authorize) settings.authorizeUrl = base + preset.paths.authorize;
  if (preset.paths.revoke) settings.revokeUrl = base + preset.paths.revoke;
  if (preset.revokeStyle) settings.revokeStyle = preset.revokeStyle;
  if (preset.issuerIsBase) settings.issuer = base;
  if (preset.clientId) settings.clientId = preset.clientId;
  if (preset.scopes) settings.scopes = [...preset.scopes];
  if (preset.defaultTokenLifetimeSeconds !== undefined) settings.defaultTokenLifetimeSeconds = preset.defaultTokenLifetimeSeconds;
  if (preset.requestBudget) settings.requestBudget = { ...preset.requestBudget };
  if (preset.useRefreshToken !== undefined) settings.useRefreshToken = preset.useRefreshToken;
  return settings;
}

/** True when `host` (lower case, no port) is one of `hosts` or under a "."-entry of it. */
function hostMatches(host: string, hosts: readonly string[]): boolean {
  return hosts.some((entry) => (entry.startsWith('.') ? host.endsWith(entry) || host === entry.slice(1) : host === entry));
}

/**
 * When `url`'s path ends with one of the preset's documented endpoint paths
 * (`/oauth2/token`, `/oauth2/auth/`, ...; with or without its trailing
 * slash), the base those paths hang off: the part before it, without query
 * or fragment (`https://cloud.camstreamer.com/oauth2/token?client_id=…` ->
 * `https://cloud.camstreamer.com`). Undefined when it is no such address.
 */
export function endpointBase(presetId: PresetId, url: string): string | undefined {
  const trimmed = url.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    return undefined;
  }
  if (parsed.username || parsed.password) return undefined;
  const path = parsed.pathname;
  const { paths } = PRESETS[presetId];
  for (const endpoint of [paths.token, paths.authorize, paths.revoke]) {
    if (!endpoint) continue;
    const bare = endpoint.replace(/\/+$/, '');
    for (const candidate of [endpoint, bare, `${bare}/`]) {
      if (path.endsWith(candidate)) return `${parsed.protocol}//${parsed.host}${path.slice(0, path.length - candidate.length).replace(/\/+$/, '')}`;
    }
  }
  return undefined;
}

/**
 * The seed provider an https address belongs to, by its host
 * (`https://so.yio.at/oauth/v2/token` -> myfiber), with the base URL its
 * endpoints hang off (for Netrex, whose host differs per provider). Undefined
 * for any other address, and for plain http: no seed provider serves that.
 */
export function recognisePreset(url: string): { presetId: PresetId; baseUrl: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:') return undefined;
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  for (const id of PRESET_IDS) {
    if (!hostMatches(host, PRESETS[id].hosts)) continue;
    return { presetId: id, baseUrl: endpointBase(id, url) ?? `${parsed.protocol}//${parsed.host}` };
  }
  return undefined;
}
