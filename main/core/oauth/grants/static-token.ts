/** static: a personal access token made in the vendor's UI (myfiber PAT, Netrex user token). */
import type { AccountSettings, TokenSet } from '../../../../shared/account.js';
import { InputError } from '../../errors.js';
import type { GrantContext } from '../context.js';
import { jwtExpiry } from '../token-response.js';

/**
 * Wraps the stored token as a TokenSet; no request is made. Expiry from the
 * JWT `exp` when the token is a JWT, else unknown.
 */
export async function runStaticGrant(settings: AccountSettings, ctx: GrantContext): Promise<TokenSet> {
  const accessToken = settings.accessToken?.trim();
  if (!accessToken) throw new InputError('ERR_INPUT_MISSING', 'The static grant needs access_token.', { field: 'access_token' });
  const now = ctx.ports.clock.now();
  const token: TokenSet = { accessToken, tokenType: 'Bearer', obtainedAt: now };
  // Not defaultTokenLifetimeSeconds: that describes tokens the endpoint issues, not a PAT made by hand.
  const expiresAt = jwtExpiry(accessToken);
  if (expiresAt !== undefined) token.expiresAt = expiresAt;
  if (settings.scopes.length > 0) token.scope = settings.scopes.join(settings.scopeSeparator || ' ');
  return token;
}
