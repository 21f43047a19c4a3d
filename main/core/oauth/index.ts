/**
 * The grant dispatcher: one entry that turns account settings into a token,
 * whatever the grant. Each grant lives in its own module under ./grants; the
 * cache/refresh/re-run decision lives once, in the account service.
 */
import type { AccountSettings, TokenSet } from '../../../shared/account.js';
import type { AuthorizationFlows } from './authorization-flows.js';
import type { GrantContext } from './context.js';
import { runAuthorizationCodeGrant } from './grants/authorization-code.js';
import { runClientCredentialsGrant } from './grants/client-credentials.js';
import { runDeviceCodeGrant } from './grants/device-code.js';
import { runJwtBearerGrant } from './grants/jwt-bearer.js';
import { runPasswordGrant } from './grants/password.js';
import { runStaticGrant } from './grants/static-token.js';
import { withRefusedGrant } from './token-endpoint.js';

export { refreshAccessToken } from './grants/refresh-token.js';
export { revokeToken } from './revoke.js';
export { discoverEndpoints, resolveEndpoints } from './discovery.js';
export { AuthorizationFlows } from './authorization-flows.js';
export type { GrantContext } from './context.js';

/** Grants that need the user (a browser login, a code typed elsewhere). */
export function isInteractiveGrant(grant: AccountSettings['grant']): boolean {
  return grant === 'authorization_code' || grant === 'device_code';
}

/**
 * Runs the account's grant once and returns the new tokens.
 * `flows` is needed only for authorization_code (it owns the pending flows
 * that a loopback listener, a custom-protocol URL or a pasted URL completes).
 */
export async function obtainToken(settings: AccountSettings, ctx: GrantContext, flows: AuthorizationFlows): Promise<TokenSet> {
  try {
    return await runGrant(settings, ctx, flows);
  } catch (error) {
    // The jwt-bearer grant without client authentication and the device poll send their own requests.
    throw withRefusedGrant(error, settings.grant);
  }
}

function runGrant(settings: AccountSettings, ctx: GrantContext, flows: AuthorizationFlows): Promise<TokenSet> {
  switch (settings.grant) {
    case 'client_credentials':
      return runClientCredentialsGrant(settings, ctx);
    case 'password':
      return runPasswordGrant(settings, ctx);
    case 'authorization_code':
      return runAuthorizationCodeGrant(settings, ctx, flows);
    case 'jwt_bearer':
      return runJwtBearerGrant(settings, ctx);
    case 'device_code':
      return runDeviceCodeGrant(settings, ctx);
    case 'static':
      return runStaticGrant(settings, ctx);
  }
}
