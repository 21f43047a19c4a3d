/**
 * The loopback redirect listener of RFC 8252 7.3: a one-shot HTTP server on
 * 127.0.0.1 (or ::1) that answers only the redirect path and hands the
 * callback URL to the flow manager.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TransportError } from '../errors.js';
import { renderFailurePage, renderNotFoundPage, renderSuccessPage } from './callback-page.js';

/** What the flow manager decides about a callback that hit the redirect path. */
export type CallbackOutcome = { ok: true; accountName: string } | { ok: false; reason: string };

export interface LoopbackListenerOptions {
  /** A loopback literal: `127.0.0.1` (or another 127.x.x.x) or `::1`, never a wildcard address or a name (loopback.ts). */
  host: string;
  /** 0 for an ephemeral port. */
  port: number;
  /** The redirect path; only this path is answered. */
  path: string;
  /** Called with the full callback URL; the page shown depends on the outcome. */
  onCallback(url: URL): Promise<CallbackOutcome>;
}

export interface LoopbackListener {
  /** The port actually bound. */
  port: number;
  /** Stops listening; connections are dropped once any callback page has been sent. */
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // Keep-alive sockets would otherwise hold the server open after the callback.
  Connection: 'close',
} as const;

/**
 * Starts listening and resolves once the port is bound.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function startLoopbackListener(options: LoopbackListenerOptions): Promise<LoopbackListener> {
  let active = 0;
  let closing = false;
  let closed: Promise<void> | undefined;

  const server = createServer((req, res) => {
    active++;
    res.on('close', () => {
      active--;
      if (closing && active === 0) server.closeAllConnections?.();
    });
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, renderFailurePage('TokenDesk could not process the sign-in.'));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${hostForUrl(options.host)}:${port}`);
    // Only the exact redirect path completes a flow: favicon and probe requests must not.
    if (url.pathname !== options.path) {
      send(res, 404, renderNotFoundPage());
      return;
    }
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      send(res, 405, renderFailurePage('This address only accepts the browser redirect.'));
      return;
    }
    const outcome = await options.onCallback(url);
    if (outcome.ok) send(res, 200, renderSuccessPage(outcome.accountName));
    else send(res, 400, renderFailurePage(outcome.reason));
  }

  let port = options.port;
  return new Promise<LoopbackListener>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const where = `${hostForUrl(options.host)}:${options.port}`;
      const message =
        error.code === 'EADDRINUSE'
          ? `TokenDesk cannot receive the sign-in on ${where}: another program is using that port. Close it, or change the account's redirect_uri.`
          : error.code === 'EADDRNOTAVAIL'
            ? `TokenDesk cannot receive the sign-in on ${where}: this computer does not answer on that loopback address (macOS has only 127.0.0.1 unless configured). Use http://127.0.0.1/... in the account's redirect_uri.`
            : `TokenDesk cannot listen for the sign-in on ${where} (${error.code ?? 'unknown error'}).`;
      reject(new TransportError('ERR_NETWORK', message, {}, { cause: error }));
    };
    server.once('error', onError);
    server.listen({ port: options.port, host: options.host, exclusive: true }, () => {
      server.off('error', onError);
      port = (server.address() as AddressInfo).port;
      resolve({
        port,
        close() {
          closed ??= new Promise<void>((done) => {
            closing = true;
            server.close(() => done());
            server.closeIdleConnections?.();
            if (active === 0) server.closeAllConnections?.();
          });
          return closed;
        },
      });
    });
  });
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Length': Buffer.byteLength(html) });
  res.end(html);
}
