/**
 * The actions on the account list and the detail page, in Chromium against
 * the real core and the fixture server (issue 13, items 4, 5 and 7):
 * no stale or contradictory messages, progress with the elapsed time and a
 * Cancel (and Escape) on every network action while other accounts stay
 * usable, and the request budget asked about and shown in local time.
 */
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
const PASSPHRASE = 'a long enough passphrase';
/** Far from UTC, so a UTC time on screen could not pass for a local one. */
const TIME_ZONE = 'Pacific/Auckland';
/** Longer than any wait below: an answer that comes at all came because Cancel did nothing. */
const SLOW_MS = 30_000;

const notice = () => page.getByTestId('notice');

async function addByPaste(toml: string, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Add account' }).first().click();
  await page.getByLabel('Credentials text (TOML)').fill(toml);
  await expect(page.locator(`[data-preview-account="${name}"]`)).toBeVisible();
  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

function myfiber(name: string, secret: string): string {
  return `name = "${name}"\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${provider.clients.myfiber.clientId}"\nclient_secret = "${secret}"\n`;
}

function myfox(name: string, budget = ''): string {
  const { clientId, clientSecret } = provider.clients.myfox;
  const { username, password } = provider.users.myfox;
  return `name = "${name}"\npreset = "myfox"\nbase_url = "${provider.url}/myfox"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nusername = "${username}"\npassword = "${password}"\n${budget}`;
}

test.beforeAll(async ({ browser }) => {
  provider = await startProviderServer();
  harness = await startHarness();
  await harness.session.create({ passphrase: PASSPHRASE });
  ({ context, page } = await openUnlockedWindow(browser, harness, { timezoneId: TIME_ZONE, locale: 'en-US' }));
});

test.afterAll(async () => {
  await context?.close();
  await harness?.close();
  await provider?.close();
});

test('an error disappears once an edit fixed its cause', async () => {
  await addByPaste(myfiber('fiber wrong', 'wrong-secret-1234'), 'fiber wrong');
  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('invalid_client');
  // The notice does not repeat the error box, but it replaces whatever it said before.
  await expect(notice()).toContainText('That did not work for “fiber wrong”. What happened and what to do is shown on the page.');

  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Client secret').fill(provider.clients.myfiber.clientSecret!);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(notice()).toContainText('Changes saved.');
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect((await harness.session.accounts().list()).find((a) => a.name === 'fiber wrong')).not.toHaveProperty('lastError');
  await shoot(page, 'actions-error-gone-after-edit');

  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  await expect(notice()).toContainText('Your token for fiber wrong was copied.');
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('a failure that arrives after the user moved on is told where the user is', async () => {
  await addByPaste(
    `name = "slow refusal"\ngrant = "client_credentials"\ntoken_url = "${provider.url}/hostile/delay?ms=1500&error=invalid_client"\nclient_id = "a"\nclient_secret = "b"\n`,
    'slow refusal',
  );
  await page.getByRole('navigation').getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'Copy token for slow refusal', exact: true }).click();
  await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await expect(notice()).toContainText('“slow refusal”: The server refused the credentials: invalid_client', { timeout: 10_000 });
  await expect(notice().locator('[data-tone="error"]')).toBeVisible();
});

test('saving a name that exists never says “saved”', async () => {
  await addByPaste(myfiber('fiber twice', provider.clients.myfiber.clientSecret!), 'fiber twice');
  await expect(notice()).toContainText('was saved');
  // The same text again, at once: whatever the add screen says about the name, no notice claims it was saved.
  await page.getByRole('navigation').getByRole('button', { name: 'Add account' }).click();
  const before = (await harness.session.accounts().list()).length;
  await page.getByLabel('Credentials text (TOML)').fill(myfiber('fiber twice', provider.clients.myfiber.clientSecret!));
  await expect(page.locator('[data-preview-account="fiber twice"]')).toBeVisible();
  await expect(notice()).not.toContainText('saved');
  const save = page.getByRole('button', { name: 'Save this account' });
  if (await save.isEnabled()) await save.click();
  await expect(page.getByText('already exists').first()).toBeVisible();
  await expect(notice()).not.toContainText('saved');
  await shoot(page, 'actions-duplicate-not-saved');
  expect((await harness.session.accounts().list()).length).toBe(before);
});

test('Refresh with a budget and a valid token asks first, with the numbers; the budget left is at the top', async () => {
  await addByPaste(myfox('myfox home'), 'myfox home');
  await expect(page.getByTestId('budget-left')).toHaveText('20 of 20 token requests left today');
  // No token yet: nothing to keep, so no question.
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(notice()).toContainText('A new token was obtained.');
  await expect(page.getByTestId('budget-left')).toHaveText('19 of 20 token requests left today');

  const sent = provider.requestsTo('/myfox/oauth2/token').length;
  await page.getByRole('button', { name: 'Refresh' }).click();
  const question = page.getByRole('dialog');
  await expect(question).toHaveText(/This token is valid for 59 more minutes\. Myfox allows 20 tokens a day; 19 are left\. Get a new one anyway\?/);
  await shoot(page, 'actions-budget-question');
  await expectAccessible(page, 'refresh budget question');
  await question.getByRole('button', { name: 'Cancel' }).click();
  await expect(question).toHaveCount(0);
  expect(provider.requestsTo('/myfox/oauth2/token').length).toBe(sent);

  await page.getByRole('button', { name: 'Refresh' }).click();
  await question.getByRole('button', { name: 'Get a new token' }).click();
  await expect(page.getByTestId('budget-left')).toHaveText('18 of 20 token requests left today');
  await expect(notice()).toContainText('A new token was obtained.');
  expect(provider.requestsTo('/myfox/oauth2/token').length).toBe(sent + 1);
});

test('a Refresh the budget blocks never says a new token was obtained; when the next is possible is shown in local time', async () => {
  await addByPaste(myfox('myfox tight', 'request_budget = { max_requests = 2, window_seconds = 86400 }\n'), 'myfox tight');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(notice()).toContainText('A new token was obtained.');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Get a new token' }).click();
  // (The last request the budget allows also brings its warning, as a notice of its own.)
  await expect(page.getByTestId('budget-left')).toContainText('0 of 2 token requests left today');
  // The third one, at once, while the last notice would still be up.
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page.getByRole('dialog')).toContainText('0 are left');
  await page.getByRole('dialog').getByRole('button', { name: 'Get a new token' }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('has used its 2 token requests for the last 24 hours');
  // The message says what to do (wait, or raise the limit); no advice about a text the user never typed.
  await expect(alert).not.toContainText('Fix the text');
  await expect(notice()).not.toContainText('A new token was obtained');
  await expect(notice()).toContainText('That did not work for “myfox tight”.');
  // No UTC clock time anywhere; the moment the next request is possible, in the computer's own time.
  await expect(alert).not.toContainText(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
  const budget = (await harness.session.accounts().budget('myfox tight'))!;
  expect(budget.nextAt).toBeDefined();
  const local = await page.evaluate((at) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(at), budget.nextAt!);
  const utc = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(budget.nextAt!);
  expect(local).not.toBe(utc);
  await expect(page.getByTestId('budget-left')).toHaveText(`0 of 2 token requests left today. The next one is possible on ${local}.`);
  await shoot(page, 'actions-budget-used-up');
});

test('a slow call shows what it does, for how long, and Cancel stops it; another account’s Copy works meanwhile', async () => {
  await addByPaste(myfiber('fiber quick', provider.clients.myfiber.clientSecret!), 'fiber quick');
  await addByPaste(
    `name = "slow"\ngrant = "client_credentials"\ntoken_url = "${provider.url}/hostile/delay?ms=${SLOW_MS}"\nclient_id = "a"\nclient_secret = "b"\n`,
    'slow',
  );
  const { abandoned } = provider.hostile.delay;
  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  const progress = page.locator('[data-progress="copy"][data-account="slow"]');
  await expect(progress).toContainText('Getting a token…');
  await expect(progress.getByTestId('elapsed')).toHaveText('2 s', { timeout: 5000 });
  await expect(progress.getByRole('button', { name: 'Cancel' })).toBeVisible();
  await shoot(page, 'actions-slow-progress');
  await expectAccessible(page, 'slow call in progress');

  // The list shows the same call under way, and every other account works.
  await page.getByRole('navigation').getByRole('button', { name: 'Accounts' }).click();
  const row = page.locator('[data-account="slow"]');
  await expect(row.locator('[data-progress="copy"]')).toBeVisible();
  await page.getByRole('button', { name: 'Copy token for fiber quick', exact: true }).click();
  await expect(notice()).toContainText('Your token for fiber quick was copied.');
  await expect(row.locator('[data-progress="copy"]')).toBeVisible();
  await shoot(page, 'actions-slow-list');

  // The detail page opened meanwhile shows it too, with its Cancel.
  await page.getByRole('button', { name: 'Details for slow', exact: true }).click();
  await expect(progress).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(notice()).toContainText('Cancelled. Nothing was changed for “slow”.');
  await expect(progress).toHaveCount(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect.poll(() => provider.hostile.delay.abandoned).toBeGreaterThan(abandoned);
  await expect(page.getByText('No token yet. Press Copy token or Refresh to get one.')).toBeVisible();
  await expect(page.getByText('Cancelled by you')).toBeVisible();

  // Cancel from the list's row, by its button.
  await page.getByRole('navigation').getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'Copy token for slow', exact: true }).click();
  await row.getByRole('button', { name: 'Cancel what runs for slow' }).click();
  await expect(notice()).toContainText('Cancelled. Nothing was changed for “slow”.');
  await expect(row.getByRole('button', { name: 'Copy token for slow', exact: true })).toBeVisible();
});

test('Test API call and Revoke show their progress and can be cancelled too', async () => {
  await addByPaste(
    `name = "slow api"\ngrant = "static"\naccess_token = "pat-slow-api"\napi_url = "${provider.url}/hostile/delay?ms=${SLOW_MS}"\n`,
    'slow api',
  );
  await page.getByRole('button', { name: 'Test API call' }).click();
  const progress = page.locator('[data-progress="test"]');
  await expect(progress).toContainText('Calling the API…');
  await page.keyboard.press('Escape');
  await expect(notice()).toContainText('Cancelled. Nothing was changed for “slow api”.');
  await expect(progress).toHaveCount(0);

  const { clientId, clientSecret } = provider.clients.myfiber;
  await addByPaste(
    `name = "slow revoke"\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nrevoke_url = "${provider.url}/hostile/delay?ms=${SLOW_MS}"\n`,
    'slow revoke',
  );
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(notice()).toContainText('A new token was obtained.');
  await page.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  const revoking = page.locator('[data-progress="revoke"]');
  await expect(revoking).toContainText('Revoking the token…');
  await revoking.getByRole('button', { name: 'Cancel' }).click();
  await expect(notice()).toContainText('Cancelled. Nothing was changed for “slow revoke”.');
  // Nothing was forgotten: the token is still there.
  await expect(page.getByText('No token yet.')).toHaveCount(0);
  expect(await harness.session.accounts().cachedToken('slow revoke')).toBeDefined();
});
