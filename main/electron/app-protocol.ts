/**
 * The renderer is served from `app://tokendesk/` out of dist/renderer only: no
 * `file://` (whose extra privileges the grantFileProtocolExtraPrivileges fuse
 * removes), no remote content, and a strict Content-Security-Policy on every
 * response.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { CustomScheme, Protocol } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'tokendesk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * Only our own scripts and styles; no inline script, no eval, no network
 * (the renderer talks to the main process through the preload only).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "media-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** For `protocol.registerSchemesAsPrivileged`, before `ready`. `standard` gives the scheme an origin so `'self'` works. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false, stream: false, bypassCSP: false },
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * Pure: maps an `app://tokendesk/...` URL to a file under `rootDir`, or
 * undefined for anything else (another host, `..` after decoding, a NUL byte,
 * an unknown file type).
 */
export function resolveAppFile(rootDir: string, requestUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return undefined;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const root = path.resolve(rootDir);
  const file = path.resolve(root, '.' + pathname);
  if (!file.startsWith(root + path.sep)) return undefined;
  if (!(path.extname(file).toLowerCase() in CONTENT_TYPES)) return undefined;
  return file;
}

/** Response headers for a served file. */
export function responseHeaders(file: string): Record<string, string> {
  return {
    'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
  };
}

/** Serves one request; 404 for anything outside the root, including through a symlink. */
export async function serveAppRequest(rootDir: string, requestUrl: string): Promise<Response> {
  const file = resolveAppFile(rootDir, requestUrl);
  if (!file) return new Response('Not found', { status: 404 });
  try {
    // Inside an ASAR archive realpath may not be supported; the lexical check above then stands alone.
    const [realRoot, realFile] = await Promise.all([realpath(rootDir).catch(() => path.resolve(rootDir)), realpath(file).catch(() => file)]);
    if (!realFile.startsWith(realRoot + path.sep)) return new Response('Not found', { status: 404 });
    return new Response(await readFile(realFile), { status: 200, headers: responseHeaders(file) });
  } catch {
    return new Response('Not found', { status: 404 });
  }
}

/** After `ready`: `protocol.handle('app', ...)` over `rootDir` (dist/renderer). */
export function registerAppProtocol(protocol: Pick<Protocol, 'handle'>, rootDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rootDir, request.url));
}
