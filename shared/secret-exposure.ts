/**
 * SPEC 3: "Changing where an account's requests go (the origin of any
 * endpoint) or where its secret is placed drops its stored secrets and tokens
 * unless the same change supplies them again: a settings change can never
 * send a stored secret to a new host."
 *
 * One rule for both sides: the main process enforces it when an account is
 * edited, and the edit form uses it to say so before saving. Plain data only
 * (no Node, no DOM).
 */
import type { ClientAuthMethod } from './types.js';

/** The settings that decide where secrets and tokens are sent. */
export interface SecretDestinations {
  tokenUrl?: string | undefined;
  authorizeUrl?: string | undefined;
  revokeUrl?: string | undefined;
  deviceAuthorizationUrl?: string | undefined;
  /** Discovery reads endpoints from here, and a jwt_bearer assertion is addressed to it. */
  issuer?: string | undefined;
  clientAuth: ClientAuthMethod;
}

/**
 * The endpoints that receive a secret or a token. `api_url` is left out on
 * purpose: it receives only the access token, which whoever can edit the
 * account can already copy; changing it must not cost a Myfox token request.
 */
const ENDPOINTS = [
  ['tokenUrl', 'token address'],
  ['authorizeUrl', 'sign-in address'],
  ['revokeUrl', 'revocation address'],
  ['deviceAuthorizationUrl', 'device code address'],
  ['issuer', 'provider address'],
] as const;

/**
 * How exposed the client secret (and, with `query`, the password and refresh
 * token) is on the wire. `basic` and `body` both travel inside the TLS
 * request; `query` puts them in the URL, which proxies and servers log.
 * `none` and `private_key_jwt` send no shared secret at all.
 */
const EXPOSURE: Record<ClientAuthMethod, number> = {
  none: 0,
  private_key_jwt: 0,
  // RFC 8705: the key proves possession inside the TLS handshake and never travels.
  tls_client_auth: 0,
  self_signed_tls_client_auth: 0,
  basic: 1,
  basic_raw: 1,
  body: 1,
  query: 2,
};

export type ExposureChange =
  | { reason: 'origin'; field: (typeof ENDPOINTS)[number][0]; what: string; origin: string }
  | { reason: 'client_auth'; from: ClientAuthMethod; to: ClientAuthMethod };

function originOf(url: string | undefined): string | undefined {
  if (url === undefined || url.trim() === '') return undefined;
  try {
    const { origin } = new URL(url);
    // Custom schemes have an opaque origin ("null"): compare the whole URL then.
    return origin === 'null' ? url : origin;
  } catch {
    return url;
  }
}

/**
 * Every change that would send stored secrets or tokens somewhere new. An
 * endpoint added where there was none counts when its origin is none of the
 * account's known ones (adding a revocation address on another host would
 * hand it the refresh token); an endpoint removed never counts.
 */
export function exposureChanges(before: SecretDestinations, after: SecretDestinations): ExposureChange[] {
  const known = new Set(ENDPOINTS.map(([field]) => originOf(before[field])).filter((origin): origin is string => origin !== undefined));
  const changes: ExposureChange[] = [];
  for (const [field, what] of ENDPOINTS) {
    const next = originOf(after[field]);
    if (next === undefined) continue;
    const previous = originOf(before[field]);
    if (previous === next) continue;
    if (previous === undefined && known.has(next)) continue;
    changes.push({ reason: 'origin', field, what, origin: next });
  }
  if (EXPOSURE[after.clientAuth] > EXPOSURE[before.clientAuth]) changes.push({ reason: 'client_auth', from: before.clientAuth, to: after.clientAuth });
  return changes;
}

/** What an account holds that a change can drop, as the edit form knows it (has* flags). */
export interface StoredSecrets {
  clientSecret: boolean;
  password: boolean;
  key: boolean;
  accessToken: boolean;
  tokens: boolean;
}

export type SecretName = keyof StoredSecrets;

const SECRET_WORDS: Record<SecretName, string> = {
  clientSecret: 'the stored client secret',
  password: 'the stored password',
  key: 'the stored key file',
  accessToken: 'the stored access token',
  tokens: 'the saved tokens',
};

/** The secrets a change drops: all that are stored and not supplied again by the same change. */
export function droppedSecrets(stored: StoredSecrets, supplied: Partial<Record<SecretName, boolean>>): SecretName[] {
  return (Object.keys(SECRET_WORDS) as SecretName[]).filter((name) => stored[name] && !supplied[name]);
}

/**
 * "Changing the token address to https://other.example removes the stored
 * client secret and the saved tokens: paste it again." Undefined
 * when nothing is dropped.
 */
export function describeDrop(changes: readonly ExposureChange[], dropped: readonly SecretName[]): string | undefined {
  const first = changes[0];
  if (!first || dropped.length === 0) return undefined;
  const cause =
    first.reason === 'origin'
      ? `Changing the ${first.what} to ${first.origin}`
      : first.to === 'query'
        ? 'Sending the credentials in the address (query)'
        : 'Sending the client secret with each request';
  const words = dropped.map((name) => SECRET_WORDS[name]);
  const list = words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words.at(-1)!}`;
  const toPaste = dropped.filter((name) => name !== 'tokens' && name !== 'key');
  const pasteWords = toPaste.length === 1 ? 'paste it' : 'paste them';
  const again = dropped.includes('key')
    ? toPaste.length > 0
      ? `${pasteWords} and open the key file again`
      : 'open the key file again'
    : toPaste.length > 0
      ? `${pasteWords} again`
      : 'the next request signs in again';
  return `${cause} removes ${list}: ${again}.`;
}
