/**
 * The one HTTP primitive of the OAuth core. Every request to an authorization
 * server (token, refresh, revoke, discovery, device authorization) goes
 * through `safeRequest`, so the transport rules of SPEC 3 hold in one place:
 * https except loopback, no redirects followed, a capped body, a timeout.
 */
import { CancelledError, InputError, TransportError } from '../errors.js';
import { explainFetchFailure } from '../net/transport-failure.js';
import type { GrantContext } from './context.js';
import { DEFAULT_TIMEOUT_MS } from './context.js';
import { isLoopbackHost } from './loopback.js';
import { quoteServerText } from './redaction.js';
import { sleep } from './sleep.js';

export { quoteServerText } from './redaction.js';

/** SPEC 3: response bodies larger than this are refused (decoded bytes). */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface SafeResponse {
  status: number;
  headers: Headers;
  /** The body decoded as UTF-8; invalid sequences become U+FFFD (only for quoting). */
  bodyText: string;
  /** The parsed body when it is valid UTF-8 and valid JSON, whatever its Content-Type. */
  json?: unknown;
  /** True when the body was not valid UTF-8 (then `json` is never set). */
  invalidUtf8?: boolean;
  /** Length of the (decoded) body in bytes, for messages that must not quote it. */
  bodyBytes: number;
}

export interface SafeRequestInit {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Secrets of this request: redacted from anything of the answer that is quoted (a redirect's path). */
  secrets?: readonly string[];
}

/**
 * Optional transport knobs a host or a test may put on the GrantContext
 * object (kept out of context.ts so the shared contract stays small).
 */
export interface TransportOptions {
  /** Response cap in bytes; default MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number;
  /** HTTP 429: how many times to retry; default 2. */
  rateLimitMaxRetries?: number;
  /** HTTP 429: total time to wait across retries; default 10 000 ms. */
  rateLimitMaxWaitMs?: number;
}

/**
 * Parses an endpoint URL and refuses anything but https, except plain http to
 * a loopback host (SPEC 3). Called before any connection is made.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.1 (TLS required at the endpoints)
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.3 (loopback)
 */
export function assertSecureEndpoint(url: string, what: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError('ERR_INPUT_FIELD', `The ${what} URL is not a valid URL.`);
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return parsed;
  const shown = displayUrl(parsed);
  if (parsed.protocol === 'http:') {
    throw new InputError(
      'ERR_INPUT_INSECURE_URL',
      `The ${what} URL ${shown} uses plain http. TokenDesk only sends credentials over https (plain http is allowed for this computer only: 127.0.0.1 (or any 127.x.x.x), ::1 and localhost).`,
    );
  }
  throw new InputError('ERR_INPUT_INSECURE_URL', `The ${what} URL ${shown} must start with https://.`);
}

/** Origin and path only: the query may hold credentials (Netrex `query` style), userinfo likewise. */
export function displayUrl(url: URL | string): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url;
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Sends one request under the SPEC 3 rules and returns the whole (capped) body.
 * Never follows a redirect: a 3xx becomes ERR_REDIRECT naming the Location.
 */
export async function safeRequest(url: string, init: SafeRequestInit, ctx: GrantContext, what: string): Promise<SafeResponse> {
  const target = assertSecureEndpoint(url, what);
  if (ctx.signal?.aborted) throw new CancelledError();
  const options = ctx as GrantContext & TransportOptions;
  const cap = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const timeoutMs = ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout.signal]) : timeout.signal;
  const failure = async (error: unknown): Promise<Error> => {
    if (ctx.signal?.aborted) return new CancelledError();
    if (timeout.signal.aborted) {
      return new TransportError('ERR_TIMEOUT', `The ${what} at ${displayUrl(target)} did not answer within ${formatSeconds(timeoutMs)}.`);
    }
    return explainFetchFailure(error, what, target);
  };

  try {
    let response: Response;
    try {
      response = await ctx.ports.fetch(url, {
        method: init.method,
        headers: init.headers,
        body: init.body,
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      throw await failure(error);
    }

    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      const location = response.headers.get('location');
      let shown: string | undefined;
      let trailingSlashOnly = false;
      if (location) {
        try {
          const resolved = new URL(location, target);
          // The Location is the server's text: its path may echo what it was sent.
          shown = quoteServerText(displayUrl(resolved), 300, [...(init.secrets ?? []), ...(ctx.knownSecrets ?? [])]);
          trailingSlashOnly = resolved.origin === target.origin && resolved.pathname === `${target.pathname}/`;
        } catch {
          shown = '(an invalid URL)';
        }
      }
      throw new TransportError(
        'ERR_REDIRECT',
        shown
          ? `The ${what} answered HTTP ${response.status} redirecting to ${shown}. TokenDesk never follows redirects from it: if only a trailing slash differs, use exactly that URL.`
          : `The ${what} answered HTTP ${response.status} (a redirect without a Location). TokenDesk never follows redirects from it.`,
        { status: response.status, ...(shown ? { location: shown } : {}), trailingSlashOnly },
      );
    }

    let bytes: Uint8Array;
    try {
      bytes = await readCapped(response, cap);
    } catch (error) {
      if (error instanceof TransportError) {
        throw new TransportError(
          'ERR_RESPONSE_TOO_LARGE',
          `The ${what} at ${displayUrl(target)} sent more than ${formatBytes(cap)}; TokenDesk stopped reading.`,
          { status: response.status },
        );
      }
      throw await failure(error);
    }
    return decodeBody(response, bytes);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads the decoded body with a running byte count and cancels the stream past the cap (gzip bombs). */
async function readCapped(response: Response, cap: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel().catch(() => undefined);
      throw new TransportError('ERR_RESPONSE_TOO_LARGE', 'too large');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * JSON must be UTF-8 (RFC 8259 8.1), so `json` is parsed only from a strict
 * decode: a token with U+FFFD substituted in would be a silently corrupted
 * credential. The lenient decode is kept for quoting the body in messages.
 */
function decodeBody(response: Response, bytes: Uint8Array): SafeResponse {
  const bodyText = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const result: SafeResponse = { status: response.status, headers: response.headers, bodyText, bodyBytes: bytes.byteLength };
  let strict: string;
  try {
    strict = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    result.invalidUtf8 = true;
    return result;
  }
  const trimmed = strict.trim();
  if (trimmed.length > 0) {
    try {
      result.json = JSON.parse(trimmed) as unknown;
    } catch {
      // not JSON: callers decide whether that is an error and quote bodyText
    }
  }
  return result;
}

/**
 * Runs `send` again when the server answers HTTP 429, honouring Retry-After
 * (seconds or an HTTP date), at most `rateLimitMaxRetries` times and
 * `rateLimitMaxWaitMs` in total. `send` is called afresh each time so a
 * request can be rebuilt (a new client assertion with a new jti).
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-4
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export async function withRateLimitRetry(send: () => Promise<SafeResponse>, ctx: GrantContext, what: string): Promise<SafeResponse> {
  const options = ctx as GrantContext & TransportOptions;
  const maxRetries = options.rateLimitMaxRetries ?? 2;
  const maxWaitMs = options.rateLimitMaxWaitMs ?? 10_000;
  let waited = 0;
  for (let attempt = 0; ; attempt++) {
    const response = await send();
    if (response.status !== 429) return response;
    const waitMs = retryAfterMs(response.headers.get('retry-after'), ctx.ports.clock.now());
    if (attempt >= maxRetries || waited + waitMs > maxWaitMs) {
      const hint = response.headers.get('retry-after') !== null ? ` It asked to wait ${formatSeconds(waitMs)}.` : '';
      throw new TransportError(
        'ERR_RATE_LIMITED',
        `The ${what} is limiting requests (HTTP 429) and still refused after ${attempt} ${attempt === 1 ? 'retry' : 'retries'}.${hint} Try again later.`,
        { status: 429 },
      );
    }
    ctx.onProgress?.(`The ${what} asked to slow down; retrying in ${formatSeconds(waitMs)}...`);
    await sleep(waitMs, ctx.signal);
    waited += waitMs;
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number {
  if (header === null) return 1000;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return 1000;
  return Math.max(0, date - now);
}


export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}
