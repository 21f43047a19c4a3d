/**
 * "Test API call": one GET to the account's api_url with the token, showing
 * the status and the start of the answer. The token goes only to https (or
 * loopback) and never follows a redirect to another host.
 */
import type { TokenSet } from '../../../shared/account.js';
import type { IpcResponse } from '../../../shared/ipc.js';
import { CancelledError, TransportError } from '../errors.js';
import { authorizationHeaderValue } from '../oauth/authorization-header.js';
import { explainFetchFailure } from '../net/transport-failure.js';
import { assertSecureEndpoint } from '../oauth/http.js';
import { redactSecrets, stripControlCharacters } from '../oauth/redaction.js';
import type { CorePorts } from '../ports.js';

/** How much of an API response the panel shows. */
export const API_EXCERPT_CHARS = 2000;
const API_READ_CAP_BYTES = 64 * 1024;
const API_TIMEOUT_MS = 30_000;

/** `signal`: the user's Cancel; the call then ends with a CancelledError, whatever the network was doing. */
export async function testApiCall(ports: CorePorts, url: string, tokens: TokenSet, signal?: AbortSignal): Promise<IpcResponse<'tokens:test-api'>> {
  assertSecureEndpoint(url, 'test API (api_url)');
  if (signal?.aborted) throw new CancelledError();
  const started = ports.clock.now();
  const timeout = AbortSignal.timeout(API_TIMEOUT_MS);
  let response: Response;
  let text: string;
  try {
    response = await ports.fetch(url, {
      method: 'GET',
      redirect: 'manual',
      headers: { authorization: authorizationHeaderValue(tokens), accept: 'application/json, */*;q=0.5' },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    text = await readCapped(response, API_READ_CAP_BYTES);
  } catch (error) {
    if (signal?.aborted) throw new CancelledError();
    if (timeout.aborted || (error instanceof Error && error.name === 'TimeoutError')) {
      throw new TransportError('ERR_TIMEOUT', 'The API did not answer within 30 seconds. Check the test address and your network.');
    }
    throw await explainFetchFailure(error, 'test API', new URL(url));
  }
  // An API that echoes the token back (in any encoding) must not put it on screen; nor may its control characters.
  const secrets = [tokens.accessToken, tokens.refreshToken, tokens.idToken];
  const excerpt = stripControlCharacters(redactSecrets(text, secrets), { keepLineBreaks: true }).slice(0, API_EXCERPT_CHARS);
  const contentType = response.headers.get('content-type') ?? undefined;
  return {
    url,
    status: response.status,
    statusText: response.statusText,
    ...(contentType ? { contentType } : {}),
    excerpt,
    durationMs: Math.max(0, ports.clock.now() - started),
  };
}

/** Reads at most `capBytes` of the body (an excerpt, not an error, when there is more). */
async function readCapped(response: Response, capBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < capBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(total, capBytes));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, Math.max(0, bytes.length - offset));
    bytes.set(part, offset);
    offset += part.length;
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}
