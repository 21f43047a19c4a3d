/**
 * Issue 13 items 1, 3 and 9 in Chromium against the real core: what vendors
 * and mail programs hand over is recognised. myfiber's text exactly as its
 * document describes it (its real so.yio.at address, which
 * test/fixtures/seed-hosts.ts resolves to the fixture server's body-only
 * myfiber route) becomes a myfiber account whose Copy works; curly quotes and
 * "Label: value" lines import; a full token address typed as the Netrex
 * provider address does not double the path.
 *
 * The preview's `notes` are read from the accounts:preview answer the window
 * received (the Add screen's rendering of them is helper B's part of item 3).
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startProviderServer, type ProviderServer } from '../fixtures/provider-server.js';
import { seedHostsFetch } from '../fixtures/seed-hosts.js';
import { startHarness, type Harness } from './harness/server.js';
import { openUnlockedWindow } from './harness/window.js';
import { shoot } from './harness/screens.js';

test.describe.configure({ mode: 'serial' });

let provider: ProviderServer;
let harness: Harness;
let context: BrowserContext;
let page: Page;

const MYFIBER_SCOPES = 'openid profile urn:zitadel:iam:org:project:id:306635992142446597:aud';

interface PreviewAnswer {
  ok: boolean;
  value?: { accounts: { name: string; preset?: string }[]; problems: unknown[]; notes: string[] };
}

async function clipboard(): Promise<string> {
  const response = await fetch(new URL('__test/clipboard', harness.url));
  return ((await response.json()) as { text: string }).text;
}

/** Waits for the window's next accounts:preview answer. */
function nextPreview(): Promise<PreviewAnswer> {
  return page
    .waitForResponse((response) => response.url().endsWith('/ipc') && (response.request().postData() ?? '').includes('"accounts:preview"'))
    .then(async (response) => (await response.json()) as PreviewAnswer);
}

async function paste(text: string): Promise<PreviewAnswer> {
  await page.getByRole('button', { name: 'Add account' }).click();
  const answer = nextPreview();
  await page.getByLabel('Credentials text (TOML)').fill(text);
  return answer;
}

/** Saves, presses Copy token, and waits for a NEW token from the fixture's myfiber route on the clipboard. */
async function saveAndCopy(name: string): Promise<void> {
  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const previous = await clipboard();
  const before = provider.requests.length;
  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  await expect.poll(async () => clipboard(), { timeout: 10_000 }).not.toBe(previous);
  expect((await clipboard()).split('.')).toHaveLength(3);
  expect(provider.requests.slice(before).filter((r) => r.path === '/myfiber/oauth/v2/token')).toHaveLength(1);
}

test.beforeAll(async ({ browser }) => {
  provider = await startProviderServer();
  harness = await startHarness({ wrapFetch: (base) => seedHostsFetch(provider, base) });
  await harness.session.create({ passphrase: 'a long enough passphrase' });
  ({ context, page } = await openUnlockedWindow(browser, harness));
});

test.afterAll(async () => {
  await context?.close();
  await harness?.close();
  await provider?.close();
});

test('myfiber’s text as its document describes it is a myfiber account, and Copy works', async () => {
  const { clientId, clientSecret } = provider.clients.myfiber;
  const answer = await paste(
    `client_id = "${clientId}"\nclient_secret = "${clientSecret}"\nurl_to_authentication_service = "https://so.yio.at/oauth/v2/token"\nscopes = "${MYFIBER_SCOPES}"\n`,
  );
  expect(answer.value?.notes).toEqual(['The provider was recognised from the token address: myfiber.']);
  const preview = page.locator('[data-preview-account="myfiber"]');
  await expect(preview).toBeVisible();
  await expect(preview.getByRole('definition').nth(1)).toHaveText('myfiber');
  await shoot(page, 'import-recognised-myfiber');
  const before = provider.requests.length;
  await saveAndCopy('myfiber');
  const sent = provider.requests.slice(before).filter((r) => r.path === '/myfiber/oauth/v2/token');
  expect(sent.at(-1)?.headers.authorization).toBeUndefined();
  expect(sent.at(-1)?.form.client_secret).toBe(clientSecret);
});

test('a text with curly quotes and non-breaking spaces from a mail program imports, with the note', async () => {
  const { clientId, clientSecret } = provider.clients.myfiber;
  const answer = await paste(
    `name = “curly”\nclient_id\u00A0= “${clientId}”\nclient_secret = “${clientSecret}”\nurl_to_authentication_service = “https://so.yio.at/oauth/v2/token”\n`,
  );
  expect(answer.value?.problems).toEqual([]);
  expect(answer.value?.notes).toEqual([
    'Curly quotes from the mail program were straightened.',
    'Non-breaking spaces were replaced by spaces.',
    'The provider was recognised from the token address: myfiber.',
  ]);
  await expect(page.locator('[data-preview-account="curly"]')).toBeVisible();
  await saveAndCopy('curly');
});

test('“Client ID: …” lines are read as settings', async () => {
  const { clientId, clientSecret } = provider.clients.myfiber;
  const answer = await paste(`Name: from the mail\nClient ID: ${clientId}\nClient Secret: ${clientSecret}\nToken URL: https://so.yio.at/oauth/v2/token\n`);
  expect(answer.value?.notes).toContain('The text was in “Client ID: …” lines and was read as settings.');
  const preview = page.locator('[data-preview-account="from the mail"]');
  await expect(preview).toBeVisible();
  await expect(preview.getByRole('definition').nth(1)).toHaveText('myfiber');
  await saveAndCopy('from the mail');
});

test('a line that is no known label points to “Choose a provider”, not to TOML', async () => {
  await paste('Client ID: abc\nTenant: 42\n');
  const problems = page.getByRole('alert').filter({ hasText: 'Problems to fix before saving' });
  await expect(problems).toContainText('Choose a provider');
  await expect(problems).not.toContainText('TOML');
});

test('a full token address typed as the Netrex provider address is not doubled', async () => {
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByRole('button', { name: 'Choose a provider', exact: true }).click();
  await page.getByLabel('Provider', { exact: true }).selectOption('netrex');
  const answer = nextPreview();
  await page.getByLabel('Provider address').fill(`${provider.url}/netrex/oauth2/token`);
  await page.getByLabel('Client ID').fill(provider.clients.netrex.clientId);
  await page.getByLabel('Client secret').fill(provider.clients.netrex.clientSecret!);
  await answer;
  const preview = page.locator('[data-preview-account="Netrex / Survilla Cloud"]');
  await expect(preview).toContainText(`${provider.url}/netrex/oauth2/token`);
  await expect(preview).toContainText(`${provider.url}/netrex/oauth2/auth/`);
  await expect(preview).not.toContainText('/oauth2/token/oauth2/token');
  const final = await page.evaluate(async (text) => {
    const response = await fetch('./ipc', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'accounts:preview', request: { text } }) });
    return ((await response.json()) as PreviewAnswer).value?.notes;
  }, `preset = "netrex"\nbase_url = "${provider.url}/netrex/oauth2/token"\nclient_id = "c"\nclient_secret = "s"\n`);
  expect(final).toEqual([`The provider address was the full address of an endpoint; TokenDesk uses ${provider.url}/netrex as the provider address.`]);
  await shoot(page, 'import-netrex-full-address');
});
