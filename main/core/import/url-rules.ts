/**
 * SPEC 3: endpoints must be https, except on loopback hosts. Checked at import
 * so a bad URL is refused with a reason before anything connects. Messages
 * name the scheme and host only: a pasted URL may carry a secret in its query.
 */
import { isLoopbackHost } from '../oauth/loopback.js';

/** The transport's own rule (127.0.0.0/8, ::1, localhost): what imports is what can be reached. */
export { isLoopbackHost };

export type UrlCheck = { ok: true } | { ok: false; code: 'ERR_INPUT_FIELD' | 'ERR_INPUT_INSECURE_URL'; reason: string };

/**
 * Checks an endpoint URL (token, authorize, revoke, device, issuer, api).
 * `allowCustomScheme` is for redirect URIs (`tokendesk://`, `app.tokendesk:/callback`).
 */
export function checkUrl(value: string, options: { allowCustomScheme?: boolean } = {}): UrlCheck {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, code: 'ERR_INPUT_FIELD', reason: 'is not a complete web address (expected something like https://example.com/oauth2/token)' };
  }
  if (url.protocol === 'https:') return { ok: true };
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return { ok: true };
    return {
      ok: false,
      code: 'ERR_INPUT_INSECURE_URL',
      reason: `uses http:// on ${url.hostname}: credentials and tokens would travel unencrypted. Use https:// (plain http is allowed only for this computer: 127.0.0.1 or any 127.x.x.x, ::1, localhost)`,
    };
  }
  if (options.allowCustomScheme && url.protocol !== 'javascript:' && url.protocol !== 'data:' && url.protocol !== 'file:') return { ok: true };
  return { ok: false, code: 'ERR_INPUT_INSECURE_URL', reason: `uses the scheme ${url.protocol} which cannot be used here; expected https://` };
}
