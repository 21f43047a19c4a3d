/**
 * Every TLS failure a user meets, against a real https server on 127.0.0.1
 * with certificates the test makes: each reads in plain words (ERR_TLS),
 * with the date or the names when the certificate says them. Both error
 * shapes are fed: Node's (undici's TypeError with a cause code) through a
 * real request, and Chromium's (`net::ERR_…` in the message, as Electron's
 * net reports it) with the real server behind it for the details.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TransportError, type TokenDeskError } from '../../../main/core/errors.js';
import { createNodeFetch } from '../../../main/core/net/node-fetch.js';
import { explainFetchFailure } from '../../../main/core/net/transport-failure.js';
import { runClientCredentialsGrant } from '../../../main/core/oauth/grants/client-credentials.js';
import { systemClock } from '../../../main/core/ports.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { LOCALHOST_SERVER, startHttpsEcho, type HttpsEcho } from '../../fixtures/tls/https-fixtures.js';
import { createAuthority, selfSigned } from '../../fixtures/tls/pki.js';
import { myfiberSettings } from '../oauth/support.js';

const DAY = 86_400_000;
const companyAuthority = createAuthority({ commonName: 'Example Corp Inspection CA' });

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(identity: { certPem: string; keyPem: string }): Promise<HttpsEcho> {
  const echo = await startHttpsEcho({ identity });
  servers.push(echo);
  return echo;
}

/** The TransportError a GET to `url` ends in, through the Node transport. */
async function failureOf(url: string, ca?: string[]): Promise<TokenDeskError> {
  const fetch = createNodeFetch(ca ? { ca } : {});
  try {
    await fetch(url);
  } catch (error) {
    return explainFetchFailure(error, 'token endpoint', new URL(url));
  } finally {
    await fetch.close();
  }
  throw new Error(`the request to ${url} succeeded`);
}

describe('TLS failures in plain words (Node transport)', () => {
  it('an unknown authority (a company that inspects TLS): names the issuer and how to trust it', async () => {
    const echo = await serve(companyAuthority.issue(LOCALHOST_SERVER));
    const error = await failureOf(`${echo.url}/token`);
    expect(error.code).toBe('ERR_TLS');
    expect(error.message).toContain(`The secure connection to the token endpoint at ${echo.url}/token failed (UNABLE_TO_VERIFY_LEAF_SIGNATURE).`);
    expect(error.message).toContain("The server's certificate was not issued by an authority this computer trusts (it names \"Example Corp Inspection CA\" as its issuer).");
    expect(error.message).toContain('If your company inspects secure connections');
    expect(error.message).toContain("operating system's certificate store");
    expect(error.message).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('an expired certificate: says so with its date, not "install a company certificate"', async () => {
    const notAfter = new Date(Date.UTC(2026, 0, 15, 9, 30));
    const echo = await serve(companyAuthority.issue({ ...LOCALHOST_SERVER, notBefore: new Date(Date.UTC(2025, 0, 1)), notAfter }));
    const error = await failureOf(echo.url, [companyAuthority.certPem]);
    expect(error.code).toBe('ERR_TLS');
    expect(error.message).toContain('(CERT_HAS_EXPIRED)');
    expect(error.message).toContain("The server's certificate expired on 2026-01-15 09:30 UTC.");
    expect(error.message).not.toContain('NODE_EXTRA_CA_CERTS');
  });

  it('a certificate not valid yet: points at the computer clock', async () => {
    const notBefore = new Date(Date.now() + 10 * DAY);
    const echo = await serve(companyAuthority.issue({ ...LOCALHOST_SERVER, notBefore, notAfter: new Date(Date.now() + 40 * DAY) }));
    const error = await failureOf(echo.url, [companyAuthority.certPem]);
    expect(error.message).toContain('(CERT_NOT_YET_VALID)');
    expect(error.message).toContain(`is valid only from ${notBefore.toISOString().slice(0, 16).replace('T', ' ')} UTC. Check this computer's date and time.`);
  });

  it('a certificate for another name: names both the certificate\'s names and the address', async () => {
    const echo = await serve(companyAuthority.issue({ commonName: 'api.vendor.example', dnsNames: ['api.vendor.example', 'auth.vendor.example'], usage: 'server' }));
    const error = await failureOf(echo.url, [companyAuthority.certPem]);
    expect(error.code).toBe('ERR_TLS');
    expect(error.message).toContain('(ERR_TLS_CERT_ALTNAME_INVALID)');
    expect(error.message).toContain("The server's certificate is for api.vendor.example, auth.vendor.example, not for localhost.");
  });

  it('a self-signed certificate: says self-signed, and that TokenDesk never accepts one', async () => {
    const echo = await serve(selfSigned(LOCALHOST_SERVER));
    const error = await failureOf(echo.url);
    expect(error.code).toBe('ERR_TLS');
    expect(error.message).toContain('(DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(error.message).toContain('The server presented a self-signed certificate for "localhost"');
    expect(error.message).toContain('TokenDesk never accepts one.');
  });

  it('an intercepting proxy that sends its untrusted root along: still "an authority this computer does not trust"', async () => {
    const root = createAuthority({ commonName: 'Zscaler-like Root CA' });
    const leaf = root.issue(LOCALHOST_SERVER);
    const echo = await serve({ certPem: leaf.certPem + root.certPem, keyPem: leaf.keyPem });
    const error = await failureOf(echo.url);
    expect(error.message).toContain('(SELF_SIGNED_CERT_IN_CHAIN)');
    expect(error.message).toContain('was not issued by an authority this computer trusts (it names "Zscaler-like Root CA" as its issuer)');
  });

  it('plain http on an https address: says the server does not speak TLS, never a certificate story', async () => {
    const plain = await startProviderServer();
    servers.push(plain);
    const error = await failureOf(plain.url.replace('http://', 'https://'));
    expect(error.code).toBe('ERR_TLS');
    expect(error.message).toMatch(/did not answer in TLS\. Check the address and its port\./);
  });

  it('with the authority trusted, the same server works (the failures above are the certificate, not the server)', async () => {
    const echo = await serve(companyAuthority.issue(LOCALHOST_SERVER));
    const fetch = createNodeFetch({ ca: [companyAuthority.certPem] });
    const response = await fetch(`${echo.url}/ok`);
    expect(response.status).toBe(200);
    await response.body?.cancel();
    await fetch.close();
  });
});

describe('TLS failures in plain words (Chromium codes, as Electron net reports them)', () => {
  // Electron's net.request emits `Error('net::ERR_CERT_DATE_INVALID')` (net_error_list.h names); the
  // certificate details come from a handshake with the real server.
  it('ERR_CERT_DATE_INVALID against an expired server: expired, with its date', async () => {
    const echo = await serve(companyAuthority.issue({ ...LOCALHOST_SERVER, notBefore: new Date(Date.UTC(2025, 5, 1)), notAfter: new Date(Date.UTC(2026, 5, 1)) }));
    const error = await explainFetchFailure(new Error('net::ERR_CERT_DATE_INVALID'), 'token endpoint', new URL(`${echo.url}/token`));
    expect(error.code).toBe('ERR_TLS');
    expect(error.message).toContain("The server's certificate expired on 2026-06-01 00:00 UTC.");
  });

  it('ERR_CERT_AUTHORITY_INVALID against a self-signed server: self-signed (Chromium does not tell them apart)', async () => {
    const echo = await serve(selfSigned(LOCALHOST_SERVER));
    const error = await explainFetchFailure(new Error('net::ERR_CERT_AUTHORITY_INVALID'), 'token endpoint', new URL(echo.url));
    expect(error.message).toContain('self-signed certificate');
  });

  it('ERR_CERT_COMMON_NAME_INVALID: the names come from the certificate', async () => {
    const echo = await serve(companyAuthority.issue({ commonName: 'other.example', dnsNames: ['other.example'], usage: 'server' }));
    const error = await explainFetchFailure(new Error('net::ERR_CERT_COMMON_NAME_INVALID'), 'token endpoint', new URL(echo.url));
    expect(error.message).toContain("The server's certificate is for other.example, not for localhost.");
  });

  it('a proxy failure in Chromium is ERR_PROXY, not a network failure', async () => {
    const error = await explainFetchFailure(new Error('net::ERR_TUNNEL_CONNECTION_FAILED'), 'token endpoint', new URL('https://token.corp.test/token'), { probe: false });
    expect(error.code).toBe('ERR_PROXY');
    expect(error.message).toContain('failed at the proxy this computer is set to use (ERR_TUNNEL_CONNECTION_FAILED)');
  });
});

describe('a grant over https with an untrusted certificate', () => {
  let provider: ProviderServer;
  afterEach(async () => provider?.close());

  it('client_credentials fails with ERR_TLS before sending the secret, and works once the authority is trusted', async () => {
    const serverAuthority = createAuthority({ commonName: 'Vendor Test CA' });
    provider = await startProviderServer({ tls: serverAuthority.issue(LOCALHOST_SERVER) });
    const settings = myfiberSettings(provider);
    const untrusting = createNodeFetch();
    const refused = await runClientCredentialsGrant(settings, { ports: { fetch: untrusting, clock: systemClock, randomBytes: (n) => new Uint8Array(n) } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransportError);
    expect((refused as TransportError).code).toBe('ERR_TLS');
    expect((refused as TransportError).message).toContain('"Vendor Test CA"');
    expect(provider.requestsTo('/myfiber/oauth/v2/token')).toHaveLength(0);

    const trusting = createNodeFetch({ ca: [serverAuthority.certPem] });
    const tokens = await runClientCredentialsGrant(settings, { ports: { fetch: trusting, clock: systemClock, randomBytes: (n) => new Uint8Array(n) } });
    expect(tokens.accessToken.length).toBeGreaterThan(10);
    await Promise.all([untrusting.close(), trusting.close()]);
  });
});
