/**
 * What the core receives from its host (Electron app, CLI, tests). No globals:
 * every side effect the core has goes through one of these.
 */

/** The subset of WHATWG fetch the core uses. Electron passes `net.fetch`, the CLI Node's `fetch`. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * The TLS identity a fetch presents (mutual TLS, RFC 8705). Structurally the
 * account's `ClientCertificate`; kept here so the ports do not depend on the
 * account model.
 */
export type ClientTlsIdentity =
  | { format: 'pem'; certificate: string; key: string; keyPassword?: string }
  | { format: 'pkcs12'; pkcs12: string; password?: string };

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface CorePorts {
  fetch: FetchLike;
  clock: Clock;
  /** Cryptographically secure random bytes. */
  randomBytes(length: number): Uint8Array;
  /**
   * A fetch that presents this client certificate on every connection
   * (mutual TLS). Chromium's `net` cannot present a certificate from a file,
   * so the app answers with Node's TLS (see main/core/net/node-fetch.ts).
   * Hosts without it cannot serve accounts that hold a client certificate.
   * Called for each request of such an account: the host keeps one
   * transport per identity (main/core/net/identity-cache.ts).
   */
  fetchWithClientCertificate?(identity: ClientTlsIdentity): FetchLike;
  /**
   * Closes the transports `fetchWithClientCertificate` made, so no key of a
   * client certificate stays referenced once the vault is locked.
   */
  forgetClientCertificates?(): Promise<void>;
  /** Opens a URL in the system browser (never an embedded window: RFC 8252 8.12). */
  openExternal?(url: string): Promise<void>;
  /**
   * Asks the user where to save a file (the app's save dialog, which also
   * asks before replacing a file); undefined when they cancelled. Hosts
   * without a window (the CLI) leave it out: they are given a path.
   */
  chooseSavePath?(defaultName: string): Promise<string | undefined>;
}

export const systemClock: Clock = { now: () => Date.now() };
