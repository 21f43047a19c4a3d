/** `tokendesk decode [TOKEN]`: offline JWT inspection, never sent anywhere. */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { InputError } from '../../core/errors.js';
import { isoTime } from '../time-format.js';

export interface DecodedToken {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  expires_at: string | null;
  expires_in: number | null;
  expired: boolean | null;
}

export function decodeToken(token: string, now: number): DecodedToken {
  const trimmed = token.trim().replace(/^Authorization:\s*/i, '').replace(/^Bearer\s+/i, '');
  if (trimmed.split('.').length !== 3) {
    throw new InputError('ERR_INPUT_FIELD', 'This is not a JWT (it does not have three dot-separated parts). Opaque tokens cannot be decoded offline.');
  }
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(trimmed) as Record<string, unknown>;
    claims = decodeJwt(trimmed) as Record<string, unknown>;
  } catch {
    throw new InputError('ERR_INPUT_FIELD', 'This looks like a JWT but its header or claims are not valid Base64url JSON.');
  }
  // An exp no date can hold (a hostile or broken token) is shown as unknown, not a crash.
  const expiresAt = typeof claims.exp === 'number' ? isoTime(claims.exp * 1000) : undefined;
  const exp = expiresAt !== undefined ? (claims.exp as number) * 1000 : undefined;
  return {
    header,
    claims,
    expires_at: expiresAt ?? null,
    expires_in: exp !== undefined ? Math.floor((exp - now) / 1000) : null,
    expired: exp !== undefined ? exp <= now : null,
  };
}
