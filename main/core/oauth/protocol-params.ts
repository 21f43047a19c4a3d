/**
 * Which request parameters belong to the protocol, per request kind, so that
 * no `[extra.KIND]` value can replace one (SPEC 5 extras may add, never
 * override). The importer refuses such a key with a message naming it; the
 * request builders drop it again at run time (settings saved by an older
 * version) and set the protocol parameters last.
 *
 * How the lists were chosen: a name is reserved for a kind when TokenDesk
 * sends it itself in some request of that kind, or when it carries client
 * authentication (which client-auth.ts alone decides: an extra `client_secret`
 * beside Basic would send the secret twice, an extra `client_assertion` would
 * be an assertion TokenDesk did not sign).
 * - authorize (RFC 6749 4.1.1, RFC 7636 4.3): response_type, client_id,
 *   redirect_uri, state, code_challenge, code_challenge_method, and the
 *   RFC 9207 / OIDC response parameters that only a server may set (iss).
 * - token: the `token` kind is shared by every initial grant, so it reserves
 *   the union: grant_type, code, code_verifier, redirect_uri (authorization_code),
 *   username, password (password), assertion (jwt_bearer), device_code
 *   (device_code), refresh_token, plus client authentication.
 * - refresh (RFC 6749 6): grant_type, refresh_token, client authentication.
 *   `scope` stays allowed: RFC 6749 6 lets a refresh ask for less, and
 *   TokenDesk sends none itself.
 * - revoke (RFC 7009 2.1, Netrex): token, token_type_hint, access_token,
 *   client authentication.
 * - device (RFC 8628 3.1): client authentication.
 * - `scope` in authorize, token and device is reserved when the account has
 *   scopes: TokenDesk sends them there, joined with the account's separator.
 *   Without scopes, an extra `scope` is the only way to send one and stays allowed.
 * - `resource` (RFC 8707) and `audience` in authorize, token, refresh and
 *   device are reserved when the account has that setting: TokenDesk sends it
 *   there itself (resource-indicators.ts). Without the setting, an extra of
 *   that name is what older files used (SPEC 5's `[extra.token] audience`)
 *   and keeps working exactly as before.
 * Names are compared without regard to case: some servers fold them.
 */
import type { AccountSettings } from '../../../shared/account.js';
import type { RequestKind } from '../../../shared/types.js';

const CLIENT_AUTHENTICATION = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'] as const;

export const PROTOCOL_PARAMS: Readonly<Record<RequestKind, readonly string[]>> = {
  authorize: ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'iss'],
  token: ['grant_type', 'code', 'code_verifier', 'redirect_uri', 'username', 'password', 'assertion', 'device_code', 'refresh_token', ...CLIENT_AUTHENTICATION],
  refresh: ['grant_type', 'refresh_token', ...CLIENT_AUTHENTICATION],
  revoke: ['token', 'token_type_hint', 'access_token', ...CLIENT_AUTHENTICATION],
  device: [...CLIENT_AUTHENTICATION],
};

/** Kinds where TokenDesk sends the account's scopes itself. */
const SCOPE_KINDS: ReadonlySet<RequestKind> = new Set(['authorize', 'token', 'device']);

/** Kinds where TokenDesk sends the account's `resource` and `audience` itself (RFC 8707 2.1, 2.2). */
export const TARGET_KINDS: ReadonlySet<RequestKind> = new Set(['authorize', 'token', 'refresh', 'device']);

/** The settings that decide whether `scope`, `resource` and `audience` are the protocol's in a request. */
export type ProtocolParamSettings = Pick<AccountSettings, 'scopes' | 'resource' | 'audience'>;

/** true when an extra parameter `name` of request kind `kind` would replace a protocol parameter. */
export function isProtocolParam(kind: RequestKind, name: string, settings: ProtocolParamSettings): boolean {
  const folded = name.toLowerCase();
  if (folded === 'scope') return settings.scopes.length > 0 && SCOPE_KINDS.has(kind);
  if (folded === 'resource') return (settings.resource?.length ?? 0) > 0 && TARGET_KINDS.has(kind);
  if (folded === 'audience') return settings.audience !== undefined && TARGET_KINDS.has(kind);
  return PROTOCOL_PARAMS[kind].includes(folded);
}

/**
 * The extras without any named `name` (any case) in the kinds where TokenDesk
 * sends `resource` and `audience` itself: what an edit that sets one of those
 * settings keeps, since the setting now says what the extra said (an older
 * file's `[extra.token] audience`), and both at once would be refused.
 */
export function withoutTargetExtras(extra: AccountSettings['extra'], names: readonly ('resource' | 'audience')[]): AccountSettings['extra'] {
  const out: AccountSettings['extra'] = {};
  for (const [kind, params] of Object.entries(extra) as [RequestKind, Record<string, string> | undefined][]) {
    if (!params) continue;
    if (!TARGET_KINDS.has(kind)) {
      out[kind] = params;
      continue;
    }
    out[kind] = Object.fromEntries(Object.entries(params).filter(([name]) => !(names as readonly string[]).includes(name.toLowerCase())));
  }
  return out;
}

/** The account's extra parameters for `kind`, without any that would replace a protocol parameter. */
export function extraParams(settings: Pick<AccountSettings, 'extra'> & ProtocolParamSettings, kind: RequestKind): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings.extra[kind] ?? {})) {
    if (!isProtocolParam(kind, name, settings)) out[name] = value;
  }
  return out;
}
