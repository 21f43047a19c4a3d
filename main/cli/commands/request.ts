/**
 * `tokendesk request NAME URL [-X METHOD] [-H 'Name: value']... [-d DATA |
 * --data-file FILE]`: one API request with the account's token. The body of
 * the answer is the result (stdout, unchanged, binary included); the status
 * line and every note go to stderr, never with the token in them. When the
 * API says the token is invalid (RFC 6750 or Myfox's body), a new token is
 * fetched and the same request sent once more, as Myfox prescribes.
 */
import { prepareResourceRequest, sendResourceRequest, type ResourceRequest, type ResourceResponse } from '../../core/api/resource-request.js';
import { isInvalidTokenAnswer } from '../../core/api/bearer-challenge.js';
import { ApiStatusError, InputError } from '../../core/errors.js';
import { displayUrl } from '../../core/oauth/http.js';
import { quoteServerText } from '../../core/oauth/redaction.js';
import { throwIfCancelled, untilCancelled } from '../cancel.js';
import type { CliContext } from '../context.js';
import { readInputBytes, readStreamBytes } from '../input-file.js';
import { say } from '../terminal.js';
import type { CorePorts } from '../../core/ports.js';
import type { HandedToken, TokenRequest, TokenSource } from '../token-source.js';

export interface RequestOptions {
  name: string;
  url: string;
  method?: string;
  headers: string[];
  /** -d: sent as its UTF-8 bytes. */
  data?: string;
  /** --data-file: a file's bytes, `-` for stdin. */
  dataFile?: string;
  minValiditySeconds: number;
  openBrowser: boolean;
}

/** A refusal's body is read this far to find Myfox's `"error":"invalid_token"` (its answers are a few hundred bytes). */
const REFUSAL_READ_BYTES = 64 * 1024;

export async function requestCommand(cli: CliContext, source: TokenSource, options: RequestOptions): Promise<void> {
  // All of the data is read before the first request: a retry sends the very same bytes.
  const body = options.data !== undefined ? Buffer.from(options.data, 'utf8') : options.dataFile !== undefined ? await readData(cli, options.dataFile) : undefined;
  // Checked before any token is fetched or any connection made: the address (https or loopback), method, headers.
  const request = prepareResourceRequest({ url: options.url, ...(options.method !== undefined ? { method: options.method } : {}), headers: options.headers, ...(body ? { body } : {}) });
  const tokenRequest: TokenRequest = { name: options.name, force: false, minValiditySeconds: options.minValiditySeconds, openBrowser: options.openBrowser };
  // Every token this command held: an API that echoes one back must not get it onto the terminal.
  const tokens: string[] = [];
  const send = async (token: HandedToken): Promise<ResourceResponse> => {
    tokens.push(token.accessToken);
    throwIfCancelled(cli.signal);
    const ports = await portsForRequest(source, options.name, token, cli);
    return sendResourceRequest(ports, request, token, { signal: cli.signal, ...(cli.timeoutMs !== undefined ? { timeoutMs: cli.timeoutMs } : {}) });
  };

  let response = await send(await source.getToken(tokenRequest));
  let start: Uint8Array[] = [];
  if (response.status === 401) {
    const { chunks, complete } = await readStart(response, REFUSAL_READ_BYTES);
    if (complete && isInvalidTokenAnswer(response.status, response.headers.get('www-authenticate'), concat(chunks))) {
      say(cli.io, 'The API refused the token (invalid_token): getting a new one and sending the request once more.');
      // Once only: a second refusal is the answer.
      response = await send(await source.getToken({ ...tokenRequest, force: true }));
    } else {
      start = chunks;
    }
  }
  // Nothing more is needed from the vault.
  source.close();

  const statusText = quoteServerText(response.statusText, 200, tokens);
  say(cli.io, `HTTP ${response.status}${statusText ? ` ${statusText}` : ''}`);
  const redirect = response.status >= 300 && response.status < 400 ? redirectNotice(response, request, tokens) : undefined;
  if (redirect) say(cli.io, redirect);
  const written = await streamBody(cli, response, start);
  if (response.status >= 200 && response.status < 300) return;
  throw new ApiStatusError(
    response.status,
    redirect
      ? `The API answered HTTP ${response.status} (a redirect, not followed).`
      : `The API answered HTTP ${response.status}, not a success${written > 0 ? '; its answer is on standard output' : ''}.`,
  );
}

/**
 * The account's client certificate goes to the API as well (RFC 8705 3: an
 * API may accept a token only on a connection with the certificate it is
 * bound to). A token the agent handed out comes without the certificate,
 * which never leaves TokenDesk: refused in words, never sent bare.
 */
async function portsForRequest(source: TokenSource, name: string, token: HandedToken, cli: CliContext): Promise<CorePorts> {
  const ports = await source.portsFor?.(name);
  if (ports) return ports;
  if (!token.clientCertificate) return cli.ports;
  throw new InputError(
    'ERR_AGENT_CLIENT_CERTIFICATE',
    `"${name}" presents a client certificate, which never leaves TokenDesk, so a request with a token from the agent cannot present it. Open the vault in this command instead: tokendesk request "${name}" URL --no-agent (with TOKENDESK_PASSPHRASE set in a script).`,
  );
}

async function readData(cli: CliContext, file: string): Promise<Buffer> {
  if (file === '-') return untilCancelled(readStreamBytes(cli.io.stdin), cli.signal);
  try {
    return await readInputBytes(file, cli.signal);
  } catch (error) {
    throwIfCancelled(cli.signal);
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : 'it cannot be read';
    throw new InputError('ERR_INPUT_FIELD', `Cannot read the data file: ${why}.`, { file });
  }
}

/** The first chunks of the body up to `limit` bytes; `complete` when that was all of it. */
async function readStart(response: ResourceResponse, limit: number): Promise<{ chunks: Uint8Array[]; complete: boolean }> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (total <= limit) {
    const chunk = await response.read();
    if (chunk === undefined) return { chunks, complete: true };
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  return { chunks, complete: false };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks);
}

/** Where a 3xx pointed, for the person to decide: the token is never sent there by TokenDesk. */
function redirectNotice(response: ResourceResponse, request: ResourceRequest, tokens: string[]): string {
  const location = response.headers.get('location');
  if (!location) return 'It is a redirect without a Location. TokenDesk never follows redirects (the token would go along).';
  let shown: string;
  try {
    // The Location is the server's text: its path may echo the token; the query is left out (displayUrl).
    shown = quoteServerText(displayUrl(new URL(location, request.url)), 300, tokens);
  } catch {
    shown = '(an invalid URL)';
  }
  return `It redirects to ${shown}. TokenDesk never follows redirects (the token would go along): if that is the right address, request it instead.`;
}

/** Writes the body to stdout as it arrives (backpressure respected); returns how many bytes were written. */
async function streamBody(cli: CliContext, response: ResourceResponse, start: Uint8Array[]): Promise<number> {
  const stdout = cli.io.stdout;
  let written = 0;
  let broken: Error | undefined;
  // A reader that went away (`| head`): stop reading, as curl does, instead of crashing on EPIPE.
  // The listener stays: the EPIPE of the last write can be reported after this returns.
  stdout.on('error', (error: Error) => (broken = error));
  const write = async (chunk: Uint8Array) => {
    if (broken || chunk.byteLength === 0) return;
    written += chunk.byteLength;
    if (!stdout.write(chunk)) await new Promise<void>((resolve) => {
      const done = () => {
        stdout.removeListener('drain', done);
        stdout.removeListener('error', done);
        resolve();
      };
      stdout.once('drain', done);
      stdout.once('error', done);
    });
  };
  for (const chunk of start) await write(chunk);
  for (;;) {
    if (broken) {
      await response.cancel();
      break;
    }
    const chunk = await response.read();
    if (chunk === undefined) break;
    await write(chunk);
  }
  return written;
}
