/**
 * RFC 8707 `resource` and `audience` in the renderer (Debian Chromium, real
 * core through the harness, the fixture authorization server): pasted TOML
 * shows both resources and the audience in the preview, the saved account's
 * detail page shows them, the token request carries them, and the edit
 * form changes them.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startProviderServer, type ProviderServer } from '../fixtures/provider-server.js';
import { startHarness, type Harness } from './harness/server.js';
import { openPage } from './harness/window.js';
import { expectAccessible } from './harness/screens.js';

test.describe.configure({ mode: 'serial' });

const RESOURCES = ['https://api.example/a', 'https://api.example/b'];
let provider: ProviderServer;
let harness: Harness;
let context: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser }) => {
  provider = await startProviderServer();
  harness = await startHarness();
  ({ context, page } = await openPage(browser, { viewport: { width: 1100, height: 900 } }));
});

test.afterAll(async () => {
  await context?.close();
  await harness?.close();
  await provider?.close();
});

/** The last token request's form as the fixture server received it. */
function lastTokenForm(): URLSearchParams {
  return new URLSearchParams(provider.requestsTo('/myfiber/oauth/v2/token').at(-1)!.body);
}

test('pasted resources and audience show in the preview, then on the detail page, and go with the token request', async () => {
  await page.goto(harness.url);
  await page.getByLabel('Passphrase', { exact: true }).fill('correct horse battery staple');
  await page.getByLabel('Type the passphrase again').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create my vault' }).click();
  await page.getByRole('button', { name: 'Add your first account' }).click();

  const toml =
    'name = "orders api"\npreset = "myfiber"\n' +
    `base_url = "${provider.url}/myfiber"\nclient_id = "${provider.clients.myfiber.clientId}"\nclient_secret = "${provider.clients.myfiber.clientSecret}"\n` +
    `resource = ["${RESOURCES[0]}", "${RESOURCES[1]}"]\naudience = "orders-api"\n`;
  await page.getByLabel('Credentials text (TOML)').fill(toml);
  const preview = page.locator('[data-preview-account="orders api"]');
  await expect(preview.locator('[data-field="resource"] .line')).toHaveText(RESOURCES);
  await expect(preview.locator('[data-field="audience"]')).toHaveText('orders-api');
  await expect(preview.locator('dt', { hasText: 'Resources (APIs)' })).toBeVisible();
  await expectAccessible(page, 'add account preview with resources');

  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'orders api' })).toBeVisible();
  await expect(page.locator('[data-field="resource"] .line')).toHaveText(RESOURCES);
  await expect(page.locator('[data-field="audience"]')).toHaveText('orders-api');

  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText('Your token for orders api was copied.');
  expect(lastTokenForm().getAll('resource')).toEqual(RESOURCES);
  expect(lastTokenForm().getAll('audience')).toEqual(['orders-api']);
});

test('the edit form changes the resources and the audience', async () => {
  await page.getByRole('button', { name: 'Edit' }).click();
  await expect(page.getByLabel('Resources (APIs)')).toHaveValue(RESOURCES.join('\n'));
  await expect(page.getByLabel('Audience')).toHaveValue('orders-api');
  await expectAccessible(page, 'edit account with resources');
  await page.getByLabel('Resources (APIs)').fill('https://api.example/c');
  await page.getByLabel('Audience').fill('billing-api');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.locator('[data-field="resource"] .line')).toHaveText(['https://api.example/c']);
  await expect(page.locator('[data-field="audience"]')).toHaveText('billing-api');

  // The token issued for the old target is gone: the next copy asks for one for the new target.
  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText('Your token for orders api was copied.');
  expect(provider.requestsTo('/myfiber/oauth/v2/token')).toHaveLength(2);
  expect(lastTokenForm().getAll('resource')).toEqual(['https://api.example/c']);
  expect(lastTokenForm().getAll('audience')).toEqual(['billing-api']);
});
