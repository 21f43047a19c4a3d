/**
 * Chromium's proxy answer (session.resolveProxy, a PAC result string) as the
 * proxy Node's fetch uses for accounts with a client certificate.
 */
import { describe, expect, it } from 'vitest';
import { TransportError } from '../../../main/core/errors.js';
import { proxyFromPacResult } from '../../../main/electron/pac-result.js';
import { chromiumProxyResolver } from '../../../main/electron/ports.js';
import { FakeSession } from '../../fixtures/electron/session.js';

const target = new URL('https://mtls.bank.example/oauth/token');

describe('proxyFromPacResult', () => {
  it('reads DIRECT, PROXY and HTTPS entries; the first entry decides', () => {
    expect(proxyFromPacResult('DIRECT', target)).toBeUndefined();
    expect(proxyFromPacResult('', target)).toBeUndefined();
    expect(proxyFromPacResult('PROXY proxy.corp.example:8080', target)).toBe('http://proxy.corp.example:8080');
    expect(proxyFromPacResult('PROXY proxy.corp.example:8080;DIRECT', target)).toBe('http://proxy.corp.example:8080');
    expect(proxyFromPacResult('PROXY a.corp.example:3128; PROXY b.corp.example:3128', target)).toBe('http://a.corp.example:3128');
    expect(proxyFromPacResult('HTTPS secure-proxy.corp.example:443', target)).toBe('https://secure-proxy.corp.example:443');
    expect(proxyFromPacResult('PROXY [fd00::1]:8080', target)).toBe('http://[fd00::1]:8080');
    expect(proxyFromPacResult('DIRECT;PROXY a.corp.example:3128', target)).toBeUndefined();
  });

  it('refuses a SOCKS proxy in plain words, naming the host and what to ask IT for', () => {
    for (const answer of ['SOCKS5 socks.corp.example:1080', 'SOCKS socks.corp.example:1080;DIRECT']) {
      let error: unknown;
      try {
        proxyFromPacResult(answer, target);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).message).toContain('mtls.bank.example');
      expect((error as TransportError).message).toContain('a SOCKS proxy (socks.corp.example:1080)');
      expect((error as TransportError).message).toContain('ask IT for an HTTP proxy');
    }
  });

  it('refuses an answer it cannot read instead of going direct', () => {
    expect(() => proxyFromPacResult('PROXY', target)).toThrow(TransportError);
    expect(() => proxyFromPacResult('QUIC quic.corp.example:443', target)).toThrow('QUIC proxy');
  });
});

describe('chromiumProxyResolver', () => {
  it("asks the session for each URL and answers what Node's fetch takes", async () => {
    const session = new FakeSession();
    session.proxyConfiguration = (url) => (url.startsWith('https://mtls.bank.example/') ? 'PROXY proxy.corp.example:8080; DIRECT' : 'DIRECT');
    const resolve = chromiumProxyResolver(session);
    expect(await resolve(target)).toBe('http://proxy.corp.example:8080');
    expect(await resolve(new URL('https://other.example/'))).toBeUndefined();
    expect(session.proxyQueries).toEqual(['https://mtls.bank.example/oauth/token', 'https://other.example/']);
  });
});
