/**
 * Issue 12 item 4: a client certificate in a credentials file, checked at
 * import the way the TLS handshake will use it. Every refusal names the
 * setting with its line and column, never a secret; nothing half-done is
 * returned. Certificates from the test authority (test/fixtures/tls/pki.ts).
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCredentials, previewImport } from '../../../main/core/import/index.js';
import { InputError } from '../../../main/core/errors.js';
import { createAuthority, encryptKeyPem, toPkcs12 } from '../../fixtures/tls/pki.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const authority = createAuthority();
const client = authority.issue({ commonName: 'importer', usage: 'client' });
const another = authority.issue({ commonName: 'someone else', usage: 'client' });
const expired = authority.issue({ commonName: 'old', usage: 'client', notBefore: new Date(Date.UTC(2024, 0, 1)), notAfter: new Date(Date.UTC(2025, 2, 31)) });
const dir = useTempDir('tokendesk-cert-import-');

/**
 * An RC2-40 / 3DES PKCS#12 (what Windows and old OpenSSL exported by default),
 * made once with `openssl pkcs12 -export -legacy` (password "legacy") for a
 * throwaway self-signed key: Node's OpenSSL 3 refuses it, which is what is tested.
 */
const LEGACY_P12 = 'MIIDkgIBAzCCA1gGCSqGSIb3DQEHAaCCA0kEggNFMIIDQTCCAjcGCSqGSIb3DQEHBqCCAigwggIkAgEAMIICHQYJKoZIhvcNAQcBMBwGCiqGSIb3DQEMAQYwDgQIDhDupTTj/L0CAggAgIIB8BVWhmpbHgciY7NBxWGhXcvIC53kiuM19mX0hHZxEj/CA5EzsbAGKGwfDTEPLFJfrTP3LXbuflqQoZ0Tsf8X3AiHM3EfYhtOJUScMP3D0xPX7cilrdMWIkezlKZWrkl3AKdjtL7dhZXku5NW+YjSINl9/VoAiywXkrwyXtadnBZrXqMPEoF4IPyDFm44/SJ4cu3ZihzGWw+lEGfyBUh1ViOGuE+FE6u0JbsJQPCVjOmjQzlxAKWiaTWEO8xR5Sf5vVf04BDpY+aIk3DEaR6nWrtgQup/D2SV6YmADTTO1eMCY1yN5Jl26u0F0fd38/C/syvK/xJhnOkUj+3ztBaPLvvdK9PDCCLVv0oRrscmSnUIFA1uo1ghgX9hOnbNN7lO64JNUsZJ36H5DMiH1qkpW9t0kc0DAE1pnalVKKdSOgeCqiU2LmQItHt+hxVyDeZh06pfwXjgyDzLv+o1f5QMcre4KmW/WldNhCP43NdPFDk/whOSdlLsH2StxGFu4sVXK8Va7LyEPPFtY3ip2lfLpDdV7QMAXE6t+2q5lV8yPZJsKwqqXWxJ+DywyCPlEYrodnAfdp9pWVXML7+MUKw0vNfamFGVSbdHv0BJqV2ZMV39LZOCaaeINLkXUM8UfpVGuVh/xQ9zr+O2sPGEboKU9qEwggECBgkqhkiG9w0BBwGggfQEgfEwge4wgesGCyqGSIb3DQEMCgECoIG0MIGxMBwGCiqGSIb3DQEMAQMwDgQIVAbbRSGrTtoCAggABIGQb/2sLZIZ6LvK1e8CBNjPmDcsASqg+xLpuoZ1awelTMbSkGNp9j/QIZBULPhUTaDQo3818FkKhPZeHVWcUN2q3fCxMfFaWVEOLoKD8WhIIfrzch5LQXeQQRxPl19B9m0WB5uXYIG5KFE4zxXADv2BL2fzmwDYmVeeqco/o8/bpUtu4bs1wSAg1GdSnOtTj8i0MSUwIwYJKoZIhvcNAQkVMRYEFC/6qT9JEdDxnLhL6sMySYSE9tdJMDEwITAJBgUrDgMCGgUABBQqT6IBMxM164CKcmOOYmx1gyi7HgQIiqCxQMvFvEYCAggA';

const head = (extra: string) => `name = "bank"
token_url = "https://mtls.bank.example/token"
client_id = "bank-client"
${extra}`;

async function refusal(text: string): Promise<InputError> {
  try {
    await importCredentials({ text, baseDir: dir.path() });
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('the import was accepted');
}

describe('client certificate import', () => {
  it('PEM as text or as files next to the TOML: stored as text with what the app shows, client_auth tls_client_auth by default', async () => {
    await writeFile(join(dir.path(), 'client.crt'), client.certPem);
    await writeFile(join(dir.path(), 'client.key'), encryptKeyPem(client.keyPem, 'key pw'));
    const [fromFiles] = await importCredentials({ text: head('cert_file = "client.crt"\nclientKey = "client.key"\nclient-key-password = "key pw"\n'), baseDir: dir.path() });
    expect(fromFiles!.clientAuth).toBe('tls_client_auth');
    expect(fromFiles!.clientCertificate).toMatchObject({ format: 'pem', keyPassword: 'key pw', info: { subject: 'CN=importer', issuer: 'CN=TokenDesk Test Root CA', fingerprint256: client.cert.fingerprint256 } });
    expect(fromFiles!.clientCertificate!.format === 'pem' && fromFiles!.clientCertificate!.certificate).toContain('-----BEGIN CERTIFICATE-----');
    const [inline] = await importCredentials({ text: head(`client_certificate = """${client.certPem}${client.keyPem}"""\n`) });
    expect(inline!.clientCertificate).toMatchObject({ format: 'pem', info: { serialNumber: client.cert.serialNumber } });
  });

  it('a PKCS#12 file by name (p12 = …) or as Base64 in the text', async () => {
    const p12 = toPkcs12(client, 'p12 pw', { chain: [authority.certPem] });
    await writeFile(join(dir.path(), 'client.p12'), p12);
    const [byName] = await importCredentials({ text: head('p12 = "client.p12"\np12_password = "p12 pw"\n'), baseDir: dir.path() });
    expect(byName!.clientCertificate).toMatchObject({ format: 'pkcs12', pkcs12: p12.toString('base64'), password: 'p12 pw', info: { subject: 'CN=importer' } });
    const [inline] = await importCredentials({ text: head(`client_pkcs12 = "${p12.toString('base64')}"\nclient_pkcs12_password = "p12 pw"\n`) });
    expect(inline!.clientCertificate).toMatchObject({ format: 'pkcs12', info: { fingerprint256: client.cert.fingerprint256 } });
  });

  it('refuses a wrong PKCS#12 password, naming the key, line and column', async () => {
    await writeFile(join(dir.path(), 'pw.p12'), toPkcs12(client, 'right'));
    const error = await refusal(head('client_pkcs12 = "pw.p12"\n  client_pkcs12_password = "LEAK-wrong-p12-pw"\n'));
    expect(error.message).toContain('client_pkcs12_password: this password does not open the PKCS#12 file');
    expect(error.location).toMatchObject({ line: 5, column: 3, field: 'client_pkcs12_password' });
    expect(error.message).not.toContain('LEAK-wrong-p12-pw');
  });

  it('refuses a wrong or missing key password', async () => {
    const encrypted = encryptKeyPem(client.keyPem, 'right');
    const wrong = await refusal(head(`client_certificate = """${client.certPem}"""\nclient_key = """${encrypted}"""\nclient_key_password = "LEAK-wrong-key-pw"\n`));
    expect(wrong.message).toContain('client_key_password: this password does not open the private key');
    expect(wrong.message).not.toContain('LEAK-wrong-key-pw');
    const missing = await refusal(head(`client_certificate = """${client.certPem}"""\nclient_key = """${encrypted}"""\n`));
    expect(missing.message).toContain('client_key: the private key is encrypted: add client_key_password');
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const text = head(`client_certificate = """${client.certPem}"""\nclient_key = """${another.keyPem}"""\n`);
    const error = await refusal(text);
    expect(error.message).toContain('client_key: this private key does not belong to the certificate (CN=importer)');
    expect(error.location).toMatchObject({ line: text.split('\n').findIndex((line) => line.startsWith('client_key')) + 1, column: 1, field: 'client_key' });
    expect(error.message).not.toContain(another.keyPem.split('\n')[1]!);
  });

  it('refuses an expired certificate, naming its date', async () => {
    const error = await refusal(head(`client_certificate = """${expired.certPem}"""\nclient_key = """${expired.keyPem}"""\n`));
    expect(error.message).toContain('client_certificate: the client certificate (CN=old) expired on 2025-03-31: ask the vendor for a new one');
    expect(error.location).toMatchObject({ line: 4, column: 1 });
    const p12 = await refusal(head(`client_pkcs12 = "${toPkcs12(expired, 'x').toString('base64')}"\nclient_pkcs12_password = "x"\n`));
    expect(p12.message).toContain('expired on 2025-03-31');
    expect((await previewImport({ text: head(`client_certificate = """${expired.certPem}"""\nclient_key = """${expired.keyPem}"""\n`), now: Date.UTC(2025, 0, 1) })).problems).toEqual([]);
  });

  it('refuses garbage in each setting', async () => {
    expect((await refusal(head('client_certificate = """-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----"""\n' + `client_key = """${client.keyPem}"""\n`))).message).toContain(
      'client_certificate: the certificate cannot be read',
    );
    await writeFile(join(dir.path(), 'garbage.p12'), 'this is not DER');
    expect((await refusal(head('pfx = "garbage.p12"\n'))).message).toContain('client_pkcs12: this is not a PKCS#12 file (.p12, .pfx), or it is damaged');
    expect((await refusal(head(`client_certificate = """${client.certPem}"""\nclient_key = "-----BEGIN NOTHING-----"\n`))).message).toContain('client_key: this is not a PEM private key');
    expect((await refusal(head('client_certificate = "missing.crt"\nclient_key = "missing.key"\n'))).message).toMatch(/client_certificate: cannot read "missing.crt": the file does not exist \(looked at .*missing.crt\)/);
    expect((await refusal(head(`client_certificate = """${client.certPem}"""\n`))).message).toContain('the certificate needs its private key');
    expect((await refusal(head(`client_pkcs12 = "a.p12"\nclient_certificate = """${client.certPem}"""\n`))).message).toContain('give either client_pkcs12 or client_certificate with client_key, not both');
  });

  it('explains the old PKCS#12 encryption Node refuses, with the fix', async () => {
    const error = await refusal(head(`client_pkcs12 = "${LEGACY_P12}"\nclient_pkcs12_password = "legacy"\n`));
    expect(error.message).toContain('old encryption (RC2 or DES)');
    expect(error.message).toContain('openssl pkcs12 -legacy -in old.p12 -nodes');
  });

  it('reads a named file with the key_file reader: a FIFO is refused at once, never waited on', async () => {
    const fifo = join(dir.path(), 'pipe.p12');
    if (process.platform === 'win32' || spawnSync('mkfifo', [fifo]).status !== 0) return;
    const error = await refusal(head('client_pkcs12 = "pipe.p12"\n'));
    expect(error.message).toContain('it is a named pipe (FIFO), not a file');
  });

  it('tls_client_auth without a certificate is refused; a certificate with another client_auth is mTLS as transport only', async () => {
    expect((await refusal(head('client_auth = "tls_client_auth"\n'))).message).toContain('client_auth "tls_client_auth" needs a client certificate');
    const [withSecret] = await importCredentials({ text: head(`client_secret = "s"\nclient_certificate = """${client.certPem}${client.keyPem}"""\n`) });
    expect(withSecret).toMatchObject({ clientAuth: 'basic', clientCertificate: { format: 'pem' } });
  });
});
