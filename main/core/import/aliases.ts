/**
 * The canonical TOML keys of a credentials file and every other spelling we
 * accept for them: camelCase, kebab-case, any letter case, and the names the
 * vendors use in their own documents (`url_to_authentication_service` is
 * myfiber's, `token_endpoint` is RFC 8414's, ...). Values of `grant` and
 * `client_auth` have aliases too (`client_secret_post`, the jwt-bearer URN).
 */
import { CLIENT_AUTH_METHODS, GRANT_TYPES, REQUEST_KINDS } from '../../../shared/types.js';
import type { ClientAuthMethod, GrantType, RequestKind } from '../../../shared/types.js';

export const CANONICAL_KEYS = [
  'name',
  'preset',
  'base_url',
  'grant',
  'token_url',
  'authorize_url',
  'revoke_url',
  'revoke_style',
  'device_authorization_url',
  'issuer',
  'client_id',
  'client_secret',
  'client_auth',
  'username',
  'password',
  'scopes',
  'scope_separator',
  'resource',
  'audience',
  'redirect_uri',
  'key',
  'key_file',
  'access_token',
  'client_certificate',
  'client_key',
  'client_key_password',
  'client_pkcs12',
  'client_pkcs12_password',
  'api_url',
  'extra',
  'token_lifetime',
  'use_refresh_token',
  'request_budget',
  'notes',
] as const;
export type CanonicalKey = (typeof CANONICAL_KEYS)[number];

/** Vendor and RFC spellings, written in snake_case (other cases are folded first). */
const KEY_ALIASES: Record<string, CanonicalKey> = {
  base: 'base_url',
  provider_url: 'base_url',
  grant_type: 'grant',
  flow: 'grant',
  token_endpoint: 'token_url',
  token_uri: 'token_url',
  url_to_authentication_service: 'token_url',
  access_token_url: 'token_url',
  authorization_endpoint: 'authorize_url',
  authorize_uri: 'authorize_url',
  authorization_url: 'authorize_url',
  auth_url: 'authorize_url',
  revocation_endpoint: 'revoke_url',
  revocation_url: 'revoke_url',
  revoke_token_url: 'revoke_url',
  device_authorization_endpoint: 'device_authorization_url',
  device_url: 'device_authorization_url',
  issuer_url: 'issuer',
  token_endpoint_auth_method: 'client_auth',
  client_authentication: 'client_auth',
  user: 'username',
  user_name: 'username',
  login: 'username',
  scope: 'scopes',
  scope_delimiter: 'scope_separator',
  // RFC 8707 calls the values "resource indicators"; MCP clients and Azure AD v1 say resource(s).
  resources: 'resource',
  resource_indicator: 'resource',
  resource_indicators: 'resource',
  redirect_url: 'redirect_uri',
  callback_url: 'redirect_uri',
  callback_uri: 'redirect_uri',
  private_key: 'key',
  keyfile: 'key_file',
  key_path: 'key_file',
  private_key_file: 'key_file',
  token: 'access_token',
  pat: 'access_token',
  personal_access_token: 'access_token',
  bearer_token: 'access_token',
  test_url: 'api_url',
  // Mutual TLS (RFC 8705). curl's --cert/--key/--pass, Postman's and Bruno's names. `key`,
  // `private_key` and `key_file` stay the jwt_bearer key: a certificate's key is always `client_key`.
  client_cert: 'client_certificate',
  client_cert_file: 'client_certificate',
  client_certificate_file: 'client_certificate',
  client_certificate_path: 'client_certificate',
  cert: 'client_certificate',
  cert_file: 'client_certificate',
  cert_path: 'client_certificate',
  certificate: 'client_certificate',
  certificate_file: 'client_certificate',
  tls_client_cert: 'client_certificate',
  tls_client_certificate: 'client_certificate',
  tls_cert: 'client_certificate',
  ssl_cert: 'client_certificate',
  client_key_file: 'client_key',
  client_key_path: 'client_key',
  client_private_key: 'client_key',
  cert_key: 'client_key',
  tls_client_key: 'client_key',
  tls_key: 'client_key',
  ssl_key: 'client_key',
  client_key_passphrase: 'client_key_password',
  cert_key_password: 'client_key_password',
  tls_client_key_password: 'client_key_password',
  ssl_key_password: 'client_key_password',
  client_p12: 'client_pkcs12',
  client_pfx: 'client_pkcs12',
  client_pkcs12_file: 'client_pkcs12',
  pkcs12: 'client_pkcs12',
  pkcs12_file: 'client_pkcs12',
  p12: 'client_pkcs12',
  p12_file: 'client_pkcs12',
  pfx: 'client_pkcs12',
  pfx_file: 'client_pkcs12',
  tls_client_pkcs12: 'client_pkcs12',
  client_pkcs12_passphrase: 'client_pkcs12_password',
  client_p12_password: 'client_pkcs12_password',
  client_pfx_password: 'client_pkcs12_password',
  pkcs12_password: 'client_pkcs12_password',
  p12_password: 'client_pkcs12_password',
  pfx_password: 'client_pkcs12_password',
  pfx_passphrase: 'client_pkcs12_password',
  token_lifetime_seconds: 'token_lifetime',
  default_token_lifetime: 'token_lifetime',
  default_token_lifetime_seconds: 'token_lifetime',
  budget: 'request_budget',
  note: 'notes',
  description: 'notes',
};

/** `clientSecret`, `Client-Secret`, `CLIENT_SECRET` -> `client_secret`. */
export function foldKey(key: string): string {
  return key
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s.]+/g, '_')
    .toLowerCase();
}

/** The canonical key for a key as written, or undefined when unknown. */
export function canonicalKey(written: string): CanonicalKey | undefined {
  const folded = foldKey(written);
  if ((CANONICAL_KEYS as readonly string[]).includes(folded)) return folded as CanonicalKey;
  return KEY_ALIASES[folded];
}

/** Edit distance, for "did you mean" suggestions. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The closest known name to `written` (canonical names and aliases alike, the
 * answer always canonical), or undefined when nothing is reasonably close.
 */
export function suggestName(written: string, known: readonly string[], aliases: Record<string, string> = {}): string | undefined {
  const folded = foldKey(written);
  let best: { name: string; distance: number } | undefined;
  for (const candidate of [...known, ...Object.keys(aliases)]) {
    const distance = levenshtein(folded, candidate);
    if (!best || distance < best.distance) best = { name: aliases[candidate] ?? candidate, distance };
  }
  // Beyond a third of the word, a suggestion is noise rather than help.
  if (!best || best.distance > Math.max(2, Math.ceil(folded.length / 3))) return undefined;
  return best.name;
}

/**
 * Names suggested but never accepted. `aud` is the claim inside a JWT, and in
 * a jwt_bearer account it could as well mean the signed assertion's audience
 * (which is `issuer`): mapping it to the `audience` request parameter would
 * silently send something else than the user meant, so it is only a hint.
 */
const SUGGESTED_ONLY: Record<string, CanonicalKey> = {
  aud: 'audience',
};

export function suggestKey(written: string): string | undefined {
  return suggestName(written, CANONICAL_KEYS, { ...KEY_ALIASES, ...SUGGESTED_ONLY });
}

const GRANT_ALIASES: Record<string, GrantType> = {
  'urn:ietf:params:oauth:grant-type:jwt-bearer': 'jwt_bearer',
  'urn:ietf:params:oauth:grant-type:device_code': 'device_code',
  jwt: 'jwt_bearer',
  code: 'authorization_code',
  auth_code: 'authorization_code',
  authorization_code_pkce: 'authorization_code',
  ropc: 'password',
  resource_owner_password: 'password',
  resource_owner_password_credentials: 'password',
  device: 'device_code',
  pat: 'static',
  personal_access_token: 'static',
  token: 'static',
};

/** `client-credentials`, `clientCredentials`, the RFC 7523 URN -> the GrantType. */
export function canonicalGrant(value: string): GrantType | undefined {
  if (GRANT_ALIASES[value] !== undefined) return GRANT_ALIASES[value];
  const folded = foldKey(value);
  if ((GRANT_TYPES as readonly string[]).includes(folded)) return folded as GrantType;
  return GRANT_ALIASES[folded];
}

export function suggestGrant(value: string): string | undefined {
  return suggestName(value, GRANT_TYPES, GRANT_ALIASES);
}

const CLIENT_AUTH_ALIASES: Record<string, ClientAuthMethod> = {
  client_secret_basic: 'basic',
  header: 'basic',
  basic_auth: 'basic',
  basic_auth_header: 'basic',
  client_secret_post: 'body',
  post: 'body',
  form: 'body',
  public: 'none',
  // RFC 8705 2.1 and 2.2 are registered under these names; "mtls" is how vendors' documents say it.
  mtls: 'tls_client_auth',
  mutual_tls: 'tls_client_auth',
  tls: 'tls_client_auth',
  client_certificate: 'tls_client_auth',
  self_signed_tls: 'self_signed_tls_client_auth',
  self_signed_mtls: 'self_signed_tls_client_auth',
};

/** `client_secret_post` (RFC 8414 names), `Basic Auth header` (Insiders' wording) -> the method. */
export function canonicalClientAuth(value: string): ClientAuthMethod | undefined {
  const folded = foldKey(value);
  if ((CLIENT_AUTH_METHODS as readonly string[]).includes(folded)) return folded as ClientAuthMethod;
  return CLIENT_AUTH_ALIASES[folded];
}

export function suggestClientAuth(value: string): string | undefined {
  return suggestName(value, CLIENT_AUTH_METHODS, CLIENT_AUTH_ALIASES);
}

/** `[extra.token]` table names; `authorization` and `revocation` are accepted too. */
export function canonicalRequestKind(value: string): RequestKind | undefined {
  const folded = foldKey(value);
  if ((REQUEST_KINDS as readonly string[]).includes(folded)) return folded as RequestKind;
  return ({ authorization: 'authorize', revocation: 'revoke', refresh_token: 'refresh' } as Record<string, RequestKind>)[folded];
}

/** Fields of a key JSON / inline `key = { ... }` table. */
export const KEY_FIELDS = ['type', 'keyId', 'key', 'userId', 'clientId'] as const;
export type KeyField = (typeof KEY_FIELDS)[number];

export function canonicalKeyField(written: string): KeyField | undefined {
  const folded = foldKey(written);
  const table: Record<string, KeyField> = {
    type: 'type',
    key_id: 'keyId',
    kid: 'keyId',
    key: 'key',
    private_key: 'key',
    user_id: 'userId',
    client_id: 'clientId',
  };
  return table[folded];
}
