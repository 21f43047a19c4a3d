/**
 * JWT bearer grant (RFC 7523 2.1) with a self-signed assertion from a
 * Zitadel-style key file (myfiber seed): `kid` header, iss = sub = userId,
 * aud = issuer, at most one hour.
 */
import type { AccountSettings, TokenSet } from '../../../../shared/account.js';
import { InputError } from '../../errors.js';
import type { GrantContext } from '../context.js';
import { assertSecureEndpoint, safeRequest, withRateLimitRetry } from '../http.js';
import { assertAudienceOrigin, createJwtAssertion } from '../jwt-assertion.js';
import { buildTokenParams, requestSecrets, requestTokens } from '../token-endpoint.js';
import { processTokenResponse } from '../token-response.js';
import { toSearchParams } from '../request-params.js';

export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const WHAT = 'token endpoint';

/**
 * Exchanges a freshly signed assertion for an access token.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.1
 */
export async function runJwtBearerGrant(settings: AccountSettings, ctx: GrantContext): Promise<TokenSet> {
  const key = settings.key;
  if (!key) throw new InputError('ERR_INPUT_MISSING', 'The jwt_bearer grant needs a key file (key_file or key).', { field: 'key' });
  const audience = settings.issuer;
  if (!audience) throw new InputError('ERR_INPUT_MISSING', 'The jwt_bearer grant needs issuer (it is the audience of the assertion).', { field: 'issuer' });
  const tokenUrl = settings.tokenUrl;
  if (!tokenUrl) throw new InputError('ERR_INPUT_MISSING', 'The jwt_bearer grant needs token_url.', { field: 'token_url' });
  assertSecureEndpoint(tokenUrl, WHAT);
  // Before anything is signed: an assertion for the real issuer must never reach another host.
  assertAudienceOrigin(audience, tokenUrl, 'jwt_bearer assertion', 'token_url');

  // RFC 7523 3.1: client authentication is optional with this grant, and the
  // myfiber key file carries no client_id, so "none" without an id sends no client parameters at all.
  if (settings.clientAuth !== 'none' || settings.clientId) {
    const assertion = await createJwtAssertion(key, audience, ctx.ports);
    return requestTokens(settings, 'token', { grant_type: JWT_BEARER_GRANT_TYPE, assertion }, ctx);
  }

  let sentAt = ctx.ports.clock.now();
  const secrets: string[] = requestSecrets(settings, {}, ctx);
  const response = await withRateLimitRetry(
    async () => {
      // A fresh assertion (new jti) per attempt: a server may refuse a replayed one.
      const params = buildTokenParams(settings, 'token', {
        grant_type: JWT_BEARER_GRANT_TYPE,
        assertion: await createJwtAssertion(key, audience, ctx.ports),
      });
      secrets.push(...requestSecrets(settings, params, ctx));
      ctx.onRequestSent?.();
      sentAt = ctx.ports.clock.now();
      return safeRequest(
        tokenUrl,
        {
          method: 'POST',
          headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
          body: toSearchParams(params).toString(),
          secrets,
        },
        ctx,
        WHAT,
      );
    },
    ctx,
    WHAT,
  );
  return processTokenResponse(response, sentAt, settings, WHAT, secrets);
}
