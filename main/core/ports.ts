/**
 * What the core receives from its host (Electron app, CLI, tests). No globals:
 * every side effect the core has goes through one of these.
 */

/** The subset of WHATWG fetch the core uses. Electron passes `net.fetch`, the CLI Node's `fetch`. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface CorePorts {
  fetch: FetchLike;
  clock: Clock;
  /** Cryptographically secure random bytes. */
  randomBytes(length: number): Uint8Array;
  /** Opens a URL in the system browser (never an embedded window: RFC 8252 8.12). */
  openExternal?(url: string): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now() };
