/**
 * Per-grant validation of account settings: what each grant needs, URLs that
 * parse and are https (or loopback), enums in range. Used by the importer and
 * whenever an account is edited. Problems name fields by their TOML key.
 */
import type { AccountSettings } from '../../../shared/account.js';
import { CLIENT_AUTH_METHODS, GRANT_TYPES, REQUEST_KINDS } from '../../../shared/types.js';
import type { GrantType, RequestKind } from '../../../shared/types.js';
import { InputError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { CanonicalKey } from './aliases.js';
import { isProtocolParam } from '../oauth/protocol-params.js';
import { MAX_BUDGET_REQUESTS, MAX_BUDGET_WINDOW_SECONDS, MAX_TOKEN_LIFETIME_SECONDS } from './limits.js';
import { originOf } from '../oauth/origin.js';
import { checkUrl } from './url-rules.js';

export interface FieldProblem {
  code: ErrorCode;
  message: string;
  /** The TOML key the problem is about. */
  key: CanonicalKey;
}

/** What each field is, for "needs X (what X is)" messages. */
const WHAT: Partial<Record<CanonicalKey, string>> = {
  token_url: 'the address tokens are requested from',
  authorize_url: 'the address of the login page',
  device_authorization_url: 'the address that hands out device codes',
  client_id: 'the client or application id the provider gave you',
  client_secret: 'the client secret the provider gave you',
  username: 'the user name you log in with',
  password: 'the password you log in with',
  key: 'the private key: key = { ... } or key_file = "key.json"',
  issuer: 'the provider address, used as the audience of the signed assertion',
  access_token: 'the personal access token created in the provider’s web interface',
};

function needs(grant: GrantType, key: CanonicalKey): FieldProblem {
  const what = WHAT[key];
  return { code: 'ERR_INPUT_MISSING', key, message: `the ${grant} grant needs ${key}${what ? ` (${what})` : ''}` };
}

/**
 * Grant to use when the file names none: username + password -> password,
 * a key -> jwt_bearer, only an access token -> static, an authorize URL ->
 * authorization_code. Returns undefined when nothing points anywhere (the
 * caller then uses the preset's default, else client_credentials). Called on
 * the file's own keys, before a preset fills anything in.
 */
export function inferGrant(s: Partial<AccountSettings>): GrantType | undefined {
  if (s.username !== undefined && s.password !== undefined) return 'password';
  if (s.key !== undefined) return 'jwt_bearer';
  if (s.accessToken !== undefined && s.clientId === undefined && s.clientSecret === undefined) return 'static';
  if (s.deviceAuthorizationUrl !== undefined) return 'device_code';
  if (s.authorizeUrl !== undefined) return 'authorization_code';
  return undefined;
}

const URL_FIELDS = [
  ['tokenUrl', 'token_url'],
  ['authorizeUrl', 'authorize_url'],
  ['revokeUrl', 'revoke_url'],
  ['deviceAuthorizationUrl', 'device_authorization_url'],
  ['issuer', 'issuer'],
  ['apiUrl', 'api_url'],
] as const;

/** Query parameters that must never sit in a stored URL. */
const SECRET_QUERY_PARAMS = ['client_secret', 'password', 'access_token', 'refresh_token'];

/** Every problem of one account, in field order. Never includes a value of a secret field. */
export function accountProblems(s: AccountSettings): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const present = (value: string | undefined): boolean => value !== undefined && value.trim() !== '';

  if (!present(s.name)) problems.push({ code: 'ERR_INPUT_MISSING', key: 'name', message: 'the account needs a name' });
  if (!(GRANT_TYPES as readonly string[]).includes(s.grant)) {
    problems.push({ code: 'ERR_INPUT_FIELD', key: 'grant', message: `grant must be one of ${GRANT_TYPES.join(', ')}` });
    return problems;
  }
  if (!(CLIENT_AUTH_METHODS as readonly string[]).includes(s.clientAuth)) {
    problems.push({ code: 'ERR_INPUT_FIELD', key: 'client_auth', message: `client_auth must be one of ${CLIENT_AUTH_METHODS.join(', ')}` });
  }

  const g = s.grant;
  switch (g) {
    case 'password':
      if (!present(s.username)) problems.push(needs(g, 'username'));
      if (!present(s.password)) problems.push(needs(g, 'password'));
      break;
    case 'authorization_code':
      // With an issuer, discovery fills the endpoints in at use time.
      if (!present(s.authorizeUrl) && !present(s.issuer)) problems.push(needs(g, 'authorize_url'));
      break;
    case 'jwt_bearer':
      if (!s.key) problems.push(needs(g, 'key'));
      if (!present(s.issuer)) problems.push(needs(g, 'issuer'));
      break;
    case 'static':
      if (!present(s.accessToken)) problems.push(needs(g, 'access_token'));
      break;
    case 'device_code':
      if (!present(s.deviceAuthorizationUrl) && !present(s.issuer)) problems.push(needs(g, 'device_authorization_url'));
      break;
    case 'client_credentials':
      break;
  }
  if (g !== 'static' && g !== 'jwt_bearer' && !present(s.clientId)) problems.push(needs(g, 'client_id'));
  else if (g === 'jwt_bearer' && (s.clientAuth === 'tls_client_auth' || s.clientAuth === 'self_signed_tls_client_auth') && !present(s.clientId)) {
    // RFC 8705 2: the certificate says who the client is only together with its client_id.
    problems.push({ code: 'ERR_INPUT_MISSING', key: 'client_id', message: `client_auth "${s.clientAuth}" needs client_id (${WHAT.client_id})` });
  }
  // authorization_code and device_code cannot discover their way past a missing token URL
  // at use time as easily, but an issuer still lets discovery fill it in later.
  if (g !== 'static' && !present(s.tokenUrl) && !present(s.issuer)) problems.push(needs(g, 'token_url'));
  if (g !== 'static' && ['basic', 'basic_raw', 'body', 'query'].includes(s.clientAuth) && !present(s.clientSecret)) {
    problems.push(
      g === 'client_credentials'
        ? needs(g, 'client_secret')
        : {
            code: 'ERR_INPUT_MISSING',
            key: 'client_secret',
            message: `client_auth "${s.clientAuth}" needs client_secret (${WHAT.client_secret}); for a public client without a secret set client_auth = "none"`,
          },
    );
  }
  if ((s.clientAuth === 'tls_client_auth' || s.clientAuth === 'self_signed_tls_client_auth') && !s.clientCertificate) {
    problems.push({
      code: 'ERR_INPUT_MISSING',
      key: 'client_certificate',
      message: `client_auth "${s.clientAuth}" needs a client certificate: client_certificate and client_key (PEM), or client_pkcs12 (a .p12 or .pfx file)`,
    });
  }
  if (s.clientAuth === 'private_key_jwt' && !s.key) {
    problems.push({ code: 'ERR_INPUT_MISSING', key: 'key', message: `client_auth "private_key_jwt" needs key (${WHAT.key})` });
  }

  for (const [field, key] of URL_FIELDS) {
    const value = s[field];
    if (value === undefined) continue;
    const check = checkUrl(value);
    if (!check.ok) {
      problems.push({ code: check.code, key, message: `${key} ${check.reason}` });
      continue;
    }
    const query = new URL(value).searchParams;
    const secretParam = SECRET_QUERY_PARAMS.find((name) => query.has(name));
    if (secretParam) {
      problems.push({ code: 'ERR_INPUT_FIELD', key, message: `${key} must not contain ${secretParam} in its address; give it as its own field instead` });
    }
  }
  if (s.redirectUri !== undefined) {
    const check = checkUrl(s.redirectUri, { allowCustomScheme: true });
    if (!check.ok) problems.push({ code: check.code, key: 'redirect_uri', message: `redirect_uri ${check.reason}` });
  }
  if (s.revokeStyle !== undefined && s.revokeStyle !== 'rfc7009' && s.revokeStyle !== 'access_token_query') {
    problems.push({ code: 'ERR_INPUT_FIELD', key: 'revoke_style', message: 'revoke_style must be "rfc7009" or "access_token_query"' });
  }
  if (typeof s.scopeSeparator !== 'string' || s.scopeSeparator.length === 0) {
    problems.push({ code: 'ERR_INPUT_FIELD', key: 'scope_separator', message: 'scope_separator must be one character, " " or ","' });
  }
  if (!Array.isArray(s.scopes) || s.scopes.some((scope) => typeof scope !== 'string' || scope === '' || scope.includes(s.scopeSeparator))) {
    problems.push({ code: 'ERR_INPUT_FIELD', key: 'scopes', message: 'scopes must be a list of non-empty texts that do not contain the scope separator' });
  }
  if (s.defaultTokenLifetimeSeconds !== undefined && !(Number.isInteger(s.defaultTokenLifetimeSeconds) && s.defaultTokenLifetimeSeconds > 0)) {
    problems.push({ code: 'ERR_INPUT_FIELD', key: 'token_lifetime', message: 'token_lifetime must be a whole number of seconds above 0' });
  } else if (s.defaultTokenLifetimeSeconds !== undefined && s.defaultTokenLifetimeSeconds > MAX_TOKEN_LIFETIME_SECONDS) {
    problems.push({
      code: 'ERR_INPUT_FIELD',
      key: 'token_lifetime',
      message: `token_lifetime must be at most ${MAX_TOKEN_LIFETIME_SECONDS} seconds (10 years); it is the lifetime assumed for tokens whose server gives none`,
    });
  }
  if (s.requestBudget !== undefined) {
    const { maxRequests, windowSeconds } = s.requestBudget;
    if (!(Number.isInteger(maxRequests) && maxRequests > 0 && Number.isInteger(windowSeconds) && windowSeconds > 0)) {
      problems.push({ code: 'ERR_INPUT_FIELD', key: 'request_budget', message: 'request_budget needs max_requests and window_seconds, whole numbers above 0' });
    } else if (windowSeconds > MAX_BUDGET_WINDOW_SECONDS) {
      problems.push({
        code: 'ERR_INPUT_FIELD',
        key: 'request_budget',
        message: `request_budget.window_seconds must be at most ${MAX_BUDGET_WINDOW_SECONDS} (366 days); vendors count requests per day, month or year at most`,
      });
    } else if (maxRequests > MAX_BUDGET_REQUESTS) {
      problems.push({
        code: 'ERR_INPUT_FIELD',
        key: 'request_budget',
        message: `request_budget.max_requests must be at most ${MAX_BUDGET_REQUESTS}; TokenDesk keeps the time of each counted request, and budgets are for vendors that allow tens a day`,
      });
    }
  }
  problems.push(...targetProblems(s));
  const reserved = { scopes: Array.isArray(s.scopes) ? s.scopes : [], resource: s.resource, audience: s.audience };
  for (const [kind, params] of Object.entries(s.extra ?? {})) {
    if (!(REQUEST_KINDS as readonly string[]).includes(kind)) {
      problems.push({ code: 'ERR_INPUT_UNKNOWN', key: 'extra', message: `extra.${kind} is not a request kind; expected one of ${REQUEST_KINDS.join(', ')}` });
      continue;
    }
    // No extra may replace a protocol parameter (protocol-params.ts says which, per kind, and why).
    for (const name of Object.keys(params ?? {})) {
      if (!isProtocolParam(kind as RequestKind, name, reserved)) continue;
      const folded = name.toLowerCase();
      problems.push({
        code: 'ERR_INPUT_FIELD',
        key: 'extra',
        message:
          folded === 'scope'
            ? `extra.${kind}.${name} cannot be set: TokenDesk sends the account's scopes as scope in ${describeKind(kind as RequestKind)}; change scopes instead`
            : folded === 'resource' || folded === 'audience'
              ? `extra.${kind}.${name} and ${folded} both set the ${folded} parameter; keep only ${folded} = … (TokenDesk sends it in every authorization, token and refresh request) and remove extra.${kind}.${name}`
              : `extra.${kind}.${name} cannot be set: TokenDesk sets ${folded} itself in ${describeKind(kind as RequestKind)}, and an extra parameter may add to a request but never replace what the protocol sends`,
      });
    }
  }
  if (s.grant === 'jwt_bearer' && present(s.issuer) && present(s.tokenUrl)) {
    const issuerOrigin = originOf(s.issuer!);
    const tokenOrigin = originOf(s.tokenUrl!);
    if (issuerOrigin && tokenOrigin && issuerOrigin !== tokenOrigin) {
      // The assertion is addressed to the issuer; sending it elsewhere hands a valid login to that host.
      problems.push({
        code: 'ERR_INPUT_FIELD',
        key: 'token_url',
        message: `token_url (${tokenOrigin}) must be on the issuer's server (${issuerOrigin}): the signed jwt_bearer assertion is addressed to the issuer and TokenDesk sends it nowhere else`,
      });
    }
  }
  return problems;
}

/** RFC 8707 2: "an absolute URI ... MUST NOT include a fragment component". */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s#]+$/;

/**
 * `resource` values are absolute URIs without a fragment (any scheme: they
 * name an API, TokenDesk never connects to them, so the https rule of the
 * endpoints does not apply); `audience` is one non-empty text. Messages name
 * the value by its place in the list, never quote it: a value in the wrong
 * field may be a secret.
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
 */
function targetProblems(s: Pick<AccountSettings, 'resource' | 'audience'>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (s.resource !== undefined) {
    if (!Array.isArray(s.resource) || s.resource.some((value) => typeof value !== 'string')) {
      return [{ code: 'ERR_INPUT_FIELD', key: 'resource', message: 'resource must be a list of web addresses' }];
    }
    s.resource.forEach((value, index) => {
      const which = s.resource!.length === 1 ? 'resource' : `resource value ${index + 1} of ${s.resource!.length}`;
      if (value.includes('#')) {
        problems.push({ code: 'ERR_INPUT_FIELD', key: 'resource', message: `${which} must not contain a fragment (the part after #): RFC 8707 forbids one in a resource indicator` });
      } else if (!ABSOLUTE_URI.test(value) || !parses(value)) {
        problems.push({
          code: 'ERR_INPUT_FIELD',
          key: 'resource',
          message: `${which} is not an absolute address (expected the API's address with its scheme, such as https://api.example.com/, as RFC 8707 requires)`,
        });
      }
    });
  }
  if (s.audience !== undefined && (typeof s.audience !== 'string' || s.audience.trim() === '')) {
    problems.push({ code: 'ERR_INPUT_FIELD', key: 'audience', message: 'audience is empty: give the API identifier the provider names, or leave the line out' });
  }
  return problems;
}

function parses(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function describeKind(kind: RequestKind): string {
  switch (kind) {
    case 'authorize':
      return 'every authorization request';
    case 'token':
      return 'token requests';
    case 'refresh':
      return 'every refresh request';
    case 'revoke':
      return 'every revocation request';
    case 'device':
      return 'every device authorization request';
  }
}

/** Throws the first problem of an account as an InputError (field = its TOML key). */
export function validateAccount(settings: AccountSettings): void {
  const [first] = accountProblems(settings);
  if (first) throw new InputError(first.code, first.message, { field: first.key });
}
