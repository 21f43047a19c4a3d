/** Resource owner password credentials (Vyopta, Insiders, Myfox seeds). */
import type { AccountSettings, TokenSet } from '../../../../shared/account.js';
import { InputError } from '../../errors.js';
import type { GrantContext } from '../context.js';
import { requestTokens } from '../token-endpoint.js';

/**
 * Exchanges the stored user name and password for tokens.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3.2
 */
export async function runPasswordGrant(settings: AccountSettings, ctx: GrantContext): Promise<TokenSet> {
  if (!settings.username) throw new InputError('ERR_INPUT_MISSING', 'The password grant needs username.', { field: 'username' });
  if (settings.password === undefined || settings.password === '') {
    throw new InputError('ERR_INPUT_MISSING', 'The password grant needs password.', { field: 'password' });
  }
  return requestTokens(settings, 'token', { grant_type: 'password', username: settings.username, password: settings.password }, ctx);
}
