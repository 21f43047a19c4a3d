/**
 * Did a resource server refuse the access token itself (so a new token may
 * help), or something else (a missing scope, a wrong address)? Two dialects
 * say "invalid_token": RFC 6750's `WWW-Authenticate: Bearer
 * error="invalid_token"`, and Myfox's JSON body. The seed document
 * (myfox-authentication.txt, line 33) prescribes what to do with the latter:
 *
 *   "HTTP 401responses, if theerrorproperty equalsinvalid_token, get a new
 *    token and retry your initial request.{"status":"KO","timestamp":1569310000,
 *    "error":"invalid_token","error_description":"The access token provided is invalid"}"
 */

export interface AuthChallenge {
  /** The auth-scheme in lower case (schemes are case-insensitive). */
  scheme: string;
  /** auth-params by lower-case name (names are case-insensitive), the first of each name; quoted values unescaped. */
  params: Record<string, string>;
  token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

/**
 * Parses a WWW-Authenticate (or Proxy-Authenticate) field value into its
 * challenges: `1#challenge`, each an auth-scheme with a token68 or a list of
 * auth-params whose values are tokens or quoted strings. Several fields of
 * the same name arrive joined by ", ", which is the same list. Stops at the
 * first malformed part, keeping what came before it.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.6.1
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-11.2
 */
export function parseAuthenticateChallenges(value: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let pos = 0;
  const skipSpace = () => {
    while (pos < value.length && (value[pos] === ' ' || value[pos] === '\t')) pos++;
  };
  const readToken = (): string => {
    const start = pos;
    while (pos < value.length && TCHAR.test(value[pos]!)) pos++;
    return value.slice(start, pos);
  };
  const readQuoted = (): string | undefined => {
    pos++; // the opening quote
    let text = '';
    while (pos < value.length) {
      const char = value[pos++]!;
      if (char === '"') return text;
      if (char === '\\' && pos < value.length) text += value[pos++]!;
      else text += char;
    }
    return undefined; // unterminated
  };
  for (let guard = 0; guard <= value.length; guard++) {
    while (pos < value.length && (value[pos] === ',' || value[pos] === ' ' || value[pos] === '\t')) pos++;
    if (pos >= value.length) break;
    const scheme = readToken();
    if (!scheme) break;
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    skipSpace();
    const token68 = TOKEN68.exec(value.slice(pos))?.[0];
    if (token68 !== undefined) {
      const after = value.slice(pos + token68.length).trimStart();
      if (after === '' || after.startsWith(',')) {
        challenge.token68 = token68;
        pos += token68.length;
        continue;
      }
    }
    // auth-params until one that is not `name = value` (then it starts the next challenge).
    for (;;) {
      skipSpace();
      const start = pos;
      const name = readToken();
      if (!name) break;
      skipSpace();
      if (value[pos] !== '=') {
        pos = start;
        break;
      }
      pos++;
      skipSpace();
      const paramValue = value[pos] === '"' ? readQuoted() : readToken();
      if (paramValue === undefined) return challenges;
      const key = name.toLowerCase();
      if (!(key in challenge.params)) challenge.params[key] = paramValue;
      skipSpace();
      if (value[pos] === ',') {
        pos++;
        continue;
      }
      if (pos < value.length) return challenges; // neither a separator nor the end: malformed
      break;
    }
  }
  return challenges;
}

/**
 * True when a resource server's answer says the access token is invalid
 * (expired, revoked, malformed), so a new token and one retry can help:
 * HTTP 401 with a Bearer challenge whose `error` is `invalid_token`
 * (RFC 6750 3.1), or a JSON body whose `error` property is `invalid_token`
 * (Myfox). Any other 401 (insufficient_scope, no error at all) is not.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function isInvalidTokenAnswer(status: number, authenticate: string | null, body: Uint8Array | undefined): boolean {
  if (status !== 401) return false;
  if (authenticate !== null && parseAuthenticateChallenges(authenticate).some((c) => c.scheme === 'bearer' && c.params.error === 'invalid_token')) return true;
  return body !== undefined && jsonErrorOf(body) === 'invalid_token';
}

function jsonErrorOf(body: Uint8Array): unknown {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>).error : undefined;
  } catch {
    return undefined;
  }
}
