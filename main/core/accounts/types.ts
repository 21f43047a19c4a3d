/**
 * The account service's public shapes. The renderer sees these through the
 * IPC contract, so none of them carries a secret.
 */
import type { AccountSettings, ClientCertificateInfo, SECRET_FIELDS, TokenSet } from '../../../shared/account.js';

export type TokenStatus = 'valid' | 'expiring' | 'expired' | 'none' | 'unknown_expiry';

export interface AccountSummary {
  name: string;
  preset?: string;
  grant: AccountSettings['grant'];
  status: TokenStatus;
  /** Epoch ms of the cached access token's expiry. */
  expiresAt?: number;
  hasRefreshToken: boolean;
  lastError?: { code: string; message: string; at: number };
  /** Epoch ms when the account's client certificate expires: the list and the tray warn before (certificate-expiry.ts). */
  clientCertificateExpiresAt?: number;
}

/** Settings with every secret removed; `has*` says whether one is stored. */
export type PublicAccountSettings = Omit<AccountSettings, (typeof SECRET_FIELDS)[number]> & {
  hasClientSecret: boolean;
  hasPassword: boolean;
  hasAccessToken: boolean;
  key?: { type: string; keyId: string; userId?: string; clientId?: string };
  /** What the client certificate is and how it was given; never the key, the PKCS#12 file or a password. */
  clientCertificate?: ClientCertificateInfo & { format: 'pem' | 'pkcs12' };
};

export interface HistoryEntry {
  /** Epoch ms. */
  at: number;
  /** What was sent: a grant type, `refresh_token`, `revoke`. */
  request: string;
  outcome: 'ok' | 'error';
  durationMs: number;
  errorCode?: string;
  /** Non-secret message (error messages never contain secrets). */
  message?: string;
  /** `hand-out`: the program the agent gave the token to, as that program reported itself (the agent cannot check it). */
  caller?: HandOutCaller;
  /** `hand-out`: identical hand-outs to one caller, recorded together. */
  count?: number;
}

export interface HandOutCaller {
  pid: number;
  executable: string;
  parentExecutable?: string;
  reported: true;
}

export interface BudgetStatus {
  used: number;
  maxRequests: number;
  windowSeconds: number;
  /** True once `used` reaches the warning threshold (80 %). */
  warning: boolean;
  /** Epoch ms when the next request is possible, when the budget is used up. */
  nextAt?: number;
}

export type { TokenSet };
