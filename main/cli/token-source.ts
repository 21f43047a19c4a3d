/**
 * Where the commands that need an access token (`token NAME`, `run`,
 * `request`) get it. The command only asks; the source decides how: the
 * vault opened here with its passphrase (direct-token-source.ts) or a
 * running agent. Only what a script may hold crosses this interface: the
 * access token and its metadata, never a refresh token or a secret.
 */
import type { TokenSet } from '../../shared/account.js';

export interface TokenRequest {
  name: string;
  force: boolean;
  minValiditySeconds: number;
  openBrowser: boolean;
}

export interface HandedToken {
  accessToken: string;
  tokenType: string;
  /** Epoch ms; undefined when unknown. */
  expiresAt?: number;
  scope?: string;
  /** Epoch ms when TokenDesk received it. */
  obtainedAt: number;
  hasRefreshToken: boolean;
}

export interface TokenSource {
  getToken(request: TokenRequest): Promise<HandedToken>;
  /** Forgets what the source holds (locks the vault it opened). Safe to call more than once. */
  close(): void;
}

/** What of a token set leaves TokenDesk: never the refresh or ID token. */
export function handedToken(tokens: TokenSet): HandedToken {
  return {
    accessToken: tokens.accessToken,
    tokenType: tokens.tokenType,
    ...(tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt } : {}),
    ...(tokens.scope !== undefined ? { scope: tokens.scope } : {}),
    obtainedAt: tokens.obtainedAt,
    hasRefreshToken: Boolean(tokens.refreshToken),
  };
}
