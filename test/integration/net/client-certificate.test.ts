/**
 * Issue 12 item 4: client certificates (RFC 8705) end to end through the
 * account service and the Node transport, against a real https token
 * endpoint on 127.0.0.1 that requires a client certificate and issues
 * certificate-bound tokens (test/fixtures/mtls-server.ts). Certificates are
 * made by the test authority (test/fixtures/tls/pki.ts).
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import { testApiCall } from '../../../main/core/api/test-api-call.js';
import { AppSession } from '../../../main/core/app-session.js';
import { importCredentials } from '../../../main/core/import/index.js';
import { perIdentity } from '../../../main/core/net/identity-cache.js';
import { createNodeFetch } from '../../../main/core/net/node-fetch.js';
import { systemClock, type CorePorts } from '../../../main/core/ports.js';
import { startMtlsServer, type MtlsServer } from '../../fixtures/mtls-server.js';
import { LOCALHOST_SERVER } from '../../fixtures/tls/https-fixtures.js';
import { createAuthority, encryptKeyPem, selfSigned, toPkcs12, type Issued } from '../../fixtures/tls/pki.js';
import { secretsInFolder, type Secret } from '../security/secret-scan.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const PASSPHRASE = 'vault passphrase for mtls tests';
const KEY_PASSWORD = 'MTLS-key-password-q1';
const P12_PASSWORD = 'MTLS-pkcs12-password-r2';

const authority = createAuthority({ commonName: 'TokenDesk Test Client CA' });
const otherAuthority = createAuthority({ commonName: 'Somebody Else CA' });
const ecClient = authority.issue({ commonName: 'tokendesk-ec', organization: 'Acme Bank Client', usage: 'client' });
const rsaClient = authority.issue({ commonName: 'tokendesk-rsa', usage: 'client', keyType: 'rsa' });
const impostor = otherAuthority.issue({ commonName: 'tokendesk-ec', usage: 'client' });
const selfSignedClient = selfSigned({ commonName: 'tokendesk-self-signed', usage: 'client' });
const otherSelfSigned = selfSigned({ commonName: 'tokendesk-self-signed', usage: 'client' });

let pki: MtlsServer;
let selfSignedServer: MtlsServer;
const dir = useTempDir('tokendesk-mtls-');

/** The CLI's ports, trusting the test authority that issued the servers' certificates. */
function nodePorts(): CorePorts {
  const ca = [authority.certPem];
  return {
    fetch: createNodeFetch({ ca }),
    fetchWithClientCertificate: perIdentity((clientCertificate) => createNodeFetch({ ca, clientCertificate })),
    clock: systemClock,
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
  };
}

beforeAll(async () => {
  const serverIdentity = authority.issue(LOCALHOST_SERVER);
  pki = await startMtlsServer({
    identity: serverIdentity,
    mode: 'pki',
    authorities: [authority.certPem],
    clients: [
      { clientId: 'ec-client', method: 'tls_client_auth', commonName: 'tokendesk-ec' },
      { clientId: 'rsa-client', method: 'tls_client_auth', commonName: 'tokendesk-rsa' },
    ],
  });
  selfSignedServer = await startMtlsServer({
    identity: serverIdentity,
    mode: 'self_signed',
    clients: [{ clientId: 'self-client', method: 'self_signed_tls_client_auth', fingerprint256: selfSignedClient.cert.fingerprint256 }],
  });
});
afterAll(async () => {
  await pki?.close();
  await selfSignedServer?.close();
});

async function openSession(name: string, ports: CorePorts = nodePorts()): Promise<AppSession> {
  const session = new AppSession({ dataDir: join(dir.path(), name), ports });
  await session.create({ passphrase: PASSPHRASE });
  return session;
}

async function importToml(session: AppSession, toml: string): Promise<AccountSettings[]> {
  const accounts = await importCredentials({ text: toml, baseDir: dir.path() });
  await session.accounts().importAccounts(accounts);
  return accounts;
}

function pemToml(name: string, server: MtlsServer, clientId: string, identity: Issued, extra = ''): string {
  return `name = "${name}"
grant = "client_credentials"
token_url = "${server.url}/token"
revoke_url = "${server.url}/revoke"
api_url = "${server.url}/api"
client_id = "${clientId}"
client_auth = "tls_client_auth"
client_certificate = """${identity.certPem}"""
client_key = """${encryptKeyPem(identity.keyPem, KEY_PASSWORD)}"""
client_key_password = "${KEY_PASSWORD}"
${extra}`;
}

async function p12Toml(name: string, server: MtlsServer, clientId: string, identity: Issued, clientAuth: string): Promise<string> {
  const file = `${name}.p12`;
  await writeFile(join(dir.path(), file), toPkcs12(identity, P12_PASSWORD, { chain: [authority.certPem] }));
  return `name = "${name}"
token_url = "${server.url}/token"
revoke_url = "${server.url}/revoke"
api_url = "${server.url}/api"
client_id = "${clientId}"
client_auth = "${clientAuth}"
pfx = "${file}"
pfx_password = "${P12_PASSWORD}"
`;
}

describe('tls_client_auth against a server that requires a client certificate', () => {
  it('a PEM certificate with an encrypted EC key gets a certificate-bound token; client_id in the body, no secret anywhere', async () => {
    const session = await openSession('pem-ec');
    await importToml(session, pemToml('bank ec', pki, 'ec-client', ecClient));
    const before = pki.requests.length;
    const tokens = await session.accounts().getToken('bank ec');
    const sent = pki.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ path: '/token', certificate: ecClient.cert.fingerprint256, form: { grant_type: 'client_credentials', client_id: 'ec-client' } });
    expect(sent[0]!.form).not.toHaveProperty('client_secret');
    expect(sent[0]!.authorization).toBeUndefined();
    const claims = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1]!, 'base64url').toString('utf8')) as { cnf: Record<string, string> };
    expect(claims.cnf['x5t#S256']).toBe(Buffer.from(ecClient.cert.fingerprint256.replaceAll(':', ''), 'hex').toString('base64url'));
    session.lock();
  });

  it('a PKCS#12 file with an RSA key and its chain gets a token, read once at import from the folder of the TOML', async () => {
    const session = await openSession('p12-rsa');
    await importToml(session, await p12Toml('bank rsa', pki, 'rsa-client', rsaClient, 'tls_client_auth'));
    const before = pki.requests.length;
    expect((await session.accounts().getToken('bank rsa')).accessToken).toMatch(/^ey/);
    expect(pki.requests.slice(before)[0]).toMatchObject({ certificate: rsaClient.cert.fingerprint256, form: { client_id: 'rsa-client' } });
    session.lock();
  });

  it('refresh and revoke present the certificate too (the refresh token is bound to it)', async () => {
    const session = await openSession('refresh-revoke');
    await importToml(session, pemToml('bank refresh', pki, 'ec-client', ecClient));
    const first = await session.accounts().getToken('bank refresh');
    const before = pki.requests.length;
    const second = await session.accounts().getToken('bank refresh', { force: true });
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(pki.requests.slice(before)).toEqual([
      expect.objectContaining({ path: '/token', certificate: ecClient.cert.fingerprint256, form: expect.objectContaining({ grant_type: 'refresh_token', client_id: 'ec-client' }) }),
    ]);
    const revokedBefore = pki.requests.length;
    expect(await session.accounts().revoke('bank refresh')).toEqual({ revokedAtServer: true });
    const revokes = pki.requests.slice(revokedBefore);
    expect(revokes.map((r) => [r.path, r.certificate])).toEqual([
      ['/revoke', ecClient.cert.fingerprint256],
      ['/revoke', ecClient.cert.fingerprint256],
    ]);
    expect(pki.revoked).toContain(second.refreshToken);
    for (const request of revokes) expect(request.form).not.toHaveProperty('client_secret');
    session.lock();
  });

  it('the Test API call presents the certificate, which the bound token needs; without it the API refuses the token', async () => {
    const session = await openSession('test-api');
    await importToml(session, pemToml('bank api', pki, 'ec-client', ecClient));
    const tokens = await session.accounts().getToken('bank api');
    const answer = await testApiCall(session.accounts().portsFor('bank api'), `${pki.url}/api`, tokens);
    expect(answer).toMatchObject({ status: 200 });
    expect(pki.requests.at(-1)).toMatchObject({ path: '/api', certificate: ecClient.cert.fingerprint256 });
    // The same token on a connection with another (valid) certificate: refused, RFC 8705 3.
    const elsewhere = nodePorts().fetchWithClientCertificate!({ format: 'pem', certificate: rsaClient.certPem, key: rsaClient.keyPem });
    const refused = await testApiCall({ ...nodePorts(), fetch: elsewhere }, `${pki.url}/api`, tokens);
    expect(refused).toMatchObject({ status: 401 });
    session.lock();
  });

  // A Node server that refuses a client certificate closes the connection without a TLS alert, and a
  // missing certificate (TLS 1.3 alert 116, certificate_required) reaches undici as a closed socket
  // too (UND_ERR_SOCKET "other side closed"): the classifier's own handshake, without a certificate,
  // hears the server's certificate_required and names the mutual TLS then.
  it('a certificate from another authority is refused in the handshake: ERR_TLS in plain words, no request reaches the endpoint, no secret in the words', async () => {
    const session = await openSession('impostor');
    await importToml(session, pemToml('impostor', pki, 'ec-client', impostor));
    const before = pki.requests.length;
    const error = await session.accounts().getToken('impostor').then(
      () => undefined,
      (caught: unknown) => caught as { kind: string; code: string; message: string },
    );
    expect(error?.kind).toBe('transport');
    expect(error?.code).toBe('ERR_TLS');
    expect(error?.message).toContain(`${pki.url}/token`);
    expect(error?.message).toContain("The server did not accept the account's client certificate.");
    expect(error?.message).not.toContain(KEY_PASSWORD);
    expect(pki.requests.length).toBe(before);
    const history = await session.accounts().history('impostor');
    expect(history.at(-1)).toMatchObject({ outcome: 'error', errorCode: error?.code });
    session.lock();
  });

  it('an account without a certificate cannot get past the handshake either', async () => {
    const session = await openSession('no-certificate');
    await importToml(session, `name = "bare"\ntoken_url = "${pki.url}/token"\nclient_id = "ec-client"\nclient_auth = "none"\n`);
    const before = pki.requests.length;
    const error = await session.accounts().getToken('bare').then(
      () => undefined,
      (caught: unknown) => caught as { kind: string; code: string; message: string },
    );
    expect(error?.kind).toBe('transport');
    expect(error?.code).toBe('ERR_TLS');
    expect(error?.message).toContain('The server requires a client certificate (mutual TLS), and this account holds none.');
    expect(pki.requests.length).toBe(before);
    session.lock();
  });

  it('a host that cannot present a certificate refuses in words instead of sending the request without it', async () => {
    const { fetchWithClientCertificate: _none, ...withoutMtls } = nodePorts();
    const session = await openSession('no-host-support', withoutMtls);
    await importToml(session, pemToml('bank unsupported', pki, 'ec-client', ecClient));
    const before = pki.requests.length;
    await expect(session.accounts().getToken('bank unsupported')).rejects.toMatchObject({ code: 'ERR_CLIENT_CERTIFICATE_UNSUPPORTED', message: expect.stringContaining('"bank unsupported" signs in with a client certificate') });
    expect(pki.requests.length).toBe(before);
    session.lock();
  });
});

describe('self_signed_tls_client_auth', () => {
  it('the registered self-signed certificate (PKCS#12, EC) gets a token bound to its fingerprint', async () => {
    const session = await openSession('self-signed');
    await importToml(session, await p12Toml('self signed', selfSignedServer, 'self-client', selfSignedClient, 'self_signed_tls_client_auth'));
    const tokens = await session.accounts().getToken('self signed');
    expect(selfSignedServer.requests.at(-1)).toMatchObject({ certificate: selfSignedClient.cert.fingerprint256, form: { client_id: 'self-client' } });
    expect(await testApiCall(session.accounts().portsFor('self signed'), `${selfSignedServer.url}/api`, tokens)).toMatchObject({ status: 200 });
    session.lock();
  });

  it('another self-signed certificate with the same name is refused by the server (invalid_client)', async () => {
    const session = await openSession('self-signed-other');
    await importToml(session, await p12Toml('other self signed', selfSignedServer, 'self-client', otherSelfSigned, 'self_signed_tls_client_auth'));
    await expect(session.accounts().getToken('other self signed')).rejects.toMatchObject({ code: 'ERR_AUTH_SERVER', error: 'invalid_client' });
    session.lock();
  });
});

describe('the vault keeps the certificate encrypted', () => {
  it('no key, PKCS#12 file or password is in any file of the data folder in plain text, nor in what the renderer gets', async () => {
    const session = await openSession('at-rest');
    await importToml(session, pemToml('pem at rest', pki, 'ec-client', ecClient));
    await importToml(session, await p12Toml('p12 at rest', pki, 'rsa-client', rsaClient, 'tls_client_auth'));
    await session.accounts().getToken('pem at rest');
    await session.accounts().getToken('p12 at rest');
    const p12 = await readFile(join(dir.path(), 'p12 at rest.p12'));
    const secrets: Secret[] = [
      { label: 'EC key (PEM body)', value: ecClient.keyPem.split('\n').slice(1, 3).join('\n') },
      { label: 'key password', value: KEY_PASSWORD },
      { label: 'PKCS#12 password', value: P12_PASSWORD },
      { label: 'PKCS#12 (Base64)', value: p12.toString('base64').slice(0, 64) },
      { label: 'RSA key (PEM body)', value: rsaClient.keyPem.split('\n').slice(1, 3).join('\n') },
    ];
    expect(await secretsInFolder(join(dir.path(), 'at-rest'), secrets)).toEqual([]);
    const shown = JSON.stringify([await session.accounts().getSettings('pem at rest'), await session.accounts().getSettings('p12 at rest'), await session.accounts().list()]);
    expect(shown).not.toContain(KEY_PASSWORD);
    expect(shown).not.toContain(P12_PASSWORD);
    expect(shown).not.toContain('PRIVATE KEY');
    expect(shown).not.toContain(p12.toString('base64').slice(0, 64));
    expect(shown).toContain('"subject":"O=Acme Bank Client, CN=tokendesk-ec"');
    session.lock();
  });
});

describe('locking the vault closes the connections that hold a certificate', () => {
  it('after Lock, the next request opens a new transport: the old one (with the key in its TLS context) was closed', async () => {
    const made: string[] = [];
    const closed: string[] = [];
    const ca = [authority.certPem];
    const certificates = perIdentity((clientCertificate) => {
      const transport = createNodeFetch({ ca, clientCertificate });
      const id = `transport-${made.length + 1}`;
      made.push(id);
      return Object.assign((input: string | URL, init?: RequestInit) => transport(input, init), {
        close: async () => {
          closed.push(id);
          await transport.close();
        },
      });
    });
    const ports: CorePorts = { ...nodePorts(), fetchWithClientCertificate: certificates, forgetClientCertificates: () => certificates.clear() };
    const session = await openSession('lock-closes', ports);
    await importToml(session, pemToml('bank lock', pki, 'ec-client', ecClient));
    await session.accounts().getToken('bank lock', { force: true });
    expect(made).toEqual(['transport-1']);
    session.lock();
    await expect.poll(() => closed).toEqual(['transport-1']);
    await session.unlock(PASSPHRASE);
    await session.accounts().getToken('bank lock', { force: true });
    expect(made).toEqual(['transport-1', 'transport-2']);
    session.lock();
  });
});
