/**
 * What of a server's text may be quoted in a message (SPEC 3): control
 * characters stripped, length capped, and every secret of the request removed
 * in every form a server can echo it in.
 *
 * A server echoes what it was sent: a form body (`password=P%40ss+word`), a
 * query, an Authorization header (`Basic <Base64 of id:secret>`), a JSON
 * rendering of its input (`"password":"P@ss \"word\""`, PHP's `\/` and
 * `\u00e9`), an HTML error page. Messages end up on stderr, in the history
 * and in `lastError` (which the renderer receives), so each of those forms is
 * replaced before anything is quoted.
 */
import { basicAuthorization, formEncode } from './basic-credentials.js';

/** What a redacted secret is replaced with. */
export const REDACTED = '[redacted]';

/** Percent-escapes in lower case (`%2b`): some servers re-encode that way. */
function lowerHex(text: string): string {
  return text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

/** JSON string escaping with every non-ASCII character as \uXXXX (PHP's json_encode default). */
function asciiJson(json: string, upper: boolean): string {
  return json.replace(/[\u0080-\uffff]/g, (c) => {
    const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
    return `\\u${upper ? hex.toUpperCase() : hex}`;
  });
}

function htmlEscape(text: string, apostrophe: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, apostrophe);
}

/**
 * Every form in which `secret` can come back in a server's reply: raw;
 * form-encoded with `+` and with `%20` for a space (and lower-case escapes);
 * encodeURIComponent and encodeURI; JSON-escaped (also with `\/` and with
 * non-ASCII as `\uXXXX`); HTML-escaped; Base64 and Base64url (padded or not).
 * Longest first, so that a replacement never leaves part of a longer form.
 */
export function secretEchoForms(secret: string): string[] {
  if (secret === '') return [];
  const form = formEncode(secret);
  const json = JSON.stringify(secret).slice(1, -1);
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  const forms = new Set<string>([
    secret,
    form,
    form.replace(/\+/g, '%20'),
    encodeURIComponent(secret),
    encodeURI(secret),
    json,
    json.replace(/\//g, '\\/'),
    asciiJson(json, false),
    asciiJson(json, true),
    asciiJson(json.replace(/\//g, '\\/'), false),
    htmlEscape(secret, '&#39;'),
    htmlEscape(secret, '&#039;'),
    htmlEscape(secret, '&#x27;'),
    base64,
    base64.replace(/=+$/, ''),
    Buffer.from(secret, 'utf8').toString('base64url'),
  ]);
  for (const encoded of [...forms]) if (/%[0-9A-F]{2}/.test(encoded)) forms.add(lowerHex(encoded));
  return [...forms].filter((f) => f !== '').sort((a, b) => b.length - a.length);
}

/**
 * The Base64 credentials of both HTTP Basic variants (RFC 6749 2.3.1 `basic`:
 * form-encoded `id:secret`; `basic_raw`: as given), which a server echoing the
 * Authorization header sends back. Pass them to `redactSecrets` with the rest.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function basicCredentialSecrets(clientId: string, clientSecret: string): string[] {
  return [false, true].map((raw) => basicAuthorization(clientId, clientSecret, raw).slice('Basic '.length));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `text` with every echo form (secretEchoForms) of every secret replaced by
 * "[redacted]", in one pass (so one replacement cannot be mangled by the next).
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) if (secret) for (const form of secretEchoForms(secret)) forms.add(form);
  if (forms.size === 0 || text === '') return text;
  const pattern = new RegExp([...forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
  return text.replace(pattern, REDACTED);
}

/**
 * C0 and C1 controls, DEL, line and paragraph separators, and the bidi
 * controls that can make a terminal show text in another order than it is.
 */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** `text` without CONTROL_CHARACTERS; `keepLineBreaks` keeps CR (LF and tab are never removed), for multi-line excerpts. */
export function stripControlCharacters(text: string, options: { keepLineBreaks?: boolean } = {}): string {
  return text.replace(CONTROL_CHARACTERS, (char) => (options.keepLineBreaks && char === '\r' ? char : ''));
}

/**
 * Server (or file) text made safe to quote: secrets redacted in all their
 * echo forms, control characters dropped, whitespace collapsed, length capped.
 * Redaction runs before and after the clean-up, so a secret that a control
 * character or a line break split cannot come out whole.
 */
export function quoteServerText(text: string, max = 200, secrets: readonly (string | undefined)[] = []): string {
  const clean = redactSecrets(stripControlCharacters(redactSecrets(text, secrets)).replace(/\s+/g, ' ').trim(), secrets);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
