/** RS256 assertions from Zitadel key files, verified with the matching public key. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createJwtAssertion } from '../../../main/core/oauth/jwt-assertion.js';
import type { CorePorts } from '../../../main/core/ports.js';

const NOW = 1_700_000_000_000;
const ports: CorePorts = { fetch: () => Promise.reject(new Error('unused')), clock: { now: () => NOW }, randomBytes: (n) => new Uint8Array(randomBytes(n)) };
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('createJwtAssertion', () => {
  for (const type of ['pkcs1', 'pkcs8'] as const) {
    it(`signs with a ${type} PEM: kid, iss = sub = userId, aud, iat, exp <= 1 h, jti`, async () => {
      const pem = privateKey.export({ type, format: 'pem' }).toString();
      const jwt = await createJwtAssertion({ type: 'serviceaccount', keyId: '130509901696068329', key: pem, userId: '180507859606888466' }, 'https://so.yio.at', ports);
      expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'RS256', kid: '130509901696068329' });
      const { payload } = await jwtVerify(jwt, publicKey, { audience: 'https://so.yio.at', currentDate: new Date(NOW) });
      expect(payload).toMatchObject({ iss: '180507859606888466', sub: '180507859606888466', iat: NOW / 1000, exp: NOW / 1000 + 3600 });
      expect(typeof payload.jti).toBe('string');
    });
  }

  it('uses clientId for application keys and honours a shorter lifetime', async () => {
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const jwt = await createJwtAssertion({ type: 'application', keyId: 'k', key: pem, clientId: 'app-1' }, 'aud', ports, 300);
    const { payload } = await jwtVerify(jwt, publicKey, { currentDate: new Date(NOW) });
    expect(payload.iss).toBe('app-1');
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('refuses a lifetime over one hour and an unreadable key without quoting it', async () => {
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(createJwtAssertion({ type: 'serviceaccount', keyId: 'k', key: pem, userId: 'u' }, 'a', ports, 3601)).rejects.toMatchObject({ code: 'ERR_INPUT_FIELD' });
    const bogus = '-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END RSA PRIVATE KEY-----\n';
    const error = await createJwtAssertion({ type: 'serviceaccount', keyId: 'k', key: bogus, userId: 'u' }, 'a', ports).catch((e: Error) => e);
    expect((error as { code?: string }).code).toBe('ERR_INPUT_FIELD');
    expect((error as Error).message).not.toContain('c2VjcmV0');
  });
});
