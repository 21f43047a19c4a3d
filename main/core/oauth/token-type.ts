/** The token type of a token response (no JOSE here: the command line's fast path formats tokens with it). */

/** RFC 7230 3.2.6 `token`: the characters an HTTP authentication scheme may have. */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** true when `value` is an RFC 7230 token (an auth-scheme, such as `Bearer` or `DPoP`). */
export function isHttpToken(value: string): boolean {
  return HTTP_TOKEN.test(value);
}

/** "Bearer" for a missing type and for any case of "bearer" (Vyopta sends `bearer`); other types as sent. */
export function normaliseTokenType(tokenType: string | undefined): string {
  return tokenType === undefined || tokenType.toLowerCase() === 'bearer' ? 'Bearer' : tokenType;
}
