/**
 * Fuzzing the token-response parser (SPEC 8: "hostile token responses: clear
 * error, no crash"). Any JSON value, token fields of random types and random
 * bodies with random statuses end in a well-formed TokenSet or a typed error
 * (TransportError / AuthServerError); a secret the server echoes never reaches
 * the message.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TokenSet } from '../../shared/account.js';
import { AuthServerError, TransportError } from '../../main/core/errors.js';
import type { SafeResponse } from '../../main/core/oauth/http.js';
import { parseErrorResponse, parseTokenResponse, processTokenResponse } from '../../main/core/oauth/token-response.js';
import { fuzzParams, testTimeout } from './fuzz-settings.js';

const NOW = Date.UTC(2026, 0, 1);
const SECRET = 'fuzz-client-secret-7f3a9c';

const MAX_DATE_MS = 8.64e15;
const isDateMs = (ms: number): boolean => Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS;

function checkTokenSet(token: TokenSet): void {
  expect(typeof token.accessToken).toBe('string');
  expect(token.accessToken).not.toBe('');
  expect(typeof token.tokenType).toBe('string');
  expect(token.tokenType).not.toBe('');
  expect(token.obtainedAt).toBe(NOW);
  // An expiry must be a real date: Infinity becomes null in the vault's JSON, and
  // `new Date(x).toISOString()` (CLI --format json, list) throws past +-8.64e15 ms.
  if (token.expiresAt !== undefined) expect(isDateMs(token.expiresAt), `expiresAt ${token.expiresAt}`).toBe(true);
  if (token.refreshExpiresAt !== undefined) expect(isDateMs(token.refreshExpiresAt), `refreshExpiresAt ${token.refreshExpiresAt}`).toBe(true);
  if (token.scope !== undefined) expect(typeof token.scope).toBe('string');
  if (token.refreshToken !== undefined) expect(typeof token.refreshToken).toBe('string');
  if (token.idToken !== undefined) expect(typeof token.idToken).toBe('string');
}

/** The token or the typed error; anything else is rethrown and fails the property. */
function outcome(run: () => TokenSet): TokenSet | TransportError | AuthServerError {
  try {
    const token = run();
    checkTokenSet(token);
    return token;
  } catch (error) {
    if (error instanceof TransportError || error instanceof AuthServerError) {
      expect(error.code).toMatch(/^ERR_/);
      expect(error.message.length).toBeGreaterThan(0);
      expect(error.message).not.toContain(SECRET);
      return error;
    }
    throw error;
  }
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url');
const numberish = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53, 5e-324), fc.string({ maxLength: 8 }), fc.constantFrom('300', ' 300 ', '3e2', '0x10', '1e400', 'Infinity', '-5', ''));
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), numberish, fc.constant(null), fc.array(fc.string(), { maxLength: 3 }));

/** Access tokens that look like JWTs, with `exp` of any type (the parser falls back to it). */
const jwtLike = fc
  .tuple(fc.jsonValue({ maxDepth: 1 }), fc.oneof(numberish, fc.jsonValue({ maxDepth: 1 })), fc.boolean())
  .map(([header, exp, garble]) => `${b64url(header)}.${garble ? '%%%' : b64url({ exp, sub: 'x' })}.sig`);

const tokenFields = fc.record(
  {
    access_token: fc.oneof({ weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) }, { weight: 2, arbitrary: jwtLike }, { weight: 2, arbitrary: anyValue }),
    token_type: fc.oneof(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'mac', ''), anyValue),
    expires_in: numberish,
    refresh_token: anyValue,
    refresh_expires_in: numberish,
    scope: anyValue,
    id_token: anyValue,
    error: fc.oneof(fc.constantFrom('invalid_client', `bad secret ${SECRET}`, ''), anyValue, fc.record({ message: anyValue })),
    error_description: fc.oneof(fc.constant(`client_secret=${SECRET} was refused`), anyValue),
    status: fc.constantFrom('KO', 'OK', 1),
    message: fc.oneof(fc.constant(`echo ${SECRET}`), anyValue),
  },
  { requiredKeys: [] },
);

/** What safeRequest would hand over for these bytes (same decode rules: strict UTF-8, trimmed JSON.parse). */
function safeResponse(status: number, body: Uint8Array): SafeResponse {
  const bodyText = new TextDecoder('utf-8', { fatal: false }).decode(body);
  const response: SafeResponse = { status, headers: new Headers({ 'content-type': 'application/json' }), bodyText, bodyBytes: body.byteLength };
  try {
    const strict = new TextDecoder('utf-8', { fatal: true }).decode(body).trim();
    if (strict) {
      try {
        response.json = JSON.parse(strict) as unknown;
      } catch {
        // not JSON
      }
    }
  } catch {
    response.invalidUtf8 = true;
  }
  return response;
}

const status = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(200, 201, 400, 401, 403, 429, 500, 502) }, { weight: 1, arbitrary: fc.integer({ min: 100, max: 599 }) });
const body = fc.oneof(
  tokenFields.map((fields) => Buffer.from(JSON.stringify(fields))),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? '')),
  fc.string({ unit: 'binary', maxLength: 300 }).map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  // A secret echoed inside HTML or plain text, and cut-short JSON.
  fc.tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 })).map(([a, b]) => Buffer.from(`<html>${a}${SECRET}${b}</html>`)),
  tokenFields.chain((fields) => {
    const text = JSON.stringify(fields);
    return fc.nat({ max: text.length }).map((cut) => Buffer.from(text.slice(0, cut)));
  }),
);

describe('token response fuzzing', () => {
  it('parses any JSON value into a well-formed TokenSet or a TransportError', { timeout: testTimeout() }, () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        outcome(() => parseTokenResponse(json, NOW));
      }),
      fuzzParams('parseTokenResponse(jsonValue)'),
    );
  });

  it('parses token fields of random types into a well-formed TokenSet or a typed error', { timeout: testTimeout() }, () => {
    fc.assert(
      fc.property(tokenFields, fc.option(fc.integer({ min: 1, max: 86_400 }), { nil: undefined }), (fields, lifetime) => {
        outcome(() => parseTokenResponse(fields, NOW, lifetime === undefined ? undefined : { defaultTokenLifetimeSeconds: lifetime }));
        // The error recogniser alone must never throw either.
        const error = parseErrorResponse(fields, 400, 'token endpoint', [SECRET]);
        if (error) {
          expect(error).toBeInstanceOf(AuthServerError);
          expect(error.message).not.toContain(SECRET);
          expect(error.error).not.toContain(SECRET);
          expect(error.errorDescription ?? '').not.toContain(SECRET);
        }
      }),
      fuzzParams('parseTokenResponse(token fields)'),
    );
  });

  it('classifies random bodies with random statuses into a TokenSet or a typed error that never quotes the secret', { timeout: testTimeout() }, () => {
    fc.assert(
      fc.property(status, body, (code, bytes) => {
        const response = safeResponse(code, bytes);
        const result = outcome(() => processTokenResponse(response, NOW, undefined, 'token endpoint', [SECRET]));
        // Only a 2xx can yield tokens (an OAuth error body wins at any status).
        if (!(result instanceof Error)) expect(code >= 200 && code < 300).toBe(true);
      }),
      fuzzParams('processTokenResponse(random bodies)'),
    );
  });
});
