/**
 * The token-endpoint client: every grant ends here.
 *
 * How a token request flows
 * 1. A grant module (grants/*.ts) turns account settings into protocol
 *    parameters (`grant_type=password&username=...`) and calls `requestTokens`.
 * 2. `requestTokens` merges `settings.extra[kind]` (minus any protocol
 *    parameter, protocol-params.ts), then the grant's parameters and `scope`
 *    (joined with the account's separator: " " or Netrex's ",") over them, and
 *    checks the endpoint is https or loopback before anything is built or sent (SPEC 3).
 * 3. client-auth.ts authenticates the request as the account says (basic,
 *    basic_raw, body, query, none, private_key_jwt) - the URL is used exactly
 *    as given (Insiders needs its trailing slash).
 * 4. http.ts `safeRequest` sends it: no redirects followed, 1 MiB cap, timeout,
 *    cancellation; `withRateLimitRetry` honours HTTP 429 Retry-After, bounded.
 * 5. token-response.ts classifies the answer: OAuth error shapes (RFC 6749,
 *    Netrex free text, Myfox "KO") -> AuthServerError; a non-2xx without one ->
 *    TransportError quoting the body; a 2xx that is not JSON -> TransportError
 *    that never quotes it; otherwise a lenient parse into a TokenSet. Every
 *    quoted text is redacted of the request's secrets in all their echo forms
 *    (redaction.ts), ctx.knownSecrets included.
 * 6. If `basic` was refused with invalid_client, the other ways are tried once
 *    each (clientAuthFallbacks): the secret in the form body when nobody chose
 *    the client authentication (`clientAuthAuto`), and `basic_raw` when the
 *    credentials contain characters that form-encoding changes; when one works
 *    the caller learns it (ctx.onClientAuthLearned) and the progress line says so.
 *
 * Nothing here caches, single-flights or counts requests: the account service
 * does, told of every request right before it is sent (ctx.onRequestSent).
 */
import type { AccountSettings, TokenSet } from '../../../shared/account.js';
import type { ClientAuthMethod } from '../../../shared/types.js';
import { AuthServerError, InputError, TransportError } from '../errors.js';
import { authenticateRequest, basicVariantsDiffer } from './client-auth.js';
import type { GrantContext } from './context.js';
import type { SafeResponse } from './http.js';
import { assertSecureEndpoint, safeRequest, withRateLimitRetry } from './http.js';
import { extraParams } from './protocol-params.js';
import type { RequestParams } from './request-params.js';
import { paramValues } from './request-params.js';
import { targetParams } from './resource-indicators.js';
import { basicCredentialSecrets } from './redaction.js';
import { parseErrorResponse, processTokenResponse } from './token-response.js';

const WHAT = 'token endpoint';

/** Grants whose token request carries no `scope` (it was sent earlier, with the authorization or device request). */
const SCOPE_ELSEWHERE = new Set(['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']);

/** Request parameters whose values are secrets, redacted from any server text we quote. */
const SECRET_PARAMS = ['password', 'refresh_token', 'code', 'code_verifier', 'assertion', 'client_secret', 'client_assertion', 'token', 'device_code', 'access_token'];

/**
 * Extra parameter values are redacted too (an API key passed as `[extra.token]`
 * is as secret as a client secret), except values this short: those are
 * switches (`1`, `true`, `no`), and blanking them would blank ordinary words.
 */
const MIN_REDACTED_EXTRA_LENGTH = 4;

/** The account's scopes as one parameter value; undefined when there are none. */
export function joinScopes(settings: Pick<AccountSettings, 'scopes' | 'scopeSeparator'>): string | undefined {
  return settings.scopes.length > 0 ? settings.scopes.join(settings.scopeSeparator || ' ') : undefined;
}

/**
 * The full parameter set of a token request: `settings.extra[kind]` first
 * (without any protocol parameter), the account's `resource` (one per value)
 * and `audience` (RFC 8707 2.2: every grant and every refresh), the grant's
 * own parameters over them (extras may add, never override the protocol),
 * and `scope` for grants that carry it unless the grant gave one. Client
 * authentication is added after all of these (client-auth.ts).
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2.2
 */
export function buildTokenParams(settings: AccountSettings, kind: 'token' | 'refresh', params: Record<string, string>): RequestParams {
  const merged: RequestParams = { ...extraParams(settings, kind), ...targetParams(settings), ...params };
  const scope = joinScopes(settings);
  if (kind === 'token' && params.scope === undefined && scope !== undefined && !SCOPE_ELSEWHERE.has(params.grant_type ?? '')) {
    merged.scope = scope;
  }
  return merged;
}

/**
 * Secret strings of a request, so that server text echoing them can be
 * redacted (redaction.ts expands each into its echo forms): the account's
 * secrets, the Base64 credentials of both Basic variants, the secret
 * parameters and every extra parameter value, and what the caller knows
 * (ctx.knownSecrets: the stored tokens).
 */
export function requestSecrets(settings: AccountSettings, params: RequestParams, ctx?: Pick<GrantContext, 'knownSecrets'>): string[] {
  const out: (string | undefined)[] = [settings.clientSecret, settings.password, settings.accessToken, settings.key?.key];
  if (settings.clientId !== undefined && settings.clientSecret !== undefined) out.push(...basicCredentialSecrets(settings.clientId, settings.clientSecret));
  out.push(...paramValues(params, SECRET_PARAMS));
  for (const values of Object.values(settings.extra)) {
    for (const value of Object.values(values ?? {})) if (value.length >= MIN_REDACTED_EXTRA_LENGTH) out.push(value);
  }
  out.push(...(ctx?.knownSecrets ?? []));
  return [...new Set(out.filter((s): s is string => typeof s === 'string' && s.length > 0))];
}

/**
 * POSTs a token request (grant parameters, client authentication per
 * `settings.clientAuth`, extras from `settings.extra[kind]`) to
 * `settings.tokenUrl` and returns the parsed TokenSet. `kind` is 'token' for
 * initial grants and 'refresh' for refresh. Applies the one-time fallbacks
 * after a refused `basic` (clientAuthFallbacks; calls `ctx.onClientAuthLearned`).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5
 */
export async function requestTokens(
  settings: AccountSettings,
  kind: 'token' | 'refresh',
  params: Record<string, string>,
  ctx: GrantContext,
): Promise<TokenSet> {
  try {
    return await sendTokenRequest(settings, kind, params, ctx);
  } catch (error) {
    throw withRefusedGrant(error, kind === 'refresh' ? 'refresh_token' : settings.grant);
  }
}

/** A refusal of the authorization server, saying which grant's request it refused (the advice depends on it); anything else as it is. */
export function withRefusedGrant(error: unknown, grant: string): unknown {
  if (!(error instanceof AuthServerError) || error.grant !== undefined) return error;
  const { error: code, errorDescription, status } = error;
  return new AuthServerError(error.code, error.message, { error: code, ...(errorDescription !== undefined ? { errorDescription } : {}), ...(status !== undefined ? { status } : {}), grant });
}

async function sendTokenRequest(
  settings: AccountSettings,
  kind: 'token' | 'refresh',
  params: Record<string, string>,
  ctx: GrantContext,
): Promise<TokenSet> {
  const tokenUrl = settings.tokenUrl;
  if (!tokenUrl) throw new InputError('ERR_INPUT_MISSING', 'The account has no token URL (token_url).', { field: 'token_url' });
  assertSecureEndpoint(tokenUrl, WHAT);
  const full = buildTokenParams(settings, kind, params);
  // Grows with each attempt's wire secrets (a fresh client assertion each time).
  const secrets = requestSecrets(settings, full, ctx);

  const send = async (method: ClientAuthMethod): Promise<{ response: SafeResponse; sentAt: number }> => {
    let sentAt = ctx.ports.clock.now();
    const response = await withRateLimitRetry(
      async () => {
        // Rebuilt per attempt: a client assertion must not be replayed (fresh jti).
        const wire = await authenticateRequest(method, settings, tokenUrl, full, ctx);
        secrets.push(...wire.secrets);
        // The caller counts what reaches the server (Myfox counts requests, not intentions) and may stop it here.
        ctx.onRequestSent?.();
        sentAt = ctx.ports.clock.now();
        return safeRequest(
          wire.url,
          { method: 'POST', headers: wire.headers, ...(wire.body !== undefined ? { body: wire.body } : {}), secrets },
          ctx,
          WHAT,
        );
      },
      ctx,
      WHAT,
    ).catch((error: unknown) => {
      throw withTrailingSlashFix(error, tokenUrl);
    });
    return { response, sentAt };
  };

  const first = await send(settings.clientAuth);
  const fallbacks = settings.clientAuth === 'basic' && isInvalidClient(first.response) ? clientAuthFallbacks(settings) : [];
  for (const method of fallbacks) {
    const retry = await send(method);
    let token: TokenSet;
    try {
      token = processTokenResponse(retry.response, retry.sentAt, settings, WHAT, secrets);
    } catch (error) {
      // Refused again at client authentication: this way was no better, try the next.
      if (error instanceof AuthServerError && REFUSED_CLIENT_AUTH.has(error.error)) continue;
      throw error;
    }
    ctx.onClientAuthLearned?.(method);
    ctx.onProgress?.(LEARNED_WORDS[method] ?? `The server accepted the client credentials as "${method}"; TokenDesk will use that from now on.`);
    return token;
  }
  try {
    return processTokenResponse(first.response, first.sentAt, settings, WHAT, secrets);
  } catch (error) {
    // Every way was refused: only now is it fair to say the credentials themselves look wrong.
    if (settings.clientAuthAuto && fallbacks.length > 0 && error instanceof AuthServerError) throw allRefused(error, fallbacks);
    throw error;
  }
}

/**
 * The token URL with the "/" its server asks for, when a redirect says only
 * that is missing (Insiders: "The trailing slash in the URLs are mandatory",
 * answered by Django with a 301). Built from the configured address, never
 * from the server's Location; undefined when the address has a query, a
 * fragment or user info (nothing that could hold a secret goes into a fix).
 */
export function trailingSlashFix(tokenUrl: string): string | undefined {
  if (tokenUrl.endsWith('/') || /[?#]/.test(tokenUrl)) return undefined;
  try {
    const url = new URL(tokenUrl);
    if (url.username || url.password) return undefined;
  } catch {
    return undefined;
  }
  return `${tokenUrl}/`;
}

/** A redirect that only adds the trailing slash becomes an error that offers the corrected token URL (`fix`). */
function withTrailingSlashFix(error: unknown, tokenUrl: string): unknown {
  if (!(error instanceof TransportError) || error.code !== 'ERR_REDIRECT' || !error.trailingSlashOnly) return error;
  const value = trailingSlashFix(tokenUrl);
  if (value === undefined) return error;
  return new TransportError(
    'ERR_REDIRECT',
    `The ${WHAT} answered HTTP ${error.status ?? 'redirect'} redirecting to ${error.location ?? value}: this server needs the “/” at the end of the token URL, and TokenDesk never follows redirects from it. Use ${value} instead.`,
    { ...(error.status !== undefined ? { status: error.status } : {}), ...(error.location !== undefined ? { location: error.location } : {}), trailingSlashOnly: true, fix: { field: 'tokenUrl', value } },
  );
}

/**
 * The other client authentications to try once after the server refused
 * `basic` with invalid_client, in order. An account whose client
 * authentication nobody chose (`clientAuthAuto`: neither the text nor a
 * preset said) tries the secret in the form body first (myfiber's documented
 * curl sends it there), then the Basic variant without form-encoding where it
 * differs; every other account only the Basic variant (SPEC 2).
 */
export function clientAuthFallbacks(settings: Pick<AccountSettings, 'clientId' | 'clientSecret' | 'clientAuthAuto'>): ClientAuthMethod[] {
  const rawDiffers = basicVariantsDiffer(settings.clientId ?? '', settings.clientSecret ?? '');
  const methods: ClientAuthMethod[] = settings.clientAuthAuto ? ['body'] : [];
  if (rawDiffers) methods.push('basic_raw');
  return methods;
}

/**
 * The refusals that mean "not authenticated this way": invalid_client, and
 * invalid_request from servers that read a request without the credentials
 * they expect as malformed.
 */
const REFUSED_CLIENT_AUTH = new Set(['invalid_client', 'invalid_request']);

/** What the progress line says once another way worked. */
const LEARNED_WORDS: Partial<Record<ClientAuthMethod, string>> = {
  body: 'The server did not accept the client ID and secret in the Authorization header, but did accept them in the request itself; TokenDesk will send them that way from now on.',
  basic_raw: 'The server accepted the client credentials without form-encoding; TokenDesk will use that from now on.',
};

const TRIED_WORDS: Partial<Record<ClientAuthMethod, string>> = {
  body: 'in the request itself',
  basic_raw: 'in the Authorization header without encoding',
};

/** The first refusal, saying that the other ways were tried too (so the client ID or secret itself is what the server refuses). */
function allRefused(first: AuthServerError, tried: readonly ClientAuthMethod[]): AuthServerError {
  const ways = tried.map((method) => TRIED_WORDS[method] ?? method).join(' and ');
  return new AuthServerError(
    first.code,
    `${first.message.replace(/\.$/, '')}. TokenDesk also sent the client ID and secret ${ways}, and the server refused each: the client ID or secret is not what the server expects.`,
    { error: first.error, ...(first.errorDescription !== undefined ? { errorDescription: first.errorDescription } : {}), ...(first.status !== undefined ? { status: first.status } : {}) },
  );
}

function isInvalidClient(response: SafeResponse): boolean {
  if (response.status !== 400 && response.status !== 401) return false;
  return parseErrorResponse(response.json, response.status)?.error === 'invalid_client';
}
