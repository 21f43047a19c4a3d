/**
 * Token revocation: RFC 7009 (Insiders `/oauth2/revoke-token/`) or Netrex's
 * `POST /oauth2/revoke?access_token=TOKEN` answering `{"success":true,...}`.
 */
import type { AccountSettings } from '../../../shared/account.js';
import { AuthServerError, InputError } from '../errors.js';
import { appendQuery, authenticateRequest } from './client-auth.js';
import type { GrantContext } from './context.js';
import type { SafeResponse } from './http.js';
import { assertSecureEndpoint, safeRequest, withRateLimitRetry } from './http.js';
import { extraParams } from './protocol-params.js';
import { quoteServerText } from './redaction.js';
import { requestSecrets } from './token-endpoint.js';
import { httpStatusError, notJsonError, parseErrorResponse } from './token-response.js';

const WHAT = 'revocation endpoint';

/**
 * Revokes `token` at `settings.revokeUrl` in the account's revocation style,
 * with the account's client authentication (RFC 7009 style). Resolves when
 * the server confirms; an unknown token is success too (RFC 7009 2.2).
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 */
export async function revokeToken(
  settings: AccountSettings,
  token: string,
  tokenTypeHint: 'access_token' | 'refresh_token',
  ctx: GrantContext,
): Promise<void> {
  const revokeUrl = settings.revokeUrl;
  if (!revokeUrl) throw new InputError('ERR_INPUT_MISSING', 'The account has no revocation URL (revoke_url).', { field: 'revoke_url' });
  if (!token) throw new InputError('ERR_INPUT_MISSING', 'There is no token to revoke.');
  assertSecureEndpoint(revokeUrl, WHAT);
  const secrets = [...requestSecrets(settings, {}, ctx), token];

  if (settings.revokeStyle === 'access_token_query') {
    // The protocol parameter last: no extra can name another token.
    const url = appendQuery(revokeUrl, new URLSearchParams({ ...extraParams(settings, 'revoke'), access_token: token }));
    const response = await withRateLimitRetry(() => safeRequest(url, { method: 'POST', headers: { Accept: 'application/json' }, secrets }, ctx, WHAT), ctx, WHAT);
    return processNetrexRevocation(response, secrets);
  }

  const params = { ...extraParams(settings, 'revoke'), token, token_type_hint: tokenTypeHint };
  const response = await withRateLimitRetry(
    async () => {
      const wire = await authenticateRequest(settings.clientAuth, settings, revokeUrl, params, ctx, settings.tokenUrl ?? revokeUrl);
      secrets.push(...wire.secrets);
      return safeRequest(wire.url, { method: 'POST', headers: wire.headers, ...(wire.body !== undefined ? { body: wire.body } : {}), secrets }, ctx, WHAT);
    },
    ctx,
    WHAT,
  );
  const error = parseErrorResponse(response.json, response.status, WHAT, secrets);
  if (error) throw error;
  // RFC 7009 2.2: HTTP 200 is success and the body is ignored.
  if (response.status < 200 || response.status >= 300) throw httpStatusError(response, WHAT, secrets);
}

/** Netrex answers `{"success":true,"message":"..."}`; `success:false` is a refusal. */
function processNetrexRevocation(response: SafeResponse, secrets: string[]): void {
  const error = parseErrorResponse(response.json, response.status, WHAT, secrets);
  if (error) throw error;
  if (response.status < 200 || response.status >= 300) throw httpStatusError(response, WHAT, secrets);
  if (response.json === undefined) throw notJsonError(response, WHAT, secrets);
  const body = response.json as { success?: unknown; message?: unknown };
  if (typeof body === 'object' && body !== null && body.success === false) {
    const message = typeof body.message === 'string' ? quoteServerText(body.message, 300, secrets) : 'no reason given';
    throw new AuthServerError('ERR_AUTH_SERVER', `The ${WHAT} did not revoke the token: ${message}`, {
      error: message,
      status: response.status,
    });
  }
}
