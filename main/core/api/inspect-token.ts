import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { TokenSet } from '../../../shared/account.js';
import type { TokenInspection } from '../../../shared/ipc.js';

/**
 * Decodes the token offline (SPEC 1: never an online decoder), dropping the
 * signature and the raw token so the renderer gets only readable facts.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 */
export function inspectToken(tokens: TokenSet): TokenInspection {
  let header: Record<string, unknown> | undefined;
  let claims: Record<string, unknown> | undefined;
  try {
    header = { ...decodeProtectedHeader(tokens.accessToken) } as Record<string, unknown>;
    claims = { ...decodeJwt(tokens.accessToken) } as Record<string, unknown>;
  } catch {
    // Opaque tokens (Netrex, Insiders) are not JWTs: nothing to decode, not an error.
    header = undefined;
    claims = undefined;
  }
  const scopeText = tokens.scope ?? (typeof claims?.scope === 'string' ? claims.scope : undefined);
  const scopes = scopeText ? scopeText.split(/[\s,]+/).filter(Boolean) : Array.isArray(claims?.scp) ? claims.scp.filter((s): s is string => typeof s === 'string') : [];
  const aud = claims?.aud;
  const audience = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
  const expFromClaims = typeof claims?.exp === 'number' ? claims.exp * 1000 : undefined;
  const expiresAt = tokens.expiresAt ?? expFromClaims;
  return {
    tokenType: tokens.tokenType,
    obtainedAt: tokens.obtainedAt,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    hasRefreshToken: Boolean(tokens.refreshToken),
    scopes,
    audience,
    ...(header ? { header } : {}),
    ...(claims ? { claims } : {}),
  };
}
