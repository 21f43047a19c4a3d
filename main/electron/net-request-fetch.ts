/**
 * The core's fetch port over Electron's `net.request`, Chromium's network
 * stack: the system proxy (PAC, NTLM and Kerberos included) and the OS
 * certificate store apply, as they do in the user's browser.
 *
 * Why not `net.fetch`: with `redirect: 'manual'` Electron cancels a redirect
 * unless `followRedirect()` is called synchronously inside the request's
 * `redirect` event, and `net.fetch` never listens for it, so it rejects with
 * "Redirect was cancelled" instead of answering the 3xx (electron.d.ts,
 * ClientRequestConstructorOptions.redirect; electron/electron#43715). The core
 * must see the 3xx to name its Location (SPEC 3: never follow a redirect from
 * a token endpoint). This adapter listens, does not follow, and answers a
 * Response with the redirect's status and headers instead.
 *
 * It never follows a redirect, whatever `init.redirect` says: every caller in
 * the core asks for 'manual', and a token must never travel to an address
 * the user did not enter.
 *
 * Cookies: neither `credentials` nor `useSessionCookies` is set, which is the
 * one combination where Electron's URL loader blocks all cookies (sent and
 * stored) while still answering proxy and server authentication from the OS
 * (electron/electron shell/common/api/electron_api_url_loader.cc: "credentials
 * is not specified and useSessionCookies is false. credentials_mode will be
 * kInclude, but cookies will be blocked"). `net.fetch` instead turns the
 * WHATWG default `same-origin` into `include` (lib/browser/api/net-fetch.ts),
 * which sends and keeps the session's cookies. `cache: 'no-store'` keeps token
 * responses out of Chromium's disk cache (LOAD_DISABLE_CACHE).
 */
import type { ClientRequest, ClientRequestConstructorOptions, IncomingMessage } from 'electron';
import type { FetchLike } from '../core/ports.js';

/** `net.request`, typed as Electron types it. */
export type NetRequest = (options: ClientRequestConstructorOptions) => ClientRequest;

/** Response statuses that must not have a body (Fetch standard "null body status"). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** `signal.reason`, or the DOMException fetch uses when there is none. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function requestBody(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array) return body;
  throw new TypeError('The Electron fetch port sends text or bytes only.');
}

/** Electron's response headers (string or string[] per name) as WHATWG Headers. */
function toHeaders(source: Record<string, string | string[]>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(source)) {
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

/**
 * The response body as a web stream; cancelling it (the core does when a body
 * passes its cap) aborts the request in Chromium. Electron types
 * IncomingMessage as an event emitter (`data`, `end`, `error`, `aborted`), so
 * only those are used: no pause/resume, the core reads as fast as it can and
 * stops at its cap.
 */
function bodyStream(message: IncomingMessage, request: ClientRequest, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const fail = (error: unknown): void => {
          if (finished) return;
          finished = true;
          controller.error(error);
        };
        message.on('data', (chunk: Buffer) => {
          if (finished) return;
          controller.enqueue(new Uint8Array(chunk));
        });
        message.on('end', () => {
          if (finished) return;
          finished = true;
          controller.close();
        });
        message.on('error', fail);
        // Electron's `aborted` on the message: the connection dropped mid-body.
        message.on('aborted', () => fail(new Error('net::ERR_CONNECTION_CLOSED')));
        // A timeout or Cancel while the body arrives: stop Chromium too, not just the stream.
        signal?.addEventListener(
          'abort',
          () => {
            fail(abortReason(signal));
            request.abort();
          },
          { once: true },
        );
      },
      cancel() {
        finished = true;
        request.abort();
      },
    },
  );
}

export function createNetRequestFetch(netRequest: NetRequest): FetchLike {
  return (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const { signal } = init;
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      if (init.redirect !== undefined && init.redirect !== 'manual') {
        reject(new TypeError(`The Electron fetch port never follows redirects (asked for redirect: '${init.redirect}').`));
        return;
      }
      let body: string | Uint8Array | undefined;
      let request: ClientRequest;
      try {
        body = requestBody(init.body);
        const headers: Record<string, string> = {};
        new Headers(init.headers).forEach((value, name) => (headers[name] = value));
        request = netRequest({
          url: typeof input === 'string' ? input : input.href,
          method: init.method ?? 'GET',
          headers,
          redirect: 'manual',
          cache: 'no-store',
        });
      } catch (error) {
        reject(error);
        return;
      }

      let settled = false;
      const settle = (finish: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        finish();
      };
      const onAbort = (): void => {
        settle(() => reject(abortReason(signal!)));
        request.abort();
      };
      signal?.addEventListener('abort', onAbort, { once: true });

      request.on('redirect', (statusCode, _method, redirectUrl, responseHeaders) => {
        // Not following: Electron cancels the request right after this
        // listener returns and emits "Redirect was cancelled", ignored below.
        const headers = toHeaders(responseHeaders);
        if (!headers.has('location')) headers.set('location', redirectUrl);
        settle(() => resolve(new Response(null, { status: statusCode, headers })));
      });
      request.on('response', (message) => {
        const status = message.statusCode;
        const nullBody = NULL_BODY_STATUSES.has(status) || (init.method ?? 'GET').toUpperCase() === 'HEAD';
        // Nothing to read: a `data` listener lets Electron's stream drain and finish.
        if (nullBody) message.on('data', () => undefined);
        const responseBody = nullBody ? null : bodyStream(message, request, signal ?? undefined);
        settle(() => resolve(new Response(responseBody, { status, statusText: message.statusMessage, headers: toHeaders(message.headers) })));
      });
      request.on('error', (error) => settle(() => reject(error)));

      if (body !== undefined) request.write(typeof body === 'string' ? body : Buffer.from(body));
      request.end();
    });
}
