/**
 * Self-signed RS256 assertions from a Zitadel-style key file (myfiber seed):
 * the jwt_bearer grant's `assertion` and private_key_jwt's `client_assertion`.
 */
import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ServiceAccountKey } from '../../../shared/account.js';
import { InputError } from '../errors.js';
import type { CorePorts } from '../ports.js';
import { originOf } from './origin.js';

/**
 * Refuses to let a signed assertion go anywhere but the server it is
 * addressed to: whoever receives an assertion can present it to its audience
 * within its lifetime, so a token_url on another origin than the audience
 * (a hostile credentials file pairing the real issuer with its own host)
 * would hand that host a valid login. Called before anything is signed.
 * `what` names the assertion, `fields` the settings the user should check.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3 (aud)
 * @see https://www.rfc-editor.org/rfc/rfc7521#section-8.2 (assertion replay)
 */
export function assertAudienceOrigin(audience: string, endpointUrl: string, what: string, field: string): void {
  const audienceOrigin = originOf(audience);
  const endpointOrigin = originOf(endpointUrl);
  if (audienceOrigin !== undefined && audienceOrigin === endpointOrigin) return;
  throw new InputError(
    'ERR_INPUT_FIELD',
    `The ${what} is addressed to ${audienceOrigin ?? 'an address that is not a URL'} (its audience), but would be sent to ${endpointOrigin ?? 'an address that is not a URL'}. ` +
      'TokenDesk sends a signed assertion only to the server it names: both must be on the same scheme, host and port.',
    { field },
  );
}

/** myfiber: "exp ... (max 60 minutes)". */
export const MAX_ASSERTION_LIFETIME_SECONDS = 3600;

/**
 * Signs an RS256 JWT: header `kid` = key.keyId; `iss` = `sub` = userId (or
 * clientId); `aud` = audience; `iat` = now; `exp` = now + lifetime (<= 1 h); random `jti`.
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export async function createJwtAssertion(
  key: ServiceAccountKey,
  audience: string,
  ports: CorePorts,
  lifetimeSeconds: number = MAX_ASSERTION_LIFETIME_SECONDS,
): Promise<string> {
  const subject = key.userId ?? key.clientId;
  if (!subject) {
    throw new InputError('ERR_INPUT_MISSING', 'The key file has neither "userId" nor "clientId", so TokenDesk cannot tell whom the assertion is for.', { field: 'key' });
  }
  if (!key.keyId) throw new InputError('ERR_INPUT_MISSING', 'The key file has no "keyId".', { field: 'key.keyId' });
  if (!(lifetimeSeconds > 0 && lifetimeSeconds <= MAX_ASSERTION_LIFETIME_SECONDS)) {
    throw new InputError('ERR_INPUT_FIELD', `An assertion lifetime must be between 1 and ${MAX_ASSERTION_LIFETIME_SECONDS} seconds.`);
  }
  let privateKey;
  try {
    // node:crypto reads PKCS#1 ("RSA PRIVATE KEY") as well as PKCS#8; jose's importPKCS8 would not.
    privateKey = createPrivateKey({ key: key.key, format: 'pem' });
  } catch {
    // The cause is dropped on purpose: it may quote the key material.
    throw new InputError('ERR_INPUT_FIELD', 'The key file\'s "key" is not a readable PEM private key.', { field: 'key.key' });
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new InputError('ERR_INPUT_FIELD', 'The key file\'s "key" is not an RSA key; RS256 needs one.', { field: 'key.key' });
  }
  const now = Math.floor(ports.clock.now() / 1000);
  const jti = Buffer.from(ports.randomBytes(16)).toString('base64url');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: key.keyId, typ: 'JWT' })
    .setIssuer(subject)
    .setSubject(subject)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + Math.floor(lifetimeSeconds))
    .setJti(jti)
    .sign(privateKey);
}
