import { describe, expect, it } from 'vitest';
import { bypassesProxy, displayProxy, proxySettingsFromEnv } from '../../../main/core/net/proxy-env.js';

describe('proxySettingsFromEnv reads the proxy variables as curl does', () => {
  it('uses https_proxy or HTTPS_PROXY for https, the lower-case name first', () => {
    expect(proxySettingsFromEnv({ HTTPS_PROXY: 'http://upper:3128' }).httpsProxy).toBe('http://upper:3128');
    expect(proxySettingsFromEnv({ https_proxy: 'http://lower:3128', HTTPS_PROXY: 'http://upper:3128' }).httpsProxy).toBe('http://lower:3128');
  });

  it('ignores upper-case HTTP_PROXY (httpoxy, CVE-2016-5385) and never sends https through the http proxy', () => {
    expect(proxySettingsFromEnv({ HTTP_PROXY: 'http://upper:3128' })).toEqual({});
    const settings = proxySettingsFromEnv({ http_proxy: 'http://plain:3128' });
    expect(settings.httpProxy).toBe('http://plain:3128');
    expect(settings.httpsProxy).toBeUndefined();
  });

  it('falls back to all_proxy / ALL_PROXY for both schemes', () => {
    expect(proxySettingsFromEnv({ ALL_PROXY: 'socks5://sock:1080' })).toEqual({ httpsProxy: 'socks5://sock:1080', httpProxy: 'socks5://sock:1080' });
    expect(proxySettingsFromEnv({ all_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2' }).httpsProxy).toBe('http://b:2');
  });

  it('reads no_proxy before NO_PROXY, and treats blank values as unset', () => {
    expect(proxySettingsFromEnv({ no_proxy: 'a.example', NO_PROXY: 'b.example' }).noProxy).toBe('a.example');
    expect(proxySettingsFromEnv({ HTTPS_PROXY: '   ', NO_PROXY: '' })).toEqual({});
  });

  it('adds http:// to a bare host:port, as curl does', () => {
    expect(proxySettingsFromEnv({ HTTPS_PROXY: 'proxy.corp:8080' }).httpsProxy).toBe('http://proxy.corp:8080');
  });

  it('names the variable when its address cannot be used', () => {
    expect(() => proxySettingsFromEnv({ HTTPS_PROXY: 'http://[broken' })).toThrow(/HTTPS_PROXY is not a valid address/);
    expect(() => proxySettingsFromEnv({ https_proxy: 'ftp://proxy.corp:21' })).toThrow(/https_proxy starts with ftp:\/\/; TokenDesk speaks to proxies over http:\/\/, https:\/\/ or socks5:\/\//);
  });
});

describe('bypassesProxy applies NO_PROXY', () => {
  const url = (u: string) => new URL(u);

  it('matches a name, its subdomains (with or without a leading dot or *.), and * for all', () => {
    expect(bypassesProxy(url('https://corp.example/token'), 'corp.example')).toBe(true);
    expect(bypassesProxy(url('https://login.corp.example/token'), 'corp.example')).toBe(true);
    expect(bypassesProxy(url('https://login.corp.example/token'), '.corp.example')).toBe(true);
    expect(bypassesProxy(url('https://login.corp.example/token'), '*.corp.example')).toBe(true);
    expect(bypassesProxy(url('https://notcorp.example/token'), 'corp.example')).toBe(false);
    expect(bypassesProxy(url('https://anything.example/'), '*')).toBe(true);
  });

  it('splits on commas and blanks, compares case-insensitively, and honours host:port', () => {
    expect(bypassesProxy(url('https://B.example/'), 'a.example, b.example')).toBe(true);
    expect(bypassesProxy(url('https://b.example/'), 'a.example b.example')).toBe(true);
    expect(bypassesProxy(url('https://b.example:8443/'), 'b.example:8443')).toBe(true);
    expect(bypassesProxy(url('https://b.example/'), 'b.example:8443')).toBe(false);
    expect(bypassesProxy(url('https://b.example/'), 'b.example:443')).toBe(true);
  });

  it('proxies everything when NO_PROXY is unset', () => {
    expect(bypassesProxy(url('https://b.example/'), undefined)).toBe(false);
  });
});

describe('displayProxy', () => {
  it('shows scheme, host and port, never the user name or password', () => {
    expect(displayProxy('http://alice:s3cret@proxy.corp:3128')).toBe('http://proxy.corp:3128');
  });
});
