/**
 * One request to a resource server (an API) with an account's access token,
 * for `tokendesk request`: https or loopback only (refused before any
 * connection), redirects never followed (the token would go along), a
 * timeout for the answer and for every pause of its body.
 */
import { CancelledError, InputError, TransportError } from '../errors.js';
import { authorizationHeaderValue } from '../oauth/authorization-header.js';
import { DEFAULT_TIMEOUT_MS } from '../oauth/context.js';
import { explainFetchFailure } from '../net/transport-failure.js';
import { assertSecureEndpoint, displayUrl, formatSeconds } from '../oauth/http.js';
import type { CorePorts } from '../ports.js';

export interface ResourceRequestInput {
  url: string;
  /** Default: POST with a body, else GET (as curl). */
  method?: string;
  /** `Name: value` lines, as given to curl's -H. */
  headers: readonly string[];
  /** Sent byte for byte. */
  body?: Uint8Array;
}

export interface ResourceRequest {
  url: URL;
  method: string;
  headers: [string, string][];
  body?: Uint8Array<ArrayBuffer>;
}

/** The answer: status and headers, and the body read chunk by chunk. */
export interface ResourceResponse {
  status: number;
  statusText: string;
  headers: Headers;
  /** The next chunk of the body, undefined at its end. */
  read(): Promise<Uint8Array | undefined>;
  /** Stops reading and releases the connection. */
  cancel(): Promise<void>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII, space and tab: what every HTTP stack passes unchanged. */
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;
/** Headers the HTTP client writes itself (Node's fetch drops or refuses them). */
const CLIENT_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer']);

/**
 * Checks everything about the request before any token is fetched or any
 * connection made: the address (SPEC 3), the method, each header.
 */
export function prepareResourceRequest(input: ResourceRequestInput): ResourceRequest {
  const url = assertSecureEndpoint(input.url, 'API');
  if (url.username || url.password) {
    throw new InputError('ERR_INPUT_USAGE', `The API URL ${displayUrl(url)} has a user name or password in it: TokenDesk sends the account's token instead; leave them out.`);
  }
  const method = (input.method ?? (input.body ? 'POST' : 'GET')).toUpperCase();
  if (!TOKEN.test(method)) throw new InputError('ERR_INPUT_USAGE', `-X needs an HTTP method such as GET, POST, PUT, PATCH or DELETE, not "${input.method}".`);
  if (method === 'CONNECT' || method === 'TRACE' || method === 'TRACK') throw new InputError('ERR_INPUT_USAGE', `The method ${method} cannot be sent with TokenDesk.`);
  if (input.body && (method === 'GET' || method === 'HEAD')) throw new InputError('ERR_INPUT_USAGE', `A ${method} request cannot carry data (-d or --data-file): use -X POST (or PUT, PATCH).`);
  const headers = input.headers.map(parseHeaderLine);
  if (input.body && !headers.some(([name]) => name.toLowerCase() === 'content-type')) {
    // What curl -d sends; an API that wants JSON is given -H 'Content-Type: application/json'.
    headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  }
  return { url, method, headers, ...(input.body ? { body: new Uint8Array(input.body) } : {}) };
}

function parseHeaderLine(line: string): [string, string] {
  const colon = line.indexOf(':');
  const name = colon < 0 ? '' : line.slice(0, colon).trim();
  const value = colon < 0 ? '' : line.slice(colon + 1).trim();
  if (!TOKEN.test(name)) throw new InputError('ERR_INPUT_USAGE', `-H needs a header written as "Name: value", not "${shown(line)}".`);
  const lower = name.toLowerCase();
  if (lower === 'authorization') {
    throw new InputError('ERR_INPUT_USAGE', 'Do not give an Authorization header: TokenDesk sends the account\'s token itself (and gets a new one when the API refuses it).');
  }
  if (CLIENT_HEADERS.has(lower)) throw new InputError('ERR_INPUT_USAGE', `The ${name} header is written by TokenDesk's HTTP client itself; leave it out.`);
  if (!FIELD_VALUE.test(value)) throw new InputError('ERR_INPUT_USAGE', `The value of the ${name} header may hold only printable ASCII characters.`);
  return [name, value];
}

/** A header line in a message: only its name part, so a value pasted by mistake (a secret) is not repeated. */
function shown(line: string): string {
  const text = line.length > 40 ? `${line.slice(0, 40)}…` : line;
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/**
 * Sends `request` with `Authorization: <type> <token>` and returns once the
 * status and headers arrived. Never follows a redirect: a 3xx is returned
 * as it is. `timeoutMs` (default 30 s) bounds the wait for the answer and
 * every wait for the next chunk of its body.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export async function sendResourceRequest(
  ports: CorePorts,
  request: ResourceRequest,
  token: { tokenType: string; accessToken: string },
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<ResourceResponse> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (options.signal?.aborted) throw new CancelledError();
  const timeout = new AbortController();
  let timer = setTimeout(() => timeout.abort(), timeoutMs);
  const restartTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => timeout.abort(), timeoutMs);
  };
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  const failure = async (error: unknown, waitingFor: string): Promise<Error> => {
    if (options.signal?.aborted) return new CancelledError();
    if (timeout.signal.aborted) return new TransportError('ERR_TIMEOUT', `The API at ${displayUrl(request.url)} sent nothing for ${formatSeconds(timeoutMs)} while TokenDesk waited for ${waitingFor}.`);
    return explainFetchFailure(error, 'API', request.url);
  };
  const headers = new Headers(request.headers);
  headers.set('authorization', authorizationHeaderValue(token));
  let response: Response;
  try {
    response = await ports.fetch(request.url, {
      method: request.method,
      headers,
      ...(request.body ? { body: request.body } : {}),
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    clearTimeout(timer);
    throw await failure(error, 'its answer');
  }
  const reader = response.body?.getReader();
  const done = () => clearTimeout(timer);
  if (!reader) done();
  else restartTimer();
  return {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    async read() {
      if (!reader) return undefined;
      try {
        const chunk = await reader.read();
        if (chunk.done) {
          done();
          return undefined;
        }
        restartTimer();
        return chunk.value;
      } catch (error) {
        done();
        throw await failure(error, 'the rest of its answer');
      }
    },
    async cancel() {
      done();
      await reader?.cancel().catch(() => undefined);
    },
  };
}
