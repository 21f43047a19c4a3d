/** Turns stored settings into what may leave the main process: no secret values. */
import type { AccountSettings } from '../../../shared/account.js';
import type { PublicAccountSettings } from './types.js';

export function toPublicSettings(settings: AccountSettings): PublicAccountSettings {
  // Every name of SECRET_FIELDS is taken out here (PublicAccountSettings omits them all, so the compiler checks it).
  const { clientSecret, password, accessToken, key, clientCertificate, ...rest } = settings;
  return {
    ...rest,
    hasClientSecret: Boolean(clientSecret),
    hasPassword: Boolean(password),
    hasAccessToken: Boolean(accessToken),
    ...(key ? { key: { type: key.type, keyId: key.keyId, userId: key.userId, clientId: key.clientId } } : {}),
    // What the certificate is, copied field by field: never its key, PKCS#12 file or a password.
    ...(clientCertificate ? { clientCertificate: publicCertificate(clientCertificate) } : {}),
  };
}

function publicCertificate(certificate: NonNullable<AccountSettings['clientCertificate']>): NonNullable<PublicAccountSettings['clientCertificate']> {
  const { subject, issuer, notBefore, notAfter, fingerprint256, serialNumber } = certificate.info;
  return { format: certificate.format, subject, issuer, notBefore, notAfter, fingerprint256, serialNumber };
}
