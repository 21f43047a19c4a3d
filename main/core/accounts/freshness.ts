/** When is a cached token still good enough to hand out? One place decides. */
import type { TokenSet } from '../../../shared/account.js';
import type { TokenStatus } from './types.js';

/**
 * A token whose lifetime the server did not tell (no expires_in, not a JWT,
 * no preset lifetime) is reused for this long, then fetched again: reusing
 * forever could hand out a dead token, fetching every time would burn the
 * request budgets that Myfox enforces.
 */
export const UNKNOWN_EXPIRY_REUSE_MS = 5 * 60_000;

export function effectiveExpiry(tokens: TokenSet, isStatic: boolean): number | undefined {
  if (tokens.expiresAt !== undefined) return tokens.expiresAt;
  return isStatic ? undefined : tokens.obtainedAt + UNKNOWN_EXPIRY_REUSE_MS;
}

/** True when the token stays valid for at least `minValidityMs` from `now`. */
export function isFresh(tokens: TokenSet, now: number, minValidityMs: number, isStatic = false): boolean {
  const expiry = effectiveExpiry(tokens, isStatic);
  return expiry === undefined || expiry - now >= minValidityMs;
}

export function tokenStatus(tokens: TokenSet | undefined, now: number, minValidityMs: number): TokenStatus {
  if (!tokens) return 'none';
  if (tokens.expiresAt === undefined) return 'unknown_expiry';
  if (tokens.expiresAt <= now) return 'expired';
  return tokens.expiresAt - now < minValidityMs ? 'expiring' : 'valid';
}
