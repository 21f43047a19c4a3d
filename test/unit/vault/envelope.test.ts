import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64, open, seal } from '../../../main/core/vault/envelope.js';

describe('AES-256-GCM envelope', () => {
  const key = randomBytes(32);
  const aad = Buffer.from('tokendesk-vault/1/abc');
  const plain = Buffer.from('{"accounts":[]}');

  it('round-trips with a fresh IV each time', () => {
    const a = seal(key, plain, aad);
    const b = seal(key, plain, aad);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(open(key, a, aad)?.toString()).toBe(plain.toString());
  });

  it('rejects a change to any byte of iv, tag, data or additional data, and another key', () => {
    const sealed = seal(key, plain, aad);
    for (const field of ['iv', 'tag', 'data'] as const) {
      for (let i = 0; i < sealed[field].length; i++) {
        const copy = { ...sealed, [field]: Buffer.from(sealed[field]) };
        copy[field][i]! ^= 0x01;
        expect(open(key, copy, aad)).toBeUndefined();
      }
    }
    expect(open(key, sealed, Buffer.from('tokendesk-vault/0'))).toBeUndefined();
    expect(open(randomBytes(32), sealed, aad)).toBeUndefined();
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => seal(randomBytes(16), plain, aad)).toThrow(RangeError);
  });

  it('decodes base64 strictly so junk is seen as damage', () => {
    expect(fromBase64('AAAA')).toEqual(Buffer.from([0, 0, 0]));
    expect(fromBase64('AA*A')).toBeUndefined();
    expect(fromBase64('AAA')).toBeUndefined();
    expect(fromBase64(42)).toBeUndefined();
  });
});
