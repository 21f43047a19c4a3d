import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { readsSystemStore, trustedAuthorities, type TlsAuthorities } from '../../../main/core/net/trust.js';

const nodeTls = tls as TlsAuthorities;
const hasSystemStore = typeof nodeTls.getCACertificates === 'function';

describe('trustedAuthorities', () => {
  it.runIf(!hasSystemStore)('leaves Node its defaults (bundled list + NODE_EXTRA_CA_CERTS) where Node cannot read the system store', () => {
    expect(trustedAuthorities()).toBeUndefined();
    expect(readsSystemStore()).toBe(false);
  });

  it.runIf(hasSystemStore)('trusts the defaults and the system store together where Node reads it (22.15+, 23.8+)', () => {
    const trusted = trustedAuthorities()!;
    for (const pem of nodeTls.getCACertificates!('default')) expect(trusted).toContain(pem);
    for (const pem of nodeTls.getCACertificates!('system')) expect(trusted).toContain(pem);
    expect(readsSystemStore()).toBe(true);
  });

  // The selection itself, over the shape Node 22.15 documents (tls.getCACertificates([type])):
  it('joins default and system without duplicates, and keeps the defaults when the store cannot be read', () => {
    const api: TlsAuthorities = { getCACertificates: (type) => (type === 'system' ? ['B', 'C'] : ['A', 'B']) };
    expect(trustedAuthorities(api)).toEqual(['A', 'B', 'C']);
    const broken: TlsAuthorities = {
      getCACertificates: (type) => {
        if (type === 'system') throw new Error('store unreadable');
        return ['A'];
      },
    };
    expect(trustedAuthorities(broken)).toEqual(['A']);
  });
});
