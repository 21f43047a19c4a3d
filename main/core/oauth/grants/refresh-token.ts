/** refresh_token (Insiders, Myfox, Netrex seeds). */
import type { AccountSettings, TokenSet } from '../../../../shared/account.js';
import { InputError } from '../../errors.js';
import type { GrantContext } from '../context.js';
import { requestTokens } from '../token-endpoint.js';

/**
 * Uses a refresh token for a new access token. When the response carries no
 * refresh token (Myfox), the old one stays valid and is kept; a rotated one replaces it.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 */
export async function refreshAccessToken(settings: AccountSettings, refreshToken: string, ctx: GrantContext): Promise<TokenSet> {
  if (!refreshToken) throw new InputError('ERR_INPUT_MISSING', 'There is no refresh token to use.', { field: 'refresh_token' });
  const token = await requestTokens(settings, 'refresh', { grant_type: 'refresh_token', refresh_token: refreshToken }, ctx);
  if (token.refreshToken === undefined) token.refreshToken = refreshToken;
  return token;
}
