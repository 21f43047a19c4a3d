/** client_credentials: the client acts on its own behalf (myfiber seed). */
import type { AccountSettings, TokenSet } from '../../../../shared/account.js';
import type { GrantContext } from '../context.js';
import { requestTokens } from '../token-endpoint.js';

/**
 * Requests a token for the client itself; `scope` and client authentication come from the settings.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2
 */
export async function runClientCredentialsGrant(settings: AccountSettings, ctx: GrantContext): Promise<TokenSet> {
  return requestTokens(settings, 'token', { grant_type: 'client_credentials' }, ctx);
}
