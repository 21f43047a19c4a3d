/**
 * HTTP Basic client credentials and form encoding: what goes on the wire
 * for RFC 6749 2.3.1. A module of its own, free of JOSE, because redaction
 * (and through it the command line's fast path) needs it too.
 */

/** application/x-www-form-urlencoded encoding of one value (space becomes `+`). */
export function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/** true when RFC 6749 `basic` and `basic_raw` put different bytes on the wire for these credentials. */
export function basicVariantsDiffer(clientId: string, clientSecret: string): boolean {
  return formEncode(clientId) !== clientId || formEncode(clientSecret) !== clientSecret;
}

/**
 * The Authorization header value for HTTP Basic client authentication.
 * `raw` skips the form-encoding that RFC 6749 prescribes (many servers do not decode).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export function basicAuthorization(clientId: string, clientSecret: string, raw: boolean): string {
  const pair = raw ? `${clientId}:${clientSecret}` : `${formEncode(clientId)}:${formEncode(clientSecret)}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}
