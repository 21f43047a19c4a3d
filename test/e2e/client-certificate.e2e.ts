/**
 * Client certificates (mutual TLS, RFC 8705) in the renderer (Debian
 * Chromium, real core through the harness): a pasted TOML account with a PEM
 * certificate and an encrypted key shows what the certificate is (subject,
 * issuer, expiry, fingerprint) and the 30-day warning in the preview, the
 * account list and the detail page, and never any part of the key or its
 * password; Copy token, Refresh and Test API go to an https token server on
 * 127.0.0.1 that requires the certificate (test/fixtures/mtls-server.ts);
 * an expired certificate is refused in the preview with its date.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startMtlsServer, type MtlsServer } from '../fixtures/mtls-server.js';
import { LOCALHOST_SERVER } from '../fixtures/tls/https-fixtures.js';
import { createAuthority, encryptKeyPem, type Issued } from '../fixtures/tls/pki.js';
import { startHarness, type Harness } from './harness/server.js';
import { openPage } from './harness/window.js';
import { expectAccessible } from './harness/screens.js';

test.describe.configure({ mode: 'serial' });

const PASSPHRASE = 'vault passphrase for the certificate spec';
const KEY_PASSWORD = 'E2E-key-password-never-shown-7q';
const ACCOUNT = 'acme bank';
const CLIENT_ID = 'acme-e2e-client';
const DAY = 86_400_000;

const authority = createAuthority({ commonName: 'Acme Bank Client CA' });
const client = authority.issue({ commonName: 'tokendesk-e2e', organization: 'Acme Bank', usage: 'client', notAfter: new Date(Date.now() + 10 * DAY) });
const expired = authority.issue({
  commonName: 'tokendesk-old',
  usage: 'client',
  notBefore: new Date(Date.UTC(2024, 2, 1)),
  notAfter: new Date(Date.UTC(2025, 2, 31, 12)),
});
const encryptedKey = encryptKeyPem(client.keyPem, KEY_PASSWORD);

/** The certificate's last day as the app writes it (UTC, like `openssl x509 -enddate`). */
const expiryDay = new Date(Date.parse(client.cert.validTo)).toISOString().slice(0, 10);
const WARNING = `The client certificate of ${ACCOUNT} expires on ${expiryDay}: ask the vendor for a new one.`;

/** Lines of a PEM body (base64), each long enough that it cannot appear by chance. */
function pemBodyLines(pem: string): string[] {
  return pem.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'));
}
/** Everything secret the user pastes: the keys (encrypted and plain) and the password. */
const KEY_MATERIAL = [...pemBodyLines(encryptedKey), ...pemBodyLines(client.keyPem), ...pemBodyLines(expired.keyPem), KEY_PASSWORD];

let mtls: MtlsServer;
let harness: Harness;
let context: BrowserContext;
let page: Page;
/** Every answer the core gave the renderer, to prove the key never reaches the window. */
const ipcAnswers: Promise<string>[] = [];

test.beforeAll(async ({ browser }) => {
  mtls = await startMtlsServer({
    identity: authority.issue(LOCALHOST_SERVER),
    mode: 'pki',
    authorities: [authority.certPem],
    clients: [{ clientId: CLIENT_ID, method: 'tls_client_auth', commonName: 'tokendesk-e2e' }],
  });
  harness = await startHarness({ authorities: [authority.certPem] });
  // The first-run screen is covered by onboarding.e2e.ts; here the vault exists already.
  await harness.session.create({ passphrase: PASSPHRASE });
  ({ context, page } = await openPage(browser, { viewport: { width: 1100, height: 900 } }));
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/ipc') ipcAnswers.push(response.text().catch(() => ''));
  });
  await page.goto(harness.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
});

test.afterAll(async () => {
  await context?.close();
  await harness?.close();
  await mtls?.close();
});

function certificateToml(name: string, identity: Issued, key: string, password?: string): string {
  return (
    `name = "${name}"\ngrant = "client_credentials"\n` +
    `token_url = "${mtls.url}/token"\nrevoke_url = "${mtls.url}/revoke"\napi_url = "${mtls.url}/api"\n` +
    `client_id = "${CLIENT_ID}"\nclient_auth = "tls_client_auth"\n` +
    `client_certificate = """${identity.certPem}"""\nclient_key = """${key}"""\n` +
    (password !== undefined ? `client_key_password = "${password}"\n` : '')
  );
}

async function addAccountScreen(): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Add account' }).click();
}

/** Fails naming the first piece of key material found in `text`. */
function expectNoKeyMaterial(text: string, where: string): void {
  const found = KEY_MATERIAL.filter((secret) => text.includes(secret));
  expect(found.map((secret) => (secret === KEY_PASSWORD ? 'the key password' : 'a line of the private key')), `key material in ${where}`).toEqual([]);
}

/** The whole page as the user (innerText) and the DOM (HTML, attributes included) hold it. */
async function pageTexts(): Promise<string> {
  return `${await page.locator('body').innerText()}\n${await page.content()}`;
}

/** The certificate rows (ClientCertificateRows.svelte) inside `scope`. */
async function expectCertificateRows(scope: ReturnType<Page['locator']>): Promise<void> {
  await expect(scope.locator('[data-client-certificate]')).toHaveText('PEM certificate, key stored, hidden');
  await expect(scope.locator('[data-certificate-subject]')).toHaveText('O=Acme Bank, CN=tokendesk-e2e');
  await expect(scope.locator('[data-certificate-issuer]')).toHaveText('CN=Acme Bank Client CA');
  await expect(scope.locator('[data-certificate-expires]')).toContainText(expiryDay);
  await expect(scope.locator('[data-certificate-expires]')).toHaveAttribute('data-state', 'expiring');
  await expect(scope.locator('[data-certificate-expires] [role="status"]')).toHaveText(WARNING);
  await expect(scope.locator('dt', { hasText: 'SHA-256 fingerprint' })).toBeVisible();
  await expect(scope.locator('.fingerprint')).toHaveText(client.cert.fingerprint256);
}

test('the preview shows the certificate and its 30-day warning, never the key or its password', async () => {
  await addAccountScreen();
  await page.getByLabel('Credentials text (TOML)').fill(certificateToml(ACCOUNT, client, encryptedKey, KEY_PASSWORD));
  const preview = page.locator(`[data-preview-account="${ACCOUNT}"]`);
  await expect(preview).toBeVisible();
  await expectCertificateRows(preview);
  // tls_client_auth sends no secret: the preview does not ask for one.
  await expect(preview.locator('dt', { hasText: 'Client secret' })).toHaveCount(0);
  // The text box holds what the user pasted; everything the app shows about it must not.
  expectNoKeyMaterial(await page.locator('section.preview').innerText(), 'the preview');
  expectNoKeyMaterial(await page.locator('section.preview').innerHTML(), 'the preview HTML');
  await expectAccessible(page, 'add account preview with a client certificate');
});

test('after saving, the list warns about the expiry and the detail page shows the certificate', async () => {
  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: ACCOUNT })).toBeVisible();
  await expectCertificateRows(page.locator('dl.settings-list'));
  await expect(page.locator('dl.settings-list')).toContainText('Client certificate, no secret (tls_client_auth)');
  expectNoKeyMaterial(await pageTexts(), 'the detail page');
  await expectAccessible(page, 'account detail with a client certificate');

  await page.getByRole('button', { name: 'Accounts', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  await expect(page.locator(`[data-certificate-warning="${ACCOUNT}"]`)).toHaveText(WARNING);
  await expect(page.getByRole('list', { name: 'Certificate warnings' })).toBeVisible();
  expectNoKeyMaterial(await pageTexts(), 'the account list');
  await expectAccessible(page, 'account list with a certificate warning');
});

test('Copy token, Refresh and Test API present the certificate to a server that requires it', async () => {
  await page.getByRole('button', { name: `Copy token for ${ACCOUNT}` }).click();
  await expect(page.getByTestId('notice')).toContainText(`Your token for ${ACCOUNT} was copied.`);
  const tokenRequests = () => mtls.requests.filter((request) => request.path === '/token');
  expect(tokenRequests()).toHaveLength(1);
  // The handshake itself required a certificate from the authority; the server then saw this one.
  expect(tokenRequests()[0]).toMatchObject({ certificate: client.cert.fingerprint256, form: { grant_type: 'client_credentials', client_id: CLIENT_ID } });
  expect(tokenRequests()[0]!.form.client_secret).toBeUndefined();
  expect(tokenRequests()[0]!.authorization).toBeUndefined();
  const copied = harness.clipboardText();
  expect(copied.split('.')).toHaveLength(3);

  await page.getByRole('button', { name: `Details for ${ACCOUNT}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: ACCOUNT })).toBeVisible();
  await page.getByRole('button', { name: 'Refresh', exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText('A new token was obtained.');
  expect(tokenRequests()).toHaveLength(2);
  // RFC 8705 4: the refresh token is bound to the certificate, so the refresh must present it too.
  expect(tokenRequests()[1]).toMatchObject({ certificate: client.cert.fingerprint256, form: { grant_type: 'refresh_token', client_id: CLIENT_ID } });

  await page.getByRole('button', { name: 'Test API call' }).click();
  const result = page.locator('.test-result');
  await expect(result).toContainText('The API answered 200');
  await expect(result).toContainText('The token works.');
  // RFC 8705 3: the token is certificate-bound; the API answers 200 only on a connection presenting it.
  expect(mtls.requests.filter((request) => request.path === '/api').at(-1)).toMatchObject({ certificate: client.cert.fingerprint256 });
  expectNoKeyMaterial(await pageTexts(), 'the detail page after the requests');
});

test('an expired certificate is refused in the preview, naming its date', async () => {
  await addAccountScreen();
  await page.getByLabel('Credentials text (TOML)').fill(certificateToml('old bank', expired, expired.keyPem));
  const problems = page.locator('section.preview .problems');
  await expect(problems).toContainText('client_certificate: the client certificate (CN=tokendesk-old) expired on 2025-03-31: ask the vendor for a new one');
  await expect(page.getByRole('button', { name: 'Save this account' })).toBeDisabled();
  expectNoKeyMaterial(await page.locator('section.preview').innerText(), 'the refused preview');
  await expectAccessible(page, 'add account preview with an expired certificate');
});

test('no answer the core gave the window holds the key or its password', async () => {
  const answers = await Promise.all(ipcAnswers);
  expect(answers.length).toBeGreaterThan(5);
  expectNoKeyMaterial(answers.join('\n'), 'the IPC answers');
});
