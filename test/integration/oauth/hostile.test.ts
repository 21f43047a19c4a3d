/**
 * Hostile token endpoints: each misbehaviour ends with the right error code,
 * within its bound, and nothing crashes (SPEC 3, SPEC 8 "hostile token responses").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthServerError, InputError, TransportError } from '../../../main/core/errors.js';
import { runClientCredentialsGrant } from '../../../main/core/oauth/grants/client-credentials.js';
import type { ProviderServer } from '../../fixtures/provider-server.js';
import { startProviderServer } from '../../fixtures/provider-server.js';
import { caught, makeContext, messageContainsAny, settings } from './support.js';

let server: ProviderServer;
beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(async () => {
  await server.close();
});

const SECRET = 'hostile-test-secret-9f8e7d';
const at = (path: string) => settings({ tokenUrl: `${server.url}/hostile/${path}`, clientId: 'c', clientSecret: SECRET, clientAuth: 'body' });
async function failure(path: string, extra = {}) {
  const started = Date.now();
  const error = await caught(() => runClientCredentialsGrant(at(path), makeContext(extra)));
  expect(messageContainsAny(error, [SECRET])).toBeUndefined();
  return { error, elapsed: Date.now() - started };
}

describe('hostile token endpoints', () => {
  it('describes an HTML 200 page as not JSON without quoting it (a 2xx body is never quoted)', async () => {
    const { error } = await failure('html-200');
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('ERR_RESPONSE_NOT_JSON');
    expect(error.message).toContain('HTTP 200');
    expect(error.message).toMatch(/\d+ bytes of text\/html/);
    expect(error.message).not.toContain('Login');
    expect(error.message).not.toContain('\u0007');
  });

  it('reports an HTML 500 page as an HTTP status error quoting it', async () => {
    const { error } = await failure('html-500');
    expect(error.code).toBe('ERR_HTTP_STATUS');
    expect(error.message).toContain('HTTP 500');
    expect(error.message).toContain('Internal Server Error');
  });

  it('reports truncated JSON as not JSON or cut short, without quoting the token in it', async () => {
    const { error } = await failure('truncated-json');
    expect(error.code).toBe('ERR_RESPONSE_NOT_JSON');
    expect(error.message).toContain('not JSON (or is cut short)');
    expect(error.message).toContain('37 bytes of application/json');
    expect(error.message).not.toContain('access_token');
  });

  it('stops reading a 2 MiB body', async () => {
    const { error } = await failure('2mib');
    expect(error.code).toBe('ERR_RESPONSE_TOO_LARGE');
    expect(error.message).toContain('1 MiB');
  });

  it('stops reading a streamed 64 MiB body and disconnects', async () => {
    const { error, elapsed } = await failure('64mib');
    expect(error.code).toBe('ERR_RESPONSE_TOO_LARGE');
    expect(elapsed).toBeLessThan(5000);
    for (let i = 0; i < 100 && !server.hostile.hugeClosed; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.hostile.hugeClosed).toBe(true);
    expect(server.hostile.hugeBytesSentAtClose!).toBeLessThan(32 * 1024 * 1024);
  });

  it('caps a gzip bomb on decoded bytes', async () => {
    const { error, elapsed } = await failure('gzip-bomb');
    expect(error.code).toBe('ERR_RESPONSE_TOO_LARGE');
    expect(elapsed).toBeLessThan(5000);
  });

  it('refuses invalid UTF-8 as not JSON instead of storing a corrupted token', async () => {
    const { error } = await failure('invalid-utf8');
    expect(error.code).toBe('ERR_RESPONSE_NOT_JSON');
    expect(error.message).toContain('UTF-8');
  });

  it('does not follow a 302 and names its Location', async () => {
    const { error } = await failure('redirect');
    expect(error.code).toBe('ERR_REDIRECT');
    expect((error as unknown as TransportError).location).toBe(`${server.url}/hostile/elsewhere/token`);
    expect(server.requests.some((r) => r.path.includes('elsewhere'))).toBe(false);
  });

  it('refuses a JSON answer without access_token', async () => {
    const { error } = await failure('no-access-token');
    expect(error.code).toBe('ERR_RESPONSE_INVALID');
  });

  it('treats an OAuth error body as a refusal even with status 200', async () => {
    const { error } = await failure('oauth-error-200');
    expect(error).toBeInstanceOf(AuthServerError);
    expect(error.message).toContain('invalid_request');
    expect(error.message).toContain('Sent with status 200');
  });

  it('times out a server that never answers', async () => {
    const { error, elapsed } = await failure('stall', { timeoutMs: 300 });
    expect(error.code).toBe('ERR_TIMEOUT');
    expect(elapsed).toBeLessThan(2000);
  });

  it('times out a server that sends one byte per second (the timeout covers the body)', async () => {
    const { error, elapsed } = await failure('slow', { timeoutMs: 1500 });
    expect(error.code).toBe('ERR_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(4000);
  });

  it('reports a connection reset mid-body as a network error', async () => {
    const { error } = await failure('reset');
    expect(error.code).toBe('ERR_NETWORK');
  });

  it('turns a cancelled signal into CancelledError, not a timeout', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { error, elapsed } = await failure('stall', { signal: controller.signal, timeoutMs: 5000 });
    expect(error.code).toBe('ERR_CANCELLED');
    expect(elapsed).toBeLessThan(2000);
  });

  it('reports a refused connection as a network error', async () => {
    const closed = await startProviderServer();
    const url = closed.url;
    await closed.close();
    const error = await caught(() => runClientCredentialsGrant(settings({ tokenUrl: `${url}/token`, clientId: 'c', clientSecret: SECRET }), makeContext()));
    expect(error.code).toBe('ERR_NETWORK');
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('HTTP 429 Retry-After', () => {
  it('waits as asked and retries', async () => {
    const started = Date.now();
    const token = await runClientCredentialsGrant(at('429?times=1&after=1&id=a'), makeContext());
    expect(token.accessToken).toMatch(/^hostile-ok-/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.hostile.rateLimitHits.get('/hostile/429?times=1&after=1&id=a')).toBe(2);
  });

  it('accepts Retry-After as an HTTP date', async () => {
    const token = await runClientCredentialsGrant(at('429?times=1&date=1&id=b'), makeContext());
    expect(token.accessToken).toBeTruthy();
    expect(server.hostile.rateLimitHits.get('/hostile/429?times=1&date=1&id=b')).toBe(2);
  });

  it('gives up after two retries', async () => {
    const { error } = await failure('429?times=9&after=0&id=c');
    expect(error.code).toBe('ERR_RATE_LIMITED');
    expect(server.hostile.rateLimitHits.get('/hostile/429?times=9&after=0&id=c')).toBe(3);
  });

  it('does not wait beyond the total bound', async () => {
    const { error, elapsed } = await failure('429?times=1&after=60&id=d');
    expect(error.code).toBe('ERR_RATE_LIMITED');
    expect(error.message).toContain('60 s');
    expect(elapsed).toBeLessThan(1000);
    expect(server.hostile.rateLimitHits.get('/hostile/429?times=1&after=60&id=d')).toBe(1);
  });

  it('honours a smaller configured bound', async () => {
    const { error } = await failure('429?times=2&after=1&id=e', { rateLimitMaxWaitMs: 1500 });
    expect(error.code).toBe('ERR_RATE_LIMITED');
    expect(server.hostile.rateLimitHits.get('/hostile/429?times=2&after=1&id=e')).toBe(2);
  });
});

describe('endpoint security (SPEC 3)', () => {
  it('refuses http:// to a non-loopback host before any connection', async () => {
    const ctx = makeContext();
    const error = await caught(() => runClientCredentialsGrant(settings({ tokenUrl: 'http://example.invalid/oauth/token', clientId: 'c', clientSecret: SECRET }), ctx));
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('ERR_INPUT_INSECURE_URL');
    expect(error.message).toContain('http');
    expect(ctx.fetched).toEqual([]);
  });

  it('refuses non-http schemes', async () => {
    const ctx = makeContext();
    const error = await caught(() => runClientCredentialsGrant(settings({ tokenUrl: 'ftp://127.0.0.1/token', clientId: 'c', clientSecret: SECRET }), ctx));
    expect(error.code).toBe('ERR_INPUT_INSECURE_URL');
    expect(ctx.fetched).toEqual([]);
  });

  it('never shows the query-style secret in an error message', async () => {
    const error = await caught(() =>
      runClientCredentialsGrant(settings({ tokenUrl: `${server.url}/hostile/redirect`, clientId: 'c', clientSecret: SECRET, clientAuth: 'query' }), makeContext()),
    );
    expect(error.code).toBe('ERR_REDIRECT');
    expect(messageContainsAny(error, [SECRET])).toBeUndefined();
  });
});
