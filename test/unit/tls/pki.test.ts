/**
 * Proves the test PKI (test/fixtures/tls/) is real: Node's own TLS stack
 * accepts what it should and refuses the rest with OpenSSL's codes, PKCS#12
 * files and encrypted keys load, and the fixture servers speak https.
 */
import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestOptions } from 'node:https';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ConnectionOptions, SecureContextOptions } from 'node:tls';
import { connect, createSecureContext, TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENTS, followToCallback, startOidcServer } from '../../fixtures/oidc-server.js';
import { startProviderServer } from '../../fixtures/provider-server.js';
import { bitString, boolean, explicit, generalizedTime, implicit, integer, namedBits, octetString, oid, sequence, set, time, utcTime } from '../../fixtures/tls/der.js';
import { LOCALHOST_SERVER, startHttpsEcho } from '../../fixtures/tls/https-fixtures.js';
import type { Issued } from '../../fixtures/tls/pki.js';
import { createAuthority, encryptKeyPem, ipAddressBytes, selfSigned, toPkcs12 } from '../../fixtures/tls/pki.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An https server on 127.0.0.1 presenting `options` (cert may be a chain); answers "ok". */
async function serve(options: SecureContextOptions & { requestCert?: boolean; rejectUnauthorized?: boolean }): Promise<number> {
  const server = createServer(options, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return (server.address() as AddressInfo).port;
}

type Handshake = { authorized: true; peerSubject: string | undefined } | { authorized: false; code: string | undefined };

/** A TLS handshake with Node's client, verifying as a browser would (rejectUnauthorized). */
function handshake(port: number, options: ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...options });
    socket.once('secureConnect', () => {
      const result: Handshake = { authorized: socket.authorized as true, peerSubject: socket.getPeerX509Certificate()?.subject };
      socket.destroy();
      resolve(result);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve({ authorized: false, code: error.code });
    });
  });
}

interface Answer {
  status: number | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One https request with node:https (the product's undici transport is not used here). */
function httpsRequest(url: string, options: RequestOptions & { body?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A fetch over node:https trusting `ca` (enough for followToCallback: method, headers, manual redirects). */
function httpsFetch(ca: string[]): (input: string, init: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const answer = await httpsRequest(input, { method: init.method ?? 'GET', ca, headers: (init.headers ?? {}) as Record<string, string> });
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) for (const item of [value ?? []].flat()) headers.append(name, item);
    return new Response(answer.status === 204 || answer.status === 304 ? null : answer.body, { status: answer.status, headers });
  };
}

describe('der', () => {
  it('encodes the X.690 examples byte for byte', () => {
    expect(oid('1.2.840.113549').toString('hex')).toBe('06062a864886f70d');
    expect(oid('2.5.29.17').toString('hex')).toBe('0603551d11');
    expect(integer(0n).toString('hex')).toBe('020100');
    expect(integer(127n).toString('hex')).toBe('02017f');
    expect(integer(128n).toString('hex')).toBe('02020080');
    expect(integer(Buffer.from([0, 0, 0xff])).toString('hex')).toBe('020200ff');
    expect(boolean(true).toString('hex')).toBe('0101ff');
    expect(namedBits([0]).toString('hex')).toBe('03020780'); // digitalSignature
    expect(namedBits([5, 6]).toString('hex')).toBe('03020106'); // keyCertSign + cRLSign
    expect(bitString(Buffer.from([1, 2])).toString('hex')).toBe('0303000102');
    expect(explicit(0, integer(2n)).toString('hex')).toBe('a003020102');
    expect(implicit(2, Buffer.from('1603616263', 'hex')).toString('hex')).toBe('8203616263');
    expect(set(integer(2n), integer(1n)).toString('hex')).toBe('3106020101020102'); // SET OF sorted
  });

  it('writes long lengths in the minimal long form', () => {
    const content = Buffer.alloc(300);
    const encoded = octetString(content);
    expect(encoded.subarray(0, 4).toString('hex')).toBe('0482012c');
    expect(sequence(Buffer.alloc(200)).subarray(0, 3).toString('hex')).toBe('3081c8');
  });

  it('uses UTCTime through 2049 and GeneralizedTime from 2050 on (RFC 5280 4.1.2.5)', () => {
    expect(time(new Date('2049-12-31T23:59:59Z')).toString('latin1').slice(2)).toBe('491231235959Z');
    expect(time(new Date('2049-12-31T23:59:59Z'))[0]).toBe(0x17);
    expect(time(new Date('2050-01-01T00:00:00Z'))[0]).toBe(0x18);
    expect(generalizedTime(new Date('2050-01-01T00:00:00.999Z')).toString('latin1').slice(2)).toBe('20500101000000Z');
    expect(() => utcTime(new Date('2050-01-01T00:00:00Z'))).toThrow(/generalizedTime/);
  });

  it('packs IPv4 and IPv6 addresses for subjectAltName', () => {
    expect(ipAddressBytes('127.0.0.1').toString('hex')).toBe('7f000001');
    expect(ipAddressBytes('::1').toString('hex')).toBe('00000000000000000000000000000001');
    expect(ipAddressBytes('fe80::1:2').toString('hex')).toBe('fe800000000000000000000000010002');
    expect(ipAddressBytes('2001:db8:0:0:1:0:0:1').toString('hex')).toBe('20010db8000000000001000000000001');
    expect(ipAddressBytes('::ffff:10.0.0.1').toString('hex')).toBe('00000000000000000000ffff0a000001');
  });
});

describe('certificates', () => {
  const authority = createAuthority();

  it('builds a root, leaves and intermediates whose fields say what was asked', () => {
    expect(authority.cert.ca).toBe(true);
    expect(authority.cert.checkIssued(authority.cert)).toBe(true);
    const leaf = authority.issue({ ...LOCALHOST_SERVER, organization: 'ACME Corp' });
    expect(leaf.cert.ca).toBe(false);
    expect(leaf.cert.subject).toBe('O=ACME Corp\nCN=localhost');
    expect(leaf.cert.issuer).toBe(authority.cert.subject);
    expect(leaf.cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(leaf.cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(leaf.cert.checkIssued(authority.cert)).toBe(true);
    expect(leaf.cert.verify(authority.cert.publicKey)).toBe(true);
    expect(leaf.cert.checkPrivateKey(createPrivateKey(leaf.keyPem))).toBe(true);
    expect(leaf.cert.checkHost('localhost')).toBe('localhost');
    expect(leaf.cert.checkIP('::1')).toBe('::1');
    expect(/^[0-7]/.test(leaf.cert.serialNumber) && leaf.cert.serialNumber.length === 32).toBe(true);

    const client = authority.issue({ commonName: 'jane', usage: 'client', keyType: 'rsa', notAfter: new Date('2051-06-01T00:00:00Z') });
    expect(client.cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(client.cert.publicKey.asymmetricKeyType).toBe('rsa');
    expect(new Date(client.cert.validTo).toISOString()).toBe('2051-06-01T00:00:00.000Z');

    const intermediate = authority.intermediate('TokenDesk Test Intermediate');
    expect(intermediate.cert.ca).toBe(true);
    expect(intermediate.cert.checkIssued(authority.cert)).toBe(true);
    expect(intermediate.issue(LOCALHOST_SERVER).cert.verify(intermediate.cert.publicKey)).toBe(true);

    const self = selfSigned({ commonName: 'me', usage: 'client' });
    expect(self.cert.ca).toBe(false);
    // Signed by its own key under its own name (checkIssued says no: a leaf's keyUsage has no keyCertSign).
    expect(self.cert.issuer).toBe(self.cert.subject);
    expect(self.cert.verify(self.cert.publicKey)).toBe(true);

    // An RSA issuer signs with sha256WithRSAEncryption (1.2.840.113549.1.1.11).
    const rsaSelf = selfSigned({ commonName: 'rsa-me', usage: 'client', keyType: 'rsa' });
    expect(rsaSelf.cert.verify(rsaSelf.cert.publicKey)).toBe(true);
    expect(rsaSelf.cert.raw.includes(oid('1.2.840.113549.1.1.11'))).toBe(true);
    expect(leaf.cert.raw.includes(oid('1.2.840.10045.4.3.2'))).toBe(true);
  });

  it('gives every certificate its own random serial number', () => {
    const serials = new Set(Array.from({ length: 5 }, () => authority.issue({ commonName: 'x', usage: 'client' }).cert.serialNumber));
    expect(serials.size).toBe(5);
  });
});

describe('Node TLS verifies the test PKI', () => {
  const authority = createAuthority();
  const server = authority.issue(LOCALHOST_SERVER);

  it('accepts a server certificate from the trusted authority, by name and by IP', async () => {
    const port = await serve({ cert: server.certPem, key: server.keyPem });
    expect(await handshake(port, { ca: [authority.certPem] })).toEqual({ authorized: true, peerSubject: 'CN=localhost' });
    const byIp = await handshake(port, { ca: [authority.certPem], servername: undefined });
    expect(byIp.authorized).toBe(true);
  });

  it('verifies a chain leaf -> intermediate -> root when the server sends the intermediate', async () => {
    const intermediate = authority.intermediate('TokenDesk Test Intermediate');
    const leaf = intermediate.issue(LOCALHOST_SERVER);
    const port = await serve({ cert: leaf.certPem + intermediate.certPem, key: leaf.keyPem });
    expect((await handshake(port, { ca: [authority.certPem] })).authorized).toBe(true);
    const withoutIntermediate = await serve({ cert: leaf.certPem, key: leaf.keyPem });
    expect(await handshake(withoutIntermediate, { ca: [authority.certPem] })).toEqual({ authorized: false, code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('refuses an expired certificate with CERT_HAS_EXPIRED', async () => {
    const expired = authority.issue({ ...LOCALHOST_SERVER, notBefore: new Date(Date.now() - 60 * DAY), notAfter: new Date(Date.now() - DAY) });
    const port = await serve({ cert: expired.certPem, key: expired.keyPem });
    expect(await handshake(port, { ca: [authority.certPem] })).toEqual({ authorized: false, code: 'CERT_HAS_EXPIRED' });
  });

  it('refuses a certificate for another name with ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    const other = authority.issue({ commonName: 'api.example.org', dnsNames: ['api.example.org'], usage: 'server' });
    const port = await serve({ cert: other.certPem, key: other.keyPem });
    expect(await handshake(port, { ca: [authority.certPem] })).toEqual({ authorized: false, code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('refuses a self-signed leaf with DEPTH_ZERO_SELF_SIGNED_CERT', async () => {
    const self = selfSigned(LOCALHOST_SERVER);
    const port = await serve({ cert: self.certPem, key: self.keyPem });
    expect(await handshake(port, { ca: [authority.certPem] })).toEqual({ authorized: false, code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('refuses an unknown authority: UNABLE_TO_VERIFY_LEAF_SIGNATURE, or SELF_SIGNED_CERT_IN_CHAIN when the root is sent', async () => {
    const stranger = createAuthority({ commonName: 'Corporate Inspection CA' });
    const leaf = stranger.issue(LOCALHOST_SERVER);
    const leafOnly = await serve({ cert: leaf.certPem, key: leaf.keyPem });
    expect(await handshake(leafOnly, { ca: [authority.certPem] })).toEqual({ authorized: false, code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    const withRoot = await serve({ cert: leaf.certPem + stranger.certPem, key: leaf.keyPem });
    expect(await handshake(withRoot, { ca: [authority.certPem] })).toEqual({ authorized: false, code: 'SELF_SIGNED_CERT_IN_CHAIN' });
  });

  it('serves an RSA certificate signed by an EC authority', async () => {
    const rsa = authority.issue({ ...LOCALHOST_SERVER, keyType: 'rsa' });
    const port = await serve({ cert: rsa.certPem, key: rsa.keyPem });
    expect((await handshake(port, { ca: [authority.certPem] })).authorized).toBe(true);
  });
});

describe('client certificates with startHttpsEcho', () => {
  const authority = createAuthority();
  const server = authority.issue(LOCALHOST_SERVER);

  async function mtlsEcho() {
    const echo = await startHttpsEcho({ identity: server, requestClientCertificate: { authorities: [authority.certPem] } });
    cleanups.push(() => echo.close());
    return echo;
  }

  it('accepts a client certificate from the named authority and records it', async () => {
    const echo = await mtlsEcho();
    expect(echo.url).toBe(`https://localhost:${echo.port}`);
    const client = authority.issue({ commonName: 'jane', usage: 'client' });
    const answer = await httpsRequest(`${echo.url}/token`, { method: 'POST', ca: [authority.certPem], cert: client.certPem, key: client.keyPem, body: 'a=1' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ method: 'POST', path: '/token', body: 'a=1', clientCertificate: 'CN=jane' });
    expect(echo.clientCertificates.map((c) => c?.fingerprint256)).toEqual([client.cert.fingerprint256]);
  });

  it('refuses a client without a certificate and one with a certificate from another authority', async () => {
    const echo = await mtlsEcho();
    // TLS 1.3: the server's alert arrives after the client's handshake; with a foreign certificate Node 20
    // often sees only the reset, not the unknown_ca alert (worth knowing when classifying these errors).
    await expect(httpsRequest(echo.url, { ca: [authority.certPem] })).rejects.toMatchObject({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
    const refused = { code: expect.stringMatching(/^(ECONNRESET|ERR_SSL_TLSV1_ALERT_UNKNOWN_CA|ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)$/) as string };
    const foreign = createAuthority({ commonName: 'Someone Else CA' }).issue({ commonName: 'jane', usage: 'client' });
    await expect(httpsRequest(echo.url, { ca: [authority.certPem], cert: foreign.certPem, key: foreign.keyPem })).rejects.toMatchObject(refused);
    const self = selfSigned({ commonName: 'jane', usage: 'client' });
    await expect(httpsRequest(echo.url, { ca: [authority.certPem], cert: self.certPem, key: self.keyPem })).rejects.toMatchObject(refused);
    expect(echo.clientCertificates).toEqual([]);
  });

  it('records undefined for requests without a certificate when none is requested', async () => {
    const echo = await startHttpsEcho({ identity: server });
    cleanups.push(() => echo.close());
    expect((await httpsRequest(echo.url, { ca: [authority.certPem] })).status).toBe(200);
    expect(echo.clientCertificates).toEqual([undefined]);
  });
});

describe('PKCS#12 and encrypted keys', () => {
  const authority = createAuthority();

  const loadedSubject = (pfx: Buffer, passphrase: string): string | undefined => {
    const secureContext = createSecureContext({ pfx, passphrase });
    const certificate = new TLSSocket(null as never, { secureContext }).getCertificate();
    return certificate && 'subject' in certificate ? String(certificate.subject.CN) : undefined;
  };

  it('loads in Node with its password (EC and RSA), and a wrong password fails the MAC', () => {
    const ec = authority.issue({ commonName: 'jane', usage: 'client' });
    expect(loadedSubject(toPkcs12(ec, 'correct horse', { friendlyName: 'Jane at ACME' }), 'correct horse')).toBe('jane');
    const rsa = authority.issue({ commonName: 'john', usage: 'client', keyType: 'rsa' });
    expect(loadedSubject(toPkcs12(rsa, 'pässwörd'), 'pässwörd')).toBe('john');
    expect(() => createSecureContext({ pfx: toPkcs12(rsa, 'right'), passphrase: 'wrong' })).toThrow(/mac verify failure/);
  });

  it('presents the PKCS#12 identity as a client certificate', async () => {
    const echo = await startHttpsEcho({ identity: authority.issue(LOCALHOST_SERVER), requestClientCertificate: { authorities: [authority.certPem] } });
    cleanups.push(() => echo.close());
    const client = authority.issue({ commonName: 'jane', usage: 'client', keyType: 'rsa' });
    const answer = await httpsRequest(echo.url, { ca: [authority.certPem], pfx: toPkcs12(client, 'secret'), passphrase: 'secret' });
    expect(answer.status).toBe(200);
    expect(echo.clientCertificates[0]?.fingerprint256).toBe(client.cert.fingerprint256);
  });

  it('carries the chain: a server loaded from a PKCS#12 with its intermediate verifies against the root', async () => {
    const intermediate = authority.intermediate('TokenDesk Test Intermediate');
    const leaf = intermediate.issue(LOCALHOST_SERVER);
    const port = await serve({ pfx: toPkcs12(leaf, 'pw', { chain: [intermediate.certPem] }), passphrase: 'pw' });
    expect(await handshake(port, { ca: [authority.certPem] })).toEqual({ authorized: true, peerSubject: 'CN=localhost' });
  });

  it('encryptKeyPem writes an ENCRYPTED PRIVATE KEY that opens only with its password', () => {
    const leaf: Issued = authority.issue({ commonName: 'jane', usage: 'client' });
    const encrypted = encryptKeyPem(leaf.keyPem, 'key password');
    expect(encrypted).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    const key = createPrivateKey({ key: encrypted, passphrase: 'key password' });
    expect(leaf.cert.checkPrivateKey(key)).toBe(true);
    expect(() => createPrivateKey({ key: encrypted, passphrase: 'other' })).toThrow();
  });
});

describe('fixture servers over https', () => {
  const authority = createAuthority();
  const identity = authority.issue(LOCALHOST_SERVER);

  it('startProviderServer({ tls }) answers a client_credentials POST over https at https://localhost:PORT', async () => {
    const provider = await startProviderServer({ tls: identity });
    cleanups.push(() => provider.close());
    expect(provider.url).toMatch(/^https:\/\/localhost:\d+$/);
    const { clientId, clientSecret = '' } = provider.clients.myfiber;
    const answer = await httpsRequest(`${provider.url}/myfiber/oauth/v2/token`, {
      method: 'POST',
      ca: [authority.certPem],
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'openid' }).toString(),
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) as string });
    expect(provider.requestsTo('/myfiber/oauth/v2/token')).toHaveLength(1);
    // Plain http to the same port is not answered as HTTP: the server really speaks TLS only.
    await expect(fetch(provider.url.replace('https:', 'http:'))).rejects.toThrow();
  });

  it('startOidcServer({ tls }) advertises an https issuer and issues a client_credentials token over https', async () => {
    const oidc = await startOidcServer({ tls: identity });
    cleanups.push(() => oidc.close());
    expect(oidc.issuer).toMatch(/^https:\/\/localhost:\d+$/);
    const discovery = await httpsRequest(`${oidc.issuer}/.well-known/openid-configuration`, { ca: [authority.certPem] });
    expect(JSON.parse(discovery.body)).toMatchObject({ issuer: oidc.issuer, token_endpoint: oidc.tokenEndpoint });
    const answer = await httpsRequest(oidc.tokenEndpoint, {
      method: 'POST',
      ca: [authority.certPem],
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENTS.post.clientId, client_secret: CLIENTS.post.clientSecret, scope: 'api:read' }).toString(),
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ token_type: 'Bearer' });
  });

  it('startOidcServer({ tls }) runs the authorization code flow with PKCE over https', async () => {
    const oidc = await startOidcServer({ tls: identity });
    cleanups.push(() => oidc.close());
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = 'http://127.0.0.1:49152/callback';
    const authorize = new URL(oidc.authorizationEndpoint);
    for (const [name, value] of Object.entries({
      response_type: 'code',
      client_id: CLIENTS.public.clientId,
      redirect_uri: redirectUri,
      scope: 'openid',
      state: 'state-1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }))
      authorize.searchParams.set(name, value);
    const callback = new URL(await followToCallback(authorize.href, oidc.issuer, 20, httpsFetch([authority.certPem])));
    expect(callback.origin + callback.pathname).toBe(redirectUri);
    const code = callback.searchParams.get('code') ?? '';
    expect(code).not.toBe('');
    const answer = await httpsRequest(oidc.tokenEndpoint, {
      method: 'POST',
      ca: [authority.certPem],
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: CLIENTS.public.clientId, code_verifier: verifier }).toString(),
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ token_type: 'Bearer', id_token: expect.any(String) as string });
  });

  it('keeps the plain http defaults', async () => {
    const provider = await startProviderServer();
    cleanups.push(() => provider.close());
    expect(provider.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const oidc = await startOidcServer();
    cleanups.push(() => oidc.close());
    expect(oidc.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
