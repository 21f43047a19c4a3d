/**
 * Fuzzing redaction (issue 9 item 1): for any secret, echoed in any of the
 * forms a server uses, inside any text, with any status, the error message
 * quotes none of them. The independent leak scan is the judge.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuthServerError, TransportError } from '../../main/core/errors.js';
import type { SafeResponse } from '../../main/core/oauth/http.js';
import { basicCredentialSecrets, quoteServerText } from '../../main/core/oauth/redaction.js';
import { processTokenResponse } from '../../main/core/oauth/token-response.js';
import { secretsIn } from '../integration/security/secret-scan.js';
import { fuzzParams, testTimeout } from './fuzz-settings.js';

/** Secrets of the sizes and alphabets people paste: at least 8 characters so the scan's minimum applies. */
const secret = fc.string({ minLength: 8, maxLength: 40, unit: fc.oneof(fc.constantFrom(...' +/=%&:"\\@é€<>\'?#'), fc.constantFrom(...'abcdefXYZ0129'), fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' })) });

const formPlus = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2);

/** The way a server sends the secret back. */
const echoForm = fc.constantFrom(
  (s: string) => s,
  (s: string) => formPlus(s),
  (s: string) => formPlus(s).replace(/\+/g, '%20'),
  (s: string) => encodeURIComponent(s),
  (s: string) => JSON.stringify(s).slice(1, -1),
  (s: string) => Buffer.from(s).toString('base64'),
);

const filler = fc.string({ maxLength: 60 });

describe('redaction (fuzz)', () => {
  it('no echo form of a secret survives quoteServerText', () => {
    fc.assert(
      fc.property(secret, echoForm, filler, filler, (value, form, before, after) => {
        const quoted = quoteServerText(`${before}${form(value)}${after}`, 1000, [value]);
        expect(secretsIn(quoted, [{ label: 'secret', value }])).toEqual([]);
      }),
      fuzzParams('quoteServerText(echoed secret)'),
    );
  });

  it('no Basic credentials of either variant survive', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), secret, fc.boolean(), filler, (id, value, raw, around) => {
        const pair = raw ? `${id}:${value}` : `${formPlus(id)}:${formPlus(value)}`;
        const text = `${around} Authorization: Basic ${Buffer.from(pair).toString('base64')} ${around}`;
        const quoted = quoteServerText(text, 1000, [value, ...basicCredentialSecrets(id, value)]);
        expect(secretsIn(quoted, [{ label: 'secret', value, clientId: id }])).toEqual([]);
      }),
      fuzzParams('quoteServerText(Basic echo)'),
    );
  });

  it(
    'a token response of any status that echoes a secret never quotes it, and a 2xx body is never quoted at all',
    () => {
      fc.assert(
        fc.property(fc.integer({ min: 200, max: 599 }), secret, echoForm, filler, fc.boolean(), (status, value, form, around, asJson) => {
          const echoed = `${around}${form(value)}${around}`;
          const bodyText = asJson ? JSON.stringify({ error: 'invalid_request', error_description: echoed }) : echoed;
          const response: SafeResponse = {
            status,
            headers: new Headers({ 'content-type': asJson ? 'application/json' : 'text/plain' }),
            bodyText,
            bodyBytes: Buffer.byteLength(bodyText),
            ...(asJson ? { json: JSON.parse(bodyText) as unknown } : {}),
          };
          try {
            processTokenResponse(response, 0, undefined, 'token endpoint', [value]);
          } catch (error) {
            expect(error instanceof TransportError || error instanceof AuthServerError).toBe(true);
            const message = (error as Error).message;
            expect(secretsIn(message, [{ label: 'secret', value }])).toEqual([]);
            if (!asJson && status >= 200 && status < 300 && around.trim().length >= 4) expect(message).not.toContain(around.trim());
            return;
          }
          // Only a JSON body can be a token response, and these never carry an access_token.
          expect.unreachable();
        }),
        fuzzParams('processTokenResponse(echoed secret)'),
      );
    },
    testTimeout(),
  );
});
