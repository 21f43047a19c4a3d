/** What `tokendesk token` prints on stdout: only the result (SPEC 6). */
import type { TokenSet } from '../../shared/account.js';
import { authorizationHeaderValue } from '../core/oauth/authorization-header.js';
import { terminalSafeJson } from './safe-text.js';
import { isoTime, secondsUntil } from './time-format.js';

export const TOKEN_FORMATS = ['raw', 'json', 'header'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

export function formatToken(tokens: TokenSet, format: TokenFormat, now: number = Date.now()): string {
  switch (format) {
    case 'raw':
      return `${tokens.accessToken}\n`;
    case 'header':
      return `Authorization: ${authorizationHeaderValue(tokens)}\n`;
    case 'json':
      return `${terminalSafeJson({
        access_token: tokens.accessToken,
        token_type: tokens.tokenType,
        // An expiry no date can hold is unknown: null, as when the server sent none.
        expires_at: isoTime(tokens.expiresAt) ?? null,
        expires_in: secondsUntil(tokens.expiresAt, now) ?? null,
        scope: tokens.scope ?? null,
        // The refresh token stays in TokenDesk: a script needs the access token only.
        has_refresh_token: Boolean(tokens.refreshToken),
      })}\n`;
  }
}
