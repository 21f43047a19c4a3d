/** What `tokendesk token` prints on stdout: only the result (SPEC 6). */
import type { TokenSet } from '../../shared/account.js';
import { authorizationHeaderValue } from '../core/oauth/authorization-header.js';

export const TOKEN_FORMATS = ['raw', 'json', 'header'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

export function formatToken(tokens: TokenSet, format: TokenFormat): string {
  switch (format) {
    case 'raw':
      return `${tokens.accessToken}\n`;
    case 'header':
      return `Authorization: ${authorizationHeaderValue(tokens)}\n`;
    case 'json':
      return `${JSON.stringify(
        {
          access_token: tokens.accessToken,
          token_type: tokens.tokenType,
          expires_at: tokens.expiresAt !== undefined ? new Date(tokens.expiresAt).toISOString() : null,
          expires_in: tokens.expiresAt !== undefined ? Math.max(0, Math.floor((tokens.expiresAt - Date.now()) / 1000)) : null,
          scope: tokens.scope ?? null,
          // The refresh token stays in TokenDesk: a script needs the access token only.
          has_refresh_token: Boolean(tokens.refreshToken),
        },
        null,
        2,
      )}\n`;
  }
}
