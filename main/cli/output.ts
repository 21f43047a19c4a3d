/** What `tokendesk token` prints on stdout: only the result (SPEC 6). */
import { TransportError } from '../core/errors.js';
import { authorizationHeaderValue } from '../core/oauth/authorization-header.js';
import { terminalSafeJson } from './safe-text.js';
import { isoTime, secondsUntil } from './time-format.js';
import type { HandedToken } from './token-source.js';

export const TOKEN_FORMATS = ['raw', 'json', 'header', 'env'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

export function formatToken(tokens: HandedToken, format: TokenFormat, now: number = Date.now()): string {
  switch (format) {
    case 'raw':
      return `${tokens.accessToken}\n`;
    case 'header':
      return `Authorization: ${authorizationHeaderValue(tokens)}\n`;
    case 'env':
      return environmentLines(tokens);
    case 'json':
      return `${terminalSafeJson({
        access_token: tokens.accessToken,
        token_type: tokens.tokenType,
        // An expiry no date can hold is unknown: null, as when the server sent none.
        expires_at: isoTime(tokens.expiresAt) ?? null,
        expires_in: secondsUntil(tokens.expiresAt, now) ?? null,
        scope: tokens.scope ?? null,
        // The refresh token stays in TokenDesk: a script needs the access token only.
        has_refresh_token: tokens.hasRefreshToken,
      })}\n`;
  }
}

/**
 * `--format env`: lines for `eval "$(tokendesk token NAME --format env)"` in
 * a POSIX shell, and for a `.env` file (oidc-agent's `-c`, 1Password's
 * `op inject`). An unknown expiry is an empty value.
 */
function environmentLines(tokens: HandedToken): string {
  // A line-based format cannot carry a control character safely (a newline would start a new assignment).
  if (/[\u0000-\u001f\u007f]/.test(tokens.accessToken)) {
    throw new TransportError(
      'ERR_RESPONSE_INVALID',
      'The access token contains control characters, so it cannot be written as an environment line. Get a new token (tokendesk token NAME --force), or use --format json.',
    );
  }
  return `TOKENDESK_ACCESS_TOKEN=${shellValue(tokens.accessToken)}\nTOKENDESK_EXPIRES_AT=${shellValue(isoTime(tokens.expiresAt) ?? '')}\n`;
}

/** Characters that mean nothing to a POSIX shell or a .env parser: such a value needs no quotes. */
const PLAIN_VALUE = /^[A-Za-z0-9._~+/=-]*$/;

/**
 * `value` as one word for `sh`: as it is when every character is plain,
 * else in single quotes, inside which nothing is special but the quote
 * itself, written as `'\''` (close, an escaped quote, reopen).
 * @see https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_02_02
 */
export function shellValue(value: string): string {
  return PLAIN_VALUE.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}
