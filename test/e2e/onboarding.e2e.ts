/**
 * The renderer in Debian Chromium against the real core (through the browser
 * harness) and the seed-dialect fixture authorization server: onboarding,
 * copying, the authorization-code flow, refused grants, editing and removing.
 * Every screen is checked with axe-core and saved to docs/screenshots.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startProviderServer, type ProviderServer } from '../fixtures/provider-server.js';
import { startHarness, type Harness } from './harness/server.js';
import { openPage } from './harness/window.js';
import { expectAccessible, shoot } from './harness/screens.js';

test.describe.configure({ mode: 'serial' });

let provider: ProviderServer;
let harness: Harness;
let context: BrowserContext;
let page: Page;
const PASSPHRASE = 'correct horse battery staple';

async function clipboard(): Promise<string> {
  const response = await fetch(new URL('__test/clipboard', harness.url));
  return ((await response.json()) as { text: string }).text;
}

test.beforeAll(async ({ browser }) => {
  provider = await startProviderServer();
  harness = await startHarness();
  // A CSP violation or an uncaught error in the renderer fails the suite (openPage).
  ({ context, page } = await openPage(browser));
});

test.afterAll(async () => {
  await context?.close();
  await harness?.close();
  await provider?.close();
});

test('first run explains the keychain and creates the vault with a passphrase', async () => {
  await page.goto(harness.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome to TokenDesk' })).toBeVisible();
  await expect(page.getByText('This computer has no system keychain')).toBeVisible();
  await expect(page.getByText('Why it matters')).toBeVisible();
  await shoot(page, 'first-run');
  await expectAccessible(page, 'first run');

  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Type the passphrase again').fill('something else');
  await page.getByRole('button', { name: 'Create my vault' }).click();
  await expect(page.getByText('The two passphrases are not the same')).toBeVisible();

  await page.getByLabel('Type the passphrase again').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Create my vault' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  await expect(page.getByText('No accounts yet.')).toBeVisible();
  await shoot(page, 'accounts-empty');
  await expectAccessible(page, 'empty account list');
  expect((await harness.session.status()).vault).toBe('unlocked');
});

test('onboards by pasting TOML with CRLF and a byte-order mark, then copies a working token', async () => {
  const secret = provider.clients.myfiber.clientSecret!;
  // As it arrives from a single-use link opened on Windows: BOM, CRLF, comments, trailing spaces.
  const toml =
    '\uFEFF# myfiber credentials (single-use link)\r\n' +
    'name = "myfiber production"   \r\n' +
    'preset = "myfiber"\r\n' +
    `base_url = "${provider.url}/myfiber"\r\n` +
    `client_id = "${provider.clients.myfiber.clientId}"\r\n` +
    `client_secret = "${secret}"\r\n` +
    'scopes = ["openid", "profile", "urn:zitadel:iam:org:project:id:306635992142446597:aud"]\r\n';

  await page.getByRole('button', { name: 'Add your first account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Add an account' })).toBeVisible();
  await page.getByLabel('Credentials text (TOML)').fill(toml);
  const preview = page.locator('[data-preview-account="myfiber production"]');
  await expect(preview).toBeVisible();
  await expect(preview).toContainText('myfiber');
  await expect(preview).toContainText('stored, hidden');
  // The preview came back from the main process masked: the secret is nowhere in it.
  await expect(page.locator('section.preview')).not.toContainText(secret);
  await shoot(page, 'add-account-paste');
  await expectAccessible(page, 'add account (paste)');

  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'myfiber production' })).toBeVisible();
  await expect(page.getByTestId('notice')).toContainText('Account “myfiber production” was saved.');

  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText(
    'Your token for myfiber production was copied. It will be cleared from the clipboard in 60 seconds.',
  );
  const copied = await clipboard();
  expect(copied.split('.')).toHaveLength(3); // myfiber tokens are JWTs
  expect(provider.isAccessTokenActive('myfiber', copied)).toBe(true);
  // The token is not on screen unless the user reveals it; the secret never is.
  expect(await page.content()).not.toContain(copied);
  expect(await page.content()).not.toContain(secret);

  // Decoded in the main process: claims, expiry, scopes.
  await expect(page.getByTestId('claims')).toContainText('"sub"');
  await expect(page.locator('.token-facts')).toContainText('urn:zitadel:iam:org:project:id:306635992142446597:aud');
  await page.getByRole('button', { name: 'Copy header' }).click();
  await expect.poll(clipboard).toBe(`Authorization: Bearer ${copied}`);
  await page.getByRole('button', { name: 'Reveal' }).click();
  await expect(page.getByLabel(/Access token \(visible on screen/)).toHaveValue(copied);
  await page.getByRole('button', { name: 'Hide' }).click();
  await expect(page.getByLabel(/Access token \(visible on screen/)).toHaveCount(0);
  await shoot(page, 'account-detail');
  await expectAccessible(page, 'account detail');
  // Exactly one token request: the second copy reused the cached token.
  expect(provider.requestsTo('/myfiber/oauth/v2/token')).toHaveLength(1);
});

test('imports a dropped .toml file byte for byte (BOM and CRLF kept)', async () => {
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByRole('button', { name: 'Open a file' }).click();
  const bytes = Buffer.from(
    '\uFEFFname = "vyopta reports"\r\npreset = "vyopta"\r\n' +
      `base_url = "${provider.url}/vyopta"\r\nusername = "${provider.users.vyopta.username}"\r\npassword = "${provider.users.vyopta.password}"\r\n`,
    'utf8',
  );
  expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  await page.getByLabel('choose a file…').setInputFiles({ name: 'vyopta.toml', mimeType: 'text/plain', buffer: bytes });
  await expect(page.getByText('File loaded: vyopta.toml')).toBeVisible();
  await expect(page.locator('[data-preview-account="vyopta reports"]')).toContainText('stored, hidden');
  await shoot(page, 'add-account-file');
  await expectAccessible(page, 'add account (file)');
  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'vyopta reports' })).toBeVisible();
});

test('shows the line and column of a TOML mistake before anything is saved', async () => {
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByLabel('Credentials text (TOML)').fill('name = "broken"\ngrant = "client_credentials"\nclient_id = "x\n');
  const problems = page.locator('.problems');
  await expect(problems).toBeVisible();
  await expect(problems).toContainText(/line 3/i);
  await expect(page.getByRole('button', { name: /Save/ })).toBeDisabled();
  await shoot(page, 'add-account-problem');
  await expectAccessible(page, 'add account (problem)');
});

test('runs the authorization code flow through the system-browser step', async () => {
  await page.getByRole('button', { name: 'Choose a provider' }).click();
  await page.getByLabel('Provider', { exact: true }).selectOption('insiders');
  await page.getByLabel('Account name').fill('insiders');
  await page.getByText('Advanced').click();
  await page.getByLabel('Provider address').fill(`${provider.url}/insiders`);
  await page.getByLabel('Client ID').fill(provider.clients.insiders.clientId);
  await page.getByLabel('Client secret').fill(provider.clients.insiders.clientSecret!);
  await expect(page.locator('[data-preview-account="insiders"]')).toContainText('Sign-in in the browser');
  await shoot(page, 'add-account-preset');
  await expectAccessible(page, 'add account (preset)');
  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'insiders' })).toBeVisible();

  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  // The dialog shows while the harness's "browser" signs in, then closes by itself.
  await expect(page.getByRole('dialog', { name: 'Sign in with your browser' })).toBeVisible();
  await expect(page.getByTestId('notice')).toContainText('Your token for insiders was copied.', { timeout: 15_000 });
  await expect(page.getByRole('dialog')).toHaveCount(0);
  const token = await clipboard();
  expect(provider.isAccessTokenActive('insiders', token)).toBe(true);
  const authorizeUrl = new URL(harness.openedUrls.at(-1)!);
  expect(authorizeUrl.pathname).toBe('/insiders/oauth2/authorize/');
  expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorizeUrl.searchParams.get('state')).toBeTruthy();
});

test('shows a refused grant in plain words with the server’s reason', async () => {
  await page.getByRole('button', { name: 'Add account' }).click();
  await page
    .getByLabel('Credentials text (TOML)')
    .fill(`name = "myfiber staging"\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "myfiber-client"\nclient_secret = "wrong-secret-1234"\n`);
  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'myfiber staging' })).toBeVisible();
  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('The server refused the credentials: invalid_client — client authentication failed.');
  await expect(alert).toContainText('Check the client ID and secret, and under Edit how they are sent (Client authentication), or ask the vendor for new credentials.');
  await expect(alert).not.toContainText('wrong-secret-1234');
  await shoot(page, 'error-refused');
  await expectAccessible(page, 'refused grant');
});

test('edits an account (new secret) and the next copy works', async () => {
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Client secret').fill(provider.clients.myfiber.clientSecret!);
  await page.getByLabel('Account name').fill('myfiber staging (fixed)');
  await shoot(page, 'account-edit');
  await expectAccessible(page, 'edit account');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'myfiber staging (fixed)' })).toBeVisible();
  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText('Your token for myfiber staging (fixed) was copied.');
  expect(provider.isAccessTokenActive('myfiber', await clipboard())).toBe(true);
});

test('changing the token address to another host says the secret goes, and refuses until it is pasted again', async () => {
  // localhost is another origin than 127.0.0.1, though the same fixture server answers there.
  const elsewhere = `${provider.url.replace('127.0.0.1', 'localhost')}/myfiber/oauth/v2/token`;
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Token URL').fill(elsewhere);
  const warning = page.getByRole('status').filter({ hasText: 'removes the stored client secret' });
  await expect(warning).toContainText(`Changing the token address to ${new URL(elsewhere).origin} removes the stored client secret and the saved tokens: paste it again.`);
  await shoot(page, 'account-edit-new-host');
  await expectAccessible(page, 'edit account, new host');
  const before = provider.requests.length;
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('removes the stored client secret');
  // Refused in the main process: nothing was sent anywhere.
  expect(provider.requests.length).toBe(before);
  await page.getByLabel('Client secret').fill(provider.clients.myfiber.clientSecret!);
  await expect(page.getByRole('status').filter({ hasText: 'removes the saved tokens' })).toBeVisible();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText(elsewhere)).toBeVisible();
  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText('was copied');
  expect(provider.requests.at(-1)?.headers.host).toContain('localhost');
});

test('removes an account after confirmation', async () => {
  await page.getByRole('button', { name: 'Remove' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Remove “myfiber staging (fixed)”');
  await shoot(page, 'remove-confirm');
  await expectAccessible(page, 'remove confirmation');
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  await expect(page.locator('[data-account="myfiber staging (fixed)"]')).toHaveCount(0);
  await expect(page.locator('[data-account="myfiber production"]')).toBeVisible();
  const names = (await harness.session.accounts().list()).map((a) => a.name);
  expect(names).not.toContain('myfiber staging (fixed)');
});

test('copies from the account list with one click', async () => {
  const row = page.locator('[data-account="vyopta reports"]');
  await row.getByRole('button', { name: 'Copy token for vyopta reports' }).click();
  await expect(page.getByTestId('notice')).toContainText('Your token for vyopta reports was copied.');
  expect(provider.isAccessTokenActive('vyopta', await clipboard())).toBe(true);
  await expect(row).toContainText('Ready');
  await shoot(page, 'accounts');
  await expectAccessible(page, 'account list');
});

test('settings: clipboard delay is saved and used by the next copy', async () => {
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await page.getByLabel('Clear copied tokens from the clipboard after').selectOption('30');
  await expect(page.getByTestId('notice')).toContainText('Settings saved.');
  expect(harness.session.preferences().clipboardClearSeconds).toBe(30);
  await shoot(page, 'settings');
  await expectAccessible(page, 'settings');
  await page.getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'Copy token for myfiber production' }).click();
  await expect(page.getByTestId('notice')).toContainText('It will be cleared from the clipboard in 30 seconds.');
});
