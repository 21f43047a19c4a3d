/**
 * When to warn about an account's client certificate: from 30 days before
 * it expires (a vendor needs time to issue a new one), and plainly once it
 * has expired (every request of the account then fails in the handshake).
 * One rule for the window, the list and the tray. Plain data only.
 */

/** Days before `notAfter` from which the app and the tray warn. */
export const CERTIFICATE_WARNING_DAYS = 30;

export type CertificateExpiryState = 'valid' | 'expiring' | 'expired';

export function certificateExpiryState(notAfter: number, now: number): CertificateExpiryState {
  if (notAfter <= now) return 'expired';
  return notAfter - now <= CERTIFICATE_WARNING_DAYS * 86_400_000 ? 'expiring' : 'valid';
}

/** The certificate's own day (UTC, as `openssl x509 -enddate` shows it): "2027-03-31". */
export function certificateDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/**
 * "The client certificate of X expires on 2027-03-31: ask the vendor for a
 * new one." Undefined while no warning is due.
 */
export function certificateExpiryWarning(account: string, notAfter: number, now: number): string | undefined {
  const state = certificateExpiryState(notAfter, now);
  if (state === 'valid') return undefined;
  const day = certificateDay(notAfter);
  return state === 'expired'
    ? `The client certificate of ${account} expired on ${day}: the server refuses every request until you import a new one from the vendor.`
    : `The client certificate of ${account} expires on ${day}: ask the vendor for a new one.`;
}
