/**
 * Which fetch an account's requests go through. An account with a client
 * certificate (mutual TLS, RFC 8705) presents it on every connection it opens:
 * token, refresh, revoke, device, the code exchange, discovery, the Test API
 * call and `tokendesk request`. The host makes such a fetch
 * (`CorePorts.fetchWithClientCertificate`); a host that cannot is refused
 * with a plain error instead of sending the request without the certificate.
 *
 * The host keeps one transport per identity (identity-cache.ts), so the
 * connections of an account are reused from one request to the next, and a
 * replaced certificate gets a transport of its own.
 */
import type { AccountSettings, ClientCertificate } from '../../../shared/account.js';
import { SystemError } from '../errors.js';
import type { CorePorts, FetchLike } from '../ports.js';

function unsupported(name: string): SystemError {
  return new SystemError(
    'ERR_CLIENT_CERTIFICATE_UNSUPPORTED',
    `"${name}" signs in with a client certificate, which this TokenDesk cannot present on a secure connection. Use the TokenDesk app or the tokendesk command line.`,
  );
}

function withFetch(ports: CorePorts, fetch: FetchLike): CorePorts {
  return { ...ports, fetch };
}

/** The certificate as the port takes it: the identity only, not what the app shows of it. */
function identityOf(certificate: ClientCertificate): Parameters<NonNullable<CorePorts['fetchWithClientCertificate']>>[0] {
  return certificate.format === 'pem'
    ? { format: 'pem', certificate: certificate.certificate, key: certificate.key, ...(certificate.keyPassword !== undefined ? { keyPassword: certificate.keyPassword } : {}) }
    : { format: 'pkcs12', pkcs12: certificate.pkcs12, ...(certificate.password !== undefined ? { password: certificate.password } : {}) };
}

/**
 * The ports an account's requests use: `ports` itself without a client
 * certificate, else the same ports with a fetch that presents it. Throws
 * ERR_CLIENT_CERTIFICATE_UNSUPPORTED when the host has no such fetch.
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2
 */
export function portsForAccount(ports: CorePorts, settings: Pick<AccountSettings, 'name' | 'clientCertificate'>): CorePorts {
  const certificate = settings.clientCertificate;
  if (!certificate) return ports;
  if (!ports.fetchWithClientCertificate) throw unsupported(settings.name);
  return withFetch(ports, ports.fetchWithClientCertificate(identityOf(certificate)));
}
