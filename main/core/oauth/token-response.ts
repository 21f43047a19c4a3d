/**
 * Lenient processing of token endpoint responses. Strict where it matters
 * (an access token must be there), lenient where the seed providers deviate
 * from RFC 6749 5.1 (SPEC 2 "Provider dialects").
 */
import { decodeJwt } from 'jose';
import type { AccountSettings, TokenSet } from '../../../shared/account.js';
import { AuthServerError, TransportError } from '../errors.js';
import type { SafeResponse } from './http.js';
import { quoteServerText } from './redaction.js';
import { isHttpToken, normaliseTokenType } from './token-type.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export { redactSecrets } from './redaction.js';

/**
 * Recognises an OAuth error body: RFC 6749 `{error, error_description}`,
 * Netrex `{"error":"Error message"}` (free text) and Myfox
 * `{"status":"KO","error":"invalid_token",...}`. Undefined when `json` is not one.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export function parseErrorResponse(
  json: unknown,
  status?: number,
  what = 'token endpoint',
  secrets: readonly (string | undefined)[] = [],
): AuthServerError | undefined {
  if (!isObject(json)) return undefined;
  const rawError = json.error;
  let error: string | undefined;
  if (typeof rawError === 'string' && rawError.trim()) error = rawError;
  else if (isObject(rawError) && typeof rawError.message === 'string') error = rawError.message;
  else if (json.status === 'KO' && typeof json.message === 'string') error = json.message;
  if (error === undefined) return undefined;
  const description = typeof json.error_description === 'string' && json.error_description.trim() ? json.error_description : undefined;
  const errorText = quoteServerText(error, 200, secrets);
  const descriptionText = description ? quoteServerText(description, 300, secrets) : undefined;
  const statusText = status !== undefined ? ` (HTTP ${status})` : '';
  return new AuthServerError(
    'ERR_AUTH_SERVER',
    `The ${what} refused the request${statusText}: ${errorText}${descriptionText ? ` - ${descriptionText}` : ''}`,
    { error: errorText, ...(descriptionText ? { errorDescription: descriptionText } : {}), ...(status !== undefined ? { status } : {}) },
  );
}

/** A positive number of seconds from a number or a numeric string; undefined otherwise. */
/**
 * Lifetimes beyond this are not lifetimes: a server sending `1e308` would
 * otherwise make an expiry that no Date can hold (and that JSON stores as
 * null). Such values count as "unknown".
 */
const MAX_LIFETIME_SECONDS = 100 * 365 * 86_400;
/** Latest instant a JavaScript Date can represent (ECMAScript 21.4.1.1). */
const MAX_DATE_MS = 8.64e15;

/**
 * `now` plus `lifetimeSeconds` as epoch ms, or undefined when that is no
 * instant a Date can hold (a lifetime stored by an older version without the
 * import bound): `new Date(x).toISOString()` throws past 8.64e15.
 */
export function expiryAfter(now: number, lifetimeSeconds: number): number | undefined {
  const at = now + lifetimeSeconds * 1000;
  return isRepresentableTime(at) ? at : undefined;
}

/** True when `ms` is an instant a Date can hold (so formatting it cannot throw). */
export function isRepresentableTime(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS;
}

function seconds(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 && n <= MAX_LIFETIME_SECONDS ? n : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The access token's JWT `exp` in epoch ms, when it is a JWT with one (not verified: the client only needs a hint). */
export function jwtExpiry(token: string): number | undefined {
  if (token.split('.').length !== 3) return undefined;
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' && Number.isFinite(exp) && exp > 0 && exp * 1000 <= MAX_DATE_MS ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns a successful token response into a TokenSet. Accepts a missing or
 * lower-case `token_type`, `"scope": null`, `expires_in` as a string,
 * Keycloak extras; falls back to the JWT `exp`, then to the configured lifetime.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function parseTokenResponse(
  json: unknown,
  now: number,
  settings?: Pick<AccountSettings, 'defaultTokenLifetimeSeconds'>,
  what = 'token endpoint',
): TokenSet {
  if (!isObject(json)) {
    throw new TransportError('ERR_RESPONSE_INVALID', `The ${what} answered with JSON that is not a token response (expected an object).`);
  }
  const accessToken = nonEmptyString(json.access_token);
  // A token goes into an Authorization header: whitespace or control characters
  // there would break the header (or inject another), so such a token is refused.
  if (accessToken !== undefined && !/^[\x21-\x7e]+$/.test(accessToken)) {
    throw new TransportError('ERR_RESPONSE_INVALID', `The ${what} answered with an access_token that contains spaces or characters a token cannot have.`);
  }
  if (!accessToken) {
    throw new TransportError('ERR_RESPONSE_INVALID', `The ${what} answered without an access_token.`);
  }
  // Missing, empty or not a string: Bearer, as before (Netrex sends none).
  const rawType = nonEmptyString(json.token_type);
  if (rawType !== undefined && !isHttpToken(rawType)) {
    // It goes into an Authorization header as the scheme: `Bearer\r\nX-Injected: 1` would add a header.
    throw new TransportError(
      'ERR_RESPONSE_INVALID',
      `The ${what} answered with a token_type that is not a single word (RFC 7230 token characters only), so it cannot be used in an Authorization header.`,
    );
  }
  const tokenType = normaliseTokenType(rawType);

  let expiresAt: number | undefined;
  const expiresIn = seconds(json.expires_in);
  if (expiresIn !== undefined) expiresAt = expiryAfter(now, expiresIn);
  else expiresAt = jwtExpiry(accessToken);
  if (expiresAt === undefined && settings?.defaultTokenLifetimeSeconds) {
    expiresAt = expiryAfter(now, settings.defaultTokenLifetimeSeconds);
  }

  const token: TokenSet = { accessToken, tokenType, obtainedAt: now };
  if (expiresAt !== undefined) token.expiresAt = expiresAt;
  const refreshToken = nonEmptyString(json.refresh_token);
  if (refreshToken) token.refreshToken = refreshToken;
  // Keycloak sends 0 for "does not expire" (myfiber seed: refresh_expires_in: 0).
  const refreshExpiresIn = seconds(json.refresh_expires_in);
  const refreshExpiresAt = refreshToken && refreshExpiresIn !== undefined ? expiryAfter(now, refreshExpiresIn) : undefined;
  if (refreshExpiresAt !== undefined) token.refreshExpiresAt = refreshExpiresAt;
  if (typeof json.scope === 'string') token.scope = json.scope;
  else if (Array.isArray(json.scope) && json.scope.every((s) => typeof s === 'string')) token.scope = json.scope.join(' ');
  const idToken = nonEmptyString(json.id_token);
  if (idToken) token.idToken = idToken;
  return token;
}

/**
 * Says why a 2xx body could not be used, WITHOUT quoting it: a successful
 * answer is where tokens are (a form-encoded `access_token=...`, JSON cut
 * short after `"refresh_token":"...`), and the client does not know them yet,
 * so no redaction could remove them. Its content type and length are named instead.
 */
export function notJsonError(response: SafeResponse, what: string, secrets: readonly (string | undefined)[] = []): TransportError {
  const empty = response.bodyBytes === 0 || response.bodyText.trim() === '';
  const why = response.invalidUtf8 ? 'is not valid UTF-8 text' : empty ? 'is empty' : 'is not JSON (or is cut short)';
  const contentType = response.headers.get('content-type');
  const described = empty
    ? ''
    : `: ${response.bodyBytes} ${response.bodyBytes === 1 ? 'byte' : 'bytes'}${contentType ? ` of ${quoteServerText(contentType, 100, secrets)}` : ' without a content type'}, not shown because a successful answer may hold a token`;
  return new TransportError('ERR_RESPONSE_NOT_JSON', `The ${what} answered HTTP ${response.status} with a body that ${why}${described}.`, {
    status: response.status,
  });
}

/**
 * Classifies a whole response: OAuth error (any status) -> AuthServerError;
 * other non-2xx -> ERR_HTTP_STATUS; 2xx but not JSON -> ERR_RESPONSE_NOT_JSON; else the TokenSet.
 */
export function processTokenResponse(
  response: SafeResponse,
  now: number,
  settings?: Pick<AccountSettings, 'defaultTokenLifetimeSeconds'>,
  what = 'token endpoint',
  secrets: readonly (string | undefined)[] = [],
): TokenSet {
  // Netrex may answer `{"error": ...}` with any status, so the error shape wins over the status.
  const oauthError = parseErrorResponse(response.json, response.status, what, secrets);
  if (oauthError) throw oauthError;
  // A proxy's HTML 502 is better reported as the status it is; a 200 that is not JSON is a protocol failure.
  if (response.status < 200 || response.status >= 300) throw httpStatusError(response, what, secrets);
  if (response.json === undefined) throw notJsonError(response, what, secrets);
  return parseTokenResponse(response.json, now, settings, what);
}

export function httpStatusError(response: SafeResponse, what: string, secrets: readonly (string | undefined)[] = []): TransportError {
  // Only ever called for a non-2xx answer (a refusal, a proxy's error page), redacted of every secret.
  const quoted = quoteServerText(response.bodyText, 200, secrets);
  return new TransportError(
    'ERR_HTTP_STATUS',
    `The ${what} answered HTTP ${response.status}${quoted ? `: "${quoted}"` : ''}.`,
    { status: response.status },
  );
}

export { isHttpToken, normaliseTokenType };
