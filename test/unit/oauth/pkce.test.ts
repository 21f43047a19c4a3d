import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeCodeChallenge, generateCodeVerifier, generateState } from '../../../main/core/oauth/pkce.js';

const realRandom = { randomBytes: (n: number) => new Uint8Array(randomBytes(n)) };

describe('pkce', () => {
  it('computes the S256 challenge of the RFC 7636 Appendix B example', () => {
    expect(computeCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('derives the Appendix B verifier from the Appendix B octets', () => {
    const octets = [
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83,
      132, 141, 121,
    ];
    expect(generateCodeVerifier({ randomBytes: () => new Uint8Array(octets) })).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
  });

  it('generates verifiers of 43 to 128 unreserved characters that differ each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const verifier = generateCodeVerifier(realRandom);
      expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
      seen.add(verifier);
    }
    expect(seen.size).toBe(50);
  });

  it('generates distinct url-safe states', () => {
    const a = generateState(realRandom);
    const b = generateState(realRandom);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });
});
