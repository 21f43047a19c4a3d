/**
 * One transport per client certificate: a fetch keeps its connections (and
 * its TLS session) open between requests, so every request of an account
 * with a certificate reuses the same one. Keyed by a digest of the identity,
 * never by the secret itself; a certificate replaced in the vault gets a new
 * transport and the old one is closed once it falls out.
 */
import { createHash } from 'node:crypto';
import type { ClientTlsIdentity, FetchLike } from '../ports.js';

/** More accounts with certificates than anyone has; past it the oldest transport is closed. */
const MAX_TRANSPORTS = 32;

type Closable = FetchLike & { close?(): Promise<void> };

function digestOf(identity: ClientTlsIdentity): string {
  const parts = identity.format === 'pem' ? [identity.format, identity.certificate, identity.key, identity.keyPassword ?? ''] : [identity.format, identity.pkcs12, identity.password ?? ''];
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.length}:${part}`);
  return hash.digest('base64url');
}

export type PerIdentity = ((identity: ClientTlsIdentity) => FetchLike) & {
  /** Closes and forgets every transport: their TLS contexts, which hold the keys, go with them (the app's Lock). */
  clear(): Promise<void>;
};

/** `make` called once per distinct identity; later calls return the same fetch. */
export function perIdentity(make: (identity: ClientTlsIdentity) => Closable): PerIdentity {
  const cache = new Map<string, Closable>();
  const fetchFor = ((identity: ClientTlsIdentity) => {
    const key = digestOf(identity);
    const known = cache.get(key);
    if (known) return known;
    const created = make(identity);
    cache.set(key, created);
    if (cache.size > MAX_TRANSPORTS) {
      const [oldestKey, oldest] = cache.entries().next().value as [string, Closable];
      cache.delete(oldestKey);
      void oldest.close?.().catch(() => undefined);
    }
    return created;
  }) as PerIdentity;
  fetchFor.clear = async () => {
    const transports = [...cache.values()];
    cache.clear();
    await Promise.all(transports.map((transport) => transport.close?.().catch(() => undefined)));
  };
  return fetchFor;
}
