/**
 * The one place that writes an access token as an HTTP Authorization header
 * value, for the CLI's `--format header`, the app's Copy header and test calls.
 * Scripts paste the result straight into `curl -H`, so it must be exactly one
 * header: a scheme of RFC 7230 token characters, one space, the token.
 */
import type { TokenSet } from '../../../shared/account.js';
import { TransportError } from '../errors.js';
import { quoteServerText } from './redaction.js';
import { isHttpToken, normaliseTokenType } from './token-type.js';

/** RFC 6750 2.1 b64token is narrower; any visible ASCII is what can go into a header unchanged. */
const HEADER_SAFE_TOKEN = /^[\x21-\x7e]+$/;

/**
 * `Bearer <token>` (for any case of "bearer", and when the type is missing:
 * Vyopta asks for "the word Bearer, a single space and then the token"), or
 * `<type> <token>` for another RFC 7230 token type (`DPoP`). Refuses a type or
 * a token that would break the header, such as one saved by an older version
 * that did not check: ERR_RESPONSE_INVALID (a protocol failure, CLI exit 4).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc7235#section-2.1
 */
export function authorizationHeaderValue(tokens: Pick<TokenSet, 'tokenType' | 'accessToken'>): string {
  const type = tokens.tokenType === '' ? undefined : tokens.tokenType;
  if (type !== undefined && !isHttpToken(type)) {
    throw new TransportError(
      'ERR_RESPONSE_INVALID',
      `The saved token's type "${quoteServerText(type, 40)}" is not a single word, so it cannot be written as an Authorization header. Get a new token (Refresh, or tokendesk token NAME --force).`,
    );
  }
  if (!HEADER_SAFE_TOKEN.test(tokens.accessToken)) {
    throw new TransportError(
      'ERR_RESPONSE_INVALID',
      'The saved access token contains spaces or characters that cannot go into an Authorization header. Get a new token (Refresh, or tokendesk token NAME --force).',
    );
  }
  return `${normaliseTokenType(type)} ${tokens.accessToken}`;
}
