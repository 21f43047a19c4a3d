/**
 * Where the commands that need an access token (`token NAME`, `run`,
 * `request`) get it. The command only asks; the source decides how: the
 * vault opened here with its passphrase (direct-token-source.ts) or a
 * running agent. Only what a script may hold crosses this interface: the
 * access token and its metadata, never a refresh token or a secret.
 */
import type { HandedToken } from '../core/agent/protocol.js';
import type { CorePorts } from '../core/ports.js';

export interface TokenRequest {
  name: string;
  force: boolean;
  minValiditySeconds: number;
  openBrowser: boolean;
}

export type { HandedToken } from '../core/agent/protocol.js';

export interface TokenSource {
  getToken(request: TokenRequest): Promise<HandedToken>;
  /**
   * The ports for the account's own API request (`tokendesk request`), which
   * present its client certificate if it has one. Absent, or undefined, where
   * the certificate is out of reach: a token the agent handed out (the
   * certificate never leaves TokenDesk).
   */
  portsFor?(name: string): Promise<CorePorts | undefined>;
  /** Forgets what the source holds (locks the vault it opened). Safe to call more than once. */
  close(): void;
}

export { handedToken } from '../core/agent/protocol.js';
