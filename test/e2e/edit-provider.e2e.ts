/**
 * Edit in Chromium against the real core (issue 13 items 1, 7 and 9): an
 * account pasted without a provider is changed to myfiber and to the
 * client authentication its document shows (the secret in the request), and
 * then Copy works with one request; the request budget is edited in words
 * and removed; a refused key file gets advice about key files, not about a
 * user name and password.
 */
import { generateKeyPairSync } from 'node:crypto';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startProviderServer, type ProviderServer } from '../fixtures/provider-server.js';
import { startHarness, type Harness } from './harness/server.js';
import { openUnlockedWindow } from './harness/window.js';
import { expectAccessible, shoot } from './harness/screens.js';

test.describe.configure({ mode: 'serial' });

let provider: ProviderServer;
let harness: Harness;
let context: BrowserContext;
let page: Page;
const PASSPHRASE = 'correct horse battery staple';
const NAME = 'myfiber plain';

test.beforeAll(async ({ browser }) => {
  provider = await startProviderServer();
  harness = await startHarness();
  await harness.session.create({ passphrase: PASSPHRASE });
  ({ context, page } = await openUnlockedWindow(browser, harness));
});

test.afterAll(async () => {
  await context?.close();
  await harness?.close();
  await provider?.close();
});

/** The value of one row of the detail page's settings list. */
function settingRow(term: string) {
  return page.locator('dl dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');
}

/** myfiber's fields as its document names them (no preset, no client_auth), pasted and saved under `name`. */
async function pasteMyfiberAsSent(name: string): Promise<void> {
  const text = [
    `name = "${name}"`,
    `client_id = "${provider.clients.myfiber.clientId}"`,
    `client_secret = "${provider.clients.myfiber.clientSecret}"`,
    `url_to_authentication_service = "${provider.url}/myfiber/oauth/v2/token"`,
    'scopes = ["openid", "profile"]',
  ].join('\n');
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByLabel('Credentials text (TOML)').fill(text);
  await expect(page.locator(`[data-preview-account="${name}"]`)).toBeVisible();
  await page.getByRole('button', { name: 'Save this account' }).click();
}

test('an account pasted as Custom is changed to myfiber and the secret in the request, then Copy works with one request', async () => {
  await pasteMyfiberAsSent(NAME);
  await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
  await expect(settingRow('Provider')).toHaveText('Custom');
  // Nobody chose how the secret travels, and the page says so instead of a bare "basic".
  await expect(settingRow('Client authentication')).toHaveText('Automatic: Client ID and secret in the Authorization header (basic) first, then the other ways once');

  await page.getByRole('button', { name: 'Edit' }).click();
  const clientAuth = page.getByLabel('Client authentication');
  await expect(clientAuth.locator('option:checked')).toHaveText('Automatic: try each way once, keep the one that works');
  await page.getByLabel('Provider', { exact: true }).selectOption({ label: 'myfiber' });
  // The provider's way to send the secret is filled in, in words.
  await expect(clientAuth.locator('option:checked')).toHaveText('Client ID and secret in the request (body)');
  await clientAuth.selectOption({ label: 'Client ID and secret in the request (body)' });
  await expect(page.locator('.budget-words')).toHaveText('30 requests an hour');
  // Same host: nothing is dropped, so no warning.
  await expect(page.getByRole('status').filter({ hasText: 'removes' })).toHaveCount(0);
  await shoot(page, 'account-edit-provider');
  await expectAccessible(page, 'edit account, provider');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText('Changes saved.');
  await expect(settingRow('Provider')).toHaveText('myfiber');
  await expect(settingRow('Client authentication')).toHaveText('Client ID and secret in the request (body)');

  const before = provider.requestsTo('/myfiber/oauth/v2/token').length;
  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText(`Your token for ${NAME} was copied.`);
  expect(provider.isAccessTokenActive('myfiber', harness.clipboardText())).toBe(true);
  const sent = provider.requestsTo('/myfiber/oauth/v2/token').slice(before);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.headers.authorization).toBeUndefined();
  expect(sent[0]!.form.client_secret).toBe(provider.clients.myfiber.clientSecret);
});

test('the myfiber text as its document describes it works on Copy: the refused Basic header is followed by the secret in the request, remembered', async () => {
  const name = 'myfiber as sent';
  await pasteMyfiberAsSent(name);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const before = provider.requestsTo('/myfiber/oauth/v2/token').length;
  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText(`Your token for ${name} was copied.`);
  expect(provider.isAccessTokenActive('myfiber', harness.clipboardText())).toBe(true);
  const sent = provider.requestsTo('/myfiber/oauth/v2/token').slice(before);
  expect(sent.map((request) => [Boolean(request.headers.authorization), request.form.client_secret !== undefined])).toEqual([
    [true, false],
    [false, true],
  ]);
  await expect(settingRow('Client authentication')).toHaveText('Client ID and secret in the request (body)');
  // No error was shown: the secret was right all along.
  await expect(page.getByRole('alert')).toHaveCount(0);
  await page.getByRole('button', { name: 'Accounts', exact: true }).click();
  await page.getByRole('button', { name: `Details for ${NAME}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: NAME })).toBeVisible();
});

test('the request budget is edited in words, shown, and removed', async () => {
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Requests', { exact: true }).fill('20');
  await page.getByLabel('per', { exact: true }).selectOption({ label: 'day' });
  await expect(page.locator('.budget-words')).toHaveText('20 requests a day');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Edit account' })).toHaveCount(0);
  await expect(page.locator('[data-field="request-budget"]')).toHaveText('20 requests a day');
  await expect(page.getByText('1 of 20 token requests used in the last 24 hours.')).toBeVisible();
  await shoot(page, 'account-budget-edited');

  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Warn before too many token requests').uncheck();
  await expect(page.locator('.budget-words')).toHaveText('No limit');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Edit account' })).toHaveCount(0);
  await expect(settingRow('Provider')).toHaveText('myfiber');
  await expect(page.locator('[data-field="request-budget"]')).toHaveCount(0);
  expect((await harness.session.accounts().getSettings(NAME)).requestBudget).toBeUndefined();
});

test('a refused key file is explained as a key file problem, not a user name and password', async () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await harness.session.accounts().importAccounts([
    {
      name: 'myfiber key',
      preset: 'myfiber',
      grant: 'jwt_bearer',
      tokenUrl: `${provider.url}/myfiber/oauth/v2/token`,
      issuer: provider.myfiberIssuer,
      clientAuth: 'none',
      // Never registered at the server, as a revoked key file is.
      key: { type: 'serviceaccount', keyId: 'revoked-key', key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), userId: 'user-1' },
      scopes: ['openid'],
      scopeSeparator: ' ',
      extra: {},
    },
  ]);
  await page.getByRole('button', { name: 'Accounts', exact: true }).click();
  await page.getByRole('button', { name: 'Details for myfiber key' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'myfiber key' })).toBeVisible();
  await page.getByRole('button', { name: 'Refresh', exact: true }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'invalid_grant' });
  await expect(alert).toContainText('The server did not accept the key file. It may have been revoked or have expired, or be meant for another environment');
  await expect(alert).toContainText('this computer’s clock');
  await expect(alert).not.toContainText('user name and password');
  await shoot(page, 'key-file-refused');
  await expectAccessible(page, 'refused key file');
});
