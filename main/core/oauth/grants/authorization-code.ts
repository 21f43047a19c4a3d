/**
 * authorization_code grant with PKCE S256 and state (SPEC 2): the browser
 * part lives in AuthorizationFlows; this module checks the settings first so
 * nothing is opened or bound for an account that cannot succeed.
 */
import type { AccountSettings, TokenSet } from '../../../../shared/account.js';
import { InputError } from '../../errors.js';
import type { AuthorizationFlows } from '../authorization-flows.js';
import type { GrantContext } from '../context.js';
import { assertSecureEndpoint } from '../http.js';

/**
 * Runs the authorization-code grant through the host's pending-flow manager.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7
 */
export async function runAuthorizationCodeGrant(settings: AccountSettings, ctx: GrantContext, flows: AuthorizationFlows): Promise<TokenSet> {
  for (const [field, key] of [
    ['authorize_url', 'authorizeUrl'],
    ['token_url', 'tokenUrl'],
    ['client_id', 'clientId'],
  ] as const) {
    if (!settings[key]) {
      throw new InputError('ERR_INPUT_MISSING', `The authorization_code grant needs ${field}.`, { field });
    }
  }
  // The authorize URL is opened in the browser with our state and challenge: same https rule as the endpoints.
  assertSecureEndpoint(settings.authorizeUrl!, 'authorization');
  assertSecureEndpoint(settings.tokenUrl!, 'token endpoint');
  return flows.start(settings, ctx);
}
