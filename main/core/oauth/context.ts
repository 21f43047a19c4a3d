/**
 * What every grant receives besides the account settings. Interactive grants
 * report progress through the callbacks; all grants stop on `signal`.
 */
import type { ClientAuthMethod } from '../../../shared/types.js';
import type { CorePorts } from '../ports.js';

/** RFC 8628 3.2: what the user must see to finish a device-code login. */
export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  intervalSeconds: number;
}

/** Shown while an authorization-code flow waits for the browser. */
export interface AuthorizationPrompt {
  flowId: string;
  /** The URL to open in the system browser. Contains no secret (state and challenge are public). */
  url: string;
  redirectUri: string;
  /** true when the redirect lands on our loopback listener; false when the user must paste the URL back. */
  listening: boolean;
  /** Epoch milliseconds after which the flow is refused. */
  expiresAt: number;
}

export interface GrantContext {
  ports: CorePorts;
  signal?: AbortSignal;
  /** Per-request timeout; default 30 000 ms (SPEC 3). */
  timeoutMs?: number;
  /**
   * Called when the one-time `basic` -> `basic_raw` fallback succeeded, so the
   * caller can remember it for the account (SPEC 2).
   */
  onClientAuthLearned?(method: ClientAuthMethod): void;
  /** authorization_code: the URL to open; the host decides whether to open it. */
  onAuthorizationPrompt?(prompt: AuthorizationPrompt): void;
  /** device_code: the code and link to show the user. */
  onDeviceCodePrompt?(prompt: DeviceCodePrompt): void;
  /** Short human-readable progress lines ("Waiting for the browser..."). No secrets. */
  onProgress?(message: string): void;
  /**
   * Secrets the caller knows besides the account settings and the request's
   * own parameters (the account service passes the account's stored access,
   * refresh and id tokens). Redacted, in every echo form, from any server text
   * an error quotes.
   */
  knownSecrets?: readonly string[];
  /**
   * Called right before every HTTP request to a token endpoint: the initial
   * grant, a refresh, each device-code poll, each retry after HTTP 429, the
   * basic -> basic_raw retry and the jwt-bearer request without client
   * authentication. May throw (a request budget that is used up): the
   * request is then not sent and the error is what the grant rejects with.
   */
  onRequestSent?(): void;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
