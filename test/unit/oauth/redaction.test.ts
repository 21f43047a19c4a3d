/**
 * Redaction of server text (issue 9 item 1, SPEC 3): every form a secret can
 * be echoed in is removed. The independent leak scan is the judge.
 */
import { describe, expect, it } from 'vitest';
import { basicAuthorization, formEncode } from '../../../main/core/oauth/client-auth.js';
import { basicCredentialSecrets, quoteServerText, redactSecrets, secretEchoForms } from '../../../main/core/oauth/redaction.js';
import { secretsIn } from '../../integration/security/secret-scan.js';

const SECRET = 'P@ss word+/é"\\&=%<x>\'-42';

/** The secret as each kind of server would echo it. */
function echoes(secret: string): Record<string, string> {
  const form = new URLSearchParams({ v: secret }).toString().slice(2);
  const json = JSON.stringify(secret).slice(1, -1);
  return {
    raw: secret,
    'form +': form,
    'form %20': form.replace(/\+/g, '%20'),
    'form lower-case escapes': form.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    encodeURIComponent: encodeURIComponent(secret),
    json,
    'json PHP (\\/ and \\u00e9)': json.replace(/\//g, '\\/').replace(/é/g, '\\u00e9'),
    html: secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#039;'),
    base64: Buffer.from(secret).toString('base64'),
    base64url: Buffer.from(secret).toString('base64url'),
  };
}

describe('redactSecrets', () => {
  for (const [label, echo] of Object.entries(echoes(SECRET))) {
    it(`removes the secret echoed as ${label}`, () => {
      const text = `error: could not use ${echo} here`;
      expect(secretsIn(text, [{ label: 'secret', value: SECRET }]), 'the scan sees it before').toEqual(['secret']);
      const out = redactSecrets(text, [SECRET]);
      expect(out).toBe('error: could not use [redacted] here');
      expect(secretsIn(out, [{ label: 'secret', value: SECRET }])).toEqual([]);
    });
  }

  it('removes the Base64 credentials of both HTTP Basic variants', () => {
    const id = 'my client+id';
    const secret = 'cl:ent s3cret+/';
    for (const raw of [false, true]) {
      const header = basicAuthorization(id, secret, raw);
      const out = redactSecrets(`Rejected Authorization: ${header}`, [secret, ...basicCredentialSecrets(id, secret)]);
      expect(out).toBe('Rejected Authorization: Basic [redacted]');
      expect(secretsIn(out, [{ label: 'basic', value: secret, clientId: id }])).toEqual([]);
    }
    // The form-encoded Base64 (+ / = escaped) of a Basic header echoed in a query string too.
    const echoedInQuery = formEncode(basicAuthorization(id, secret, false).slice(6));
    expect(redactSecrets(`auth=${echoedInQuery}`, basicCredentialSecrets(id, secret))).toBe('auth=[redacted]');
  });

  it('replaces in one pass, so a short secret cannot mangle the marker of another', () => {
    expect(redactSecrets('a long-secret-value and e', ['e', 'long-secret-value'])).toBe('a [redacted] and [redacted]');
  });

  it('leaves text without secrets as it is, and ignores empty or missing secrets', () => {
    expect(redactSecrets('invalid_grant', ['', undefined, 'other'])).toBe('invalid_grant');
    expect(secretEchoForms('')).toEqual([]);
  });
});

describe('quoteServerText', () => {
  it('strips control characters, ESC sequences and bidi overrides, collapses whitespace, caps length', () => {
    expect(quoteServerText('a\u001b[2Jb\u0007c\r\n\td\u202ee\u2066f', 200)).toBe('a[2Jbc def');
    expect(quoteServerText('x'.repeat(300), 10)).toBe(`${'x'.repeat(10)}…`);
  });

  it('redacts before and after the clean-up: a line break or control character inside an echoed secret does not let it out', () => {
    const secret = 'two words-secret';
    expect(quoteServerText('echo two\r\n words-secret', 200, [secret])).toBe('echo [redacted]');
    expect(quoteServerText('echo two words-\u0000secret', 200, [secret])).toBe('echo [redacted]');
  });

  it('redacts before cutting, so a secret across the cut leaves no prefix behind', () => {
    const secret = 'abcdefghij-secret';
    expect(quoteServerText(`${'y'.repeat(195)}${secret}`, 200, [secret])).toBe(`${'y'.repeat(195)}[reda…`);
  });
});
