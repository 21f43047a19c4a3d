/**
 * Layout and words, in Chromium against the real core (issue 13 items 8 and 9):
 * at the minimum window (640x480, dark) and at 1100x760 (light) nothing scrolls
 * sideways on any screen, long account names are shortened with the full name
 * on hover and for screen readers, a notice never covers a button or a field,
 * a search box filters a list of more than five accounts; the detail page and
 * the history speak in words, the decoded claims show their times as local
 * times, focus returns to the button that opened a sign-in dialog, and an
 * error that knows its fix offers it as one button.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { CLIENTS, startOidcServer, type OidcServer } from '../fixtures/oidc-server.js';
import { startProviderServer, type ProviderServer } from '../fixtures/provider-server.js';
import { startHarness, type Harness } from './harness/server.js';
import { openUnlockedWindow } from './harness/window.js';
import { expectAccessible, shoot } from './harness/screens.js';

test.describe.configure({ mode: 'serial' });

let provider: ProviderServer;
let oidc: OidcServer;
let harness: Harness;
let context: BrowserContext;
let page: Page;

const LONG_NAME = 'Müller & Söhne GmbH – Produktion Wien Nord (myfiber API, Vertrag 2024-0117, Ansprechpartnerin Dr. Eva Musterfrau-Schneeberger)';
const SMALL = { width: 640, height: 480 };
const LARGE = { width: 1100, height: 760 };

/** Imports accounts through the real `accounts:import` handler, as the Add screen does. */
async function importText(text: string): Promise<void> {
  const response = await fetch(new URL('ipc', harness.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'accounts:import', request: { text } }),
  });
  const result = (await response.json()) as { ok: boolean; error?: { message: string } };
  expect(result.ok, result.error?.message).toBe(true);
}

function myfiberAccount(name: string): string {
  const { clientId, clientSecret } = provider.clients.myfiber;
  return `[[accounts]]\nname = ${JSON.stringify(name)}\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nscopes = ["openid", "profile", "urn:zitadel:iam:org:project:id:306635992142446597:aud"]\n`;
}

async function showList(): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Accounts' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
}

async function openDetail(name: string): Promise<void> {
  await showList();
  const search = page.getByRole('searchbox', { name: 'Search accounts' });
  if (await search.count()) await search.fill('');
  await page.getByRole('button', { name: `Details for ${name}` }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

/**
 * Nothing scrolls sideways: the document, and every element that could scroll
 * (main, an open dialog, a code block), is no wider than what it shows; and
 * every control lies inside the window. A paste box may scroll (no soft wrap,
 * so its line numbers match the messages).
 */
async function expectNoSidewaysScroll(what: string): Promise<void> {
  const report = await page.evaluate(() => {
    const problems: string[] = [];
    const doc = document.scrollingElement!;
    if (doc.scrollWidth > doc.clientWidth) problems.push(`document ${doc.scrollWidth} > ${doc.clientWidth}`);
    for (const element of document.querySelectorAll<HTMLElement>('body *')) {
      if (element.tagName === 'TEXTAREA') continue;
      const overflow = getComputedStyle(element).overflowX;
      if ((overflow === 'auto' || overflow === 'scroll') && element.scrollWidth > element.clientWidth + 1) {
        problems.push(`${element.tagName.toLowerCase()}.${element.className} ${element.scrollWidth} > ${element.clientWidth}`);
      }
    }
    const width = doc.clientWidth;
    for (const control of document.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], summary')) {
      const box = control.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || control.closest('.skip, .visually-hidden')) continue;
      if (box.left < -0.5 || box.right > width + 0.5) problems.push(`${control.tagName.toLowerCase()} "${(control.textContent ?? '').trim().slice(0, 30)}" at ${Math.round(box.left)}..${Math.round(box.right)} of ${width}`);
    }
    return { problems, scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth };
  });
  expect(report.scrollWidth, `${what}: document.scrollingElement.scrollWidth`).toBeLessThanOrEqual(report.clientWidth);
  expect(report.problems, `${what}: sideways overflow`).toEqual([]);
}

/** The part of each visible control that the user can see (inside its scrolling ancestors) does not meet the notice. */
async function expectNoticeCoversNothing(what: string): Promise<void> {
  const notice = page.getByTestId('notice').locator('.notice');
  await expect(notice).toBeVisible();
  const overlaps = await page.evaluate(() => {
    type Box = { left: number; top: number; right: number; bottom: number };
    const intersect = (a: Box, b: Box): Box => ({ left: Math.max(a.left, b.left), top: Math.max(a.top, b.top), right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom) });
    const empty = (b: Box) => b.right - b.left <= 0.5 || b.bottom - b.top <= 0.5;
    const region = document.querySelector('[data-testid="notice"] .notice')!;
    const noticeBox = region.getBoundingClientRect();
    const found: string[] = [];
    for (const control of document.querySelectorAll<HTMLElement>('main button, main input, main select, main textarea, main a[href], main summary')) {
      let box: Box = control.getBoundingClientRect();
      // What the user can see of it: clipped by every scrolling or clipping ancestor and by the window.
      for (let parent = control.parentElement; parent && !empty(box); parent = parent.parentElement) {
        const style = getComputedStyle(parent);
        if (style.overflowY !== 'visible' || style.overflowX !== 'visible') box = intersect(box, parent.getBoundingClientRect());
      }
      box = intersect(box, { left: 0, top: 0, right: innerWidth, bottom: innerHeight });
      if (empty(box) || control.closest('.visually-hidden')) continue;
      if (!empty(intersect(box, noticeBox))) found.push(`${control.tagName.toLowerCase()} "${(control.getAttribute('aria-label') ?? control.textContent ?? '').trim().slice(0, 40)}"`);
    }
    return found;
  });
  expect(overlaps, `${what}: controls under the notice`).toEqual([]);
}

/** Scrolls the screen's content to its end (the document, or main when main is the scroller). */
async function scrollToEnd(): Promise<void> {
  await page.evaluate(() => {
    document.scrollingElement!.scrollTop = document.scrollingElement!.scrollHeight;
    const main = document.querySelector('main')!;
    main.scrollTop = main.scrollHeight;
  });
}

test.beforeAll(async ({ browser }) => {
  provider = await startProviderServer();
  oidc = await startOidcServer();
  harness = await startHarness();
  await harness.session.create({ passphrase: 'a long enough passphrase' });
  ({ context, page } = await openUnlockedWindow(browser, harness, { viewport: SMALL, colorScheme: 'dark' }));
});

test.afterAll(async () => {
  await context?.close();
  await harness?.close();
  await oidc?.close();
  await provider?.close();
});

test('a long name is shortened in the list and on the detail page, the full name on hover and for screen readers', async () => {
  await importText(myfiberAccount(LONG_NAME) + myfiberAccount('myfiber customer 01'));
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  // The accessible name is the full name, so a screen reader reads all of it.
  const open = page.getByRole('button', { name: `Details for ${LONG_NAME}`, exact: true });
  await expect(open).toBeVisible();
  await expect(open).toHaveAttribute('title', LONG_NAME);
  const shortened = await open.evaluate((element) => {
    const style = getComputedStyle(element);
    return { ellipsis: style.textOverflow === 'ellipsis', clipped: element.scrollWidth > element.clientWidth, height: element.getBoundingClientRect().height, lineHeight: parseFloat(style.lineHeight) };
  });
  expect(shortened.ellipsis, 'ends in an ellipsis').toBe(true);
  expect(shortened.clipped, 'is shortened').toBe(true);
  expect(shortened.height, 'one line').toBeLessThan(shortened.lineHeight * 1.6);
  await expect(page.getByRole('button', { name: `Copy token for ${LONG_NAME}`, exact: true })).toBeInViewport();
  await expectNoSidewaysScroll('list with a long name');
  await shoot(page, 'layout-long-name-list-640-dark');

  await open.click();
  const heading = page.getByRole('heading', { level: 1, name: LONG_NAME, exact: true });
  await expect(heading).toBeVisible();
  await expect(heading).toHaveAttribute('title', LONG_NAME);
  // At most two lines of the heading: the toolbar stays in the first screenful.
  const headingHeight = await heading.evaluate((element) => element.getBoundingClientRect().height / parseFloat(getComputedStyle(element).lineHeight));
  expect(headingHeight).toBeLessThan(2.5);
  await expect(page.getByRole('button', { name: 'Copy token', exact: true })).toBeInViewport();
  await expectNoSidewaysScroll('detail with a long name');
  await expectAccessible(page, 'detail with a long name at 640x480, dark');
});

test('a notice never covers a button or a field (list, detail, settings)', async () => {
  // The detail page of the long name: the copied notice is four lines long at 640 pixels.
  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText(`Your token for ${LONG_NAME} was copied.`);
  await expectNoticeCoversNothing('detail, top');
  await scrollToEnd();
  await expectNoticeCoversNothing('detail, scrolled to the end');
  await shoot(page, 'layout-notice-detail-640-dark');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await expectNoticeCoversNothing('settings, top');
  await scrollToEnd();
  await expectNoticeCoversNothing('settings, scrolled to the end');
  await expectNoSidewaysScroll('settings with a notice');

  await showList();
  await page.getByRole('button', { name: `Copy token for ${LONG_NAME}`, exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText(`Your token for ${LONG_NAME} was copied.`);
  await expectNoticeCoversNothing('list');
  // The last row stays reachable: scrolled to the end, its Copy button is above the notice.
  await scrollToEnd();
  await expectNoticeCoversNothing('list, scrolled to the end');
  const last = page.getByRole('button', { name: 'Copy token for myfiber customer 01', exact: true });
  const [lastBox, noticeBox] = [await last.boundingBox(), await page.getByTestId('notice').locator('.notice').boundingBox()];
  expect(lastBox!.y + lastBox!.height).toBeLessThanOrEqual(noticeBox!.y);
  await page.getByTestId('notice').getByRole('button', { name: 'Close' }).click();
});

test('the search box appears above five accounts and filters by name, provider and sign-in method', async () => {
  // Two accounts so far, then three more: five, no search box.
  const { clientId, clientSecret } = provider.clients.insiders;
  const { username, password } = provider.users.insiders;
  await importText(
    myfiberAccount('myfiber customer 02') +
      `[[accounts]]\nname = "insiders production"\npreset = "insiders"\nbase_url = "${provider.url}/insiders"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\n` +
      `[[accounts]]\nname = "insiders password"\ngrant = "password"\ntoken_url = "${provider.url}/insiders/oauth2/token/"\nrevoke_url = "${provider.url}/insiders/oauth2/revoke-token/"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nusername = "${username}"\npassword = "${password}"\nscopes = ["all"]\n`,
  );
  await showList();
  await expect(page.locator('tr[data-account]')).toHaveCount(5);
  await expect(page.getByRole('searchbox')).toHaveCount(0);

  await importText(myfiberAccount('myfiber customer 03'));
  await expect(page.locator('tr[data-account]')).toHaveCount(6);
  const search = page.getByRole('searchbox', { name: 'Search accounts' });
  await expect(search).toBeVisible();

  await search.fill('CUSTOMER 0');
  await expect(page.locator('tr[data-account]')).toHaveCount(3);
  await expect(page.getByRole('status').filter({ hasText: 'of 6 accounts' })).toHaveText('3 of 6 accounts shown.');
  // By provider (its label) and by sign-in method, in words.
  await search.fill('insiders');
  await expect(page.locator('tr[data-account]')).toHaveCount(2);
  await search.fill('user name and password');
  await expect(page.locator('tr[data-account]')).toHaveCount(1);
  await expect(page.locator('tr[data-account="insiders password"]')).toBeVisible();
  await search.fill('Müller');
  await expect(page.locator('tr[data-account]')).toHaveCount(1);

  await search.fill('nothing like this');
  await expect(page.locator('tr[data-account]')).toHaveCount(0);
  await expect(page.getByText('No account matches “nothing like this”.')).toBeVisible();
  await expectNoSidewaysScroll('list, nothing found');
  await expectAccessible(page, 'list, nothing found');

  // Escape clears the search and shows every account again.
  await search.press('Escape');
  await expect(search).toHaveValue('');
  await expect(page.locator('tr[data-account]')).toHaveCount(6);
  await expect(search).toBeFocused();
  await expectAccessible(page, 'list with search at 640x480, dark');
  await shoot(page, 'layout-search-640-dark');
});

test('nothing scrolls sideways on any screen at 640x480 and 1100x760, light and dark', async () => {
  for (const [size, scheme] of [
    [SMALL, 'dark'],
    [SMALL, 'light'],
    [LARGE, 'light'],
    [LARGE, 'dark'],
  ] as const) {
    await page.setViewportSize(size);
    await page.emulateMedia({ colorScheme: scheme });
    const at = `${size.width}x${size.height} ${scheme}`;

    await showList();
    await expectNoSidewaysScroll(`list ${at}`);
    await openDetail(LONG_NAME);
    await expectNoSidewaysScroll(`detail ${at}`);
    await page.getByRole('button', { name: 'Edit' }).click();
    await expectNoSidewaysScroll(`edit form ${at}`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Remove' }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await expectNoSidewaysScroll(`remove dialog ${at}`);
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Add account' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Add an account' })).toBeVisible();
    // The draft remembers the method chosen in the previous round.
    await page.getByRole('group', { name: 'How do you want to add the account?' }).getByRole('button', { name: 'Paste text' }).click();
    await page.getByLabel('Credentials text (TOML)').fill(myfiberAccount(LONG_NAME + ' 2'));
    await expect(page.locator(`[data-preview-account="${LONG_NAME} 2"]`)).toBeVisible();
    await expectNoSidewaysScroll(`add: paste ${at}`);
    for (const method of ['Open a file', 'Choose a provider', 'Look up a server']) {
      await page.getByRole('group', { name: 'How do you want to add the account?' }).getByRole('button', { name: method }).click();
      await expectNoSidewaysScroll(`add: ${method} ${at}`);
    }
    await page.getByRole('group', { name: 'How do you want to add the account?' }).getByRole('button', { name: 'Choose a provider' }).click();
    await page.getByLabel('Provider', { exact: true }).selectOption({ label: 'Netrex / Survilla Cloud' });
    await expectNoSidewaysScroll(`add: provider form ${at}`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
    // The form holds a draft: leaving asks first (the question must fit the window too).
    await expect(page.getByRole('dialog')).toBeVisible();
    await expectNoSidewaysScroll(`leave question ${at}`);
    await page.getByRole('dialog').getByRole('button', { name: 'Leave' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
    await expectNoSidewaysScroll(`settings ${at}`);
    await shoot(page, `layout-settings-${size.width}-${scheme}`);
  }
  await page.setViewportSize(SMALL);
  await page.emulateMedia({ colorScheme: 'dark' });
});

test('the detail page and the history speak in words; the claims show their times as local times', async () => {
  await openDetail(LONG_NAME);
  const settings = page.locator('dl.settings-list').last();
  await expect(settings).toContainText('Client ID and secret');
  // The history names the request in words, not as the grant's protocol name.
  const history = page.locator('table.history');
  await expect(history).toContainText('Client ID and secret');
  await expect(history).not.toContainText('client_credentials');

  // iat and exp also as local times, formatted as the rest of the window formats them.
  const claims = page.getByTestId('claims');
  await expect(claims).toContainText('"sub"');
  const text = (await claims.textContent())!;
  const iat = Number(/"iat": (\d+)/.exec(text)![1]);
  const exp = Number(/"exp": (\d+)/.exec(text)![1]);
  const [iatLocal, expLocal] = await page.evaluate(
    ([a, b]) => [a!, b!].map((s) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(s * 1000)),
    [iat, exp],
  );
  await expect(claims.locator('[data-claim-time="iat"]')).toHaveText(iatLocal!);
  await expect(claims.locator('[data-claim-time="exp"]')).toHaveText(expLocal!);
  await expect(claims.locator('[data-claim-time="sub"]')).toHaveCount(0);
  await expectNoSidewaysScroll('detail with claims');

  // Refresh with the refresh token (insiders) and revocation are words too.
  await openDetail('insiders password');
  await expect(page.locator('dl.settings-list').last()).toContainText('User name and password');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page.locator('table.history tbody tr')).toHaveCount(1);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page.locator('table.history tbody tr')).toHaveCount(2);
  await page.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await expect(page.locator('table.history tbody tr')).toHaveCount(3);
  const rows = page.locator('table.history tbody tr td:nth-child(2)');
  await expect(rows).toHaveText(['Revocation of the token', 'New token with the refresh token', 'User name and password']);
  await expect(page.locator('table.history')).not.toContainText('refresh_token');
  await expectAccessible(page, 'detail with history in words');
  await shoot(page, 'layout-history-words-640-dark');
});

test('focus returns to the button that opened the sign-in dialog when it is cancelled', async () => {
  await openDetail('insiders production');
  await expect(page.locator('dl.settings-list').last()).toContainText('Sign-in in the browser');
  harness.setBrowserCompletes(false);
  const copy = page.getByRole('button', { name: 'Copy token', exact: true });
  await copy.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Sign in with your browser' });
  await expect(dialog).toBeVisible();
  await expectNoSidewaysScroll('authorization dialog');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(copy).toBeFocused();

  // The same with the Cancel button, from Refresh.
  const refresh = page.getByRole('button', { name: 'Refresh' });
  await refresh.click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel sign-in' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(refresh).toBeFocused();
  harness.setBrowserCompletes(true);

  // The device-code dialog, opened from the list.
  await importText(
    `[[accounts]]\nname = "device login"\ngrant = "device_code"\ntoken_url = "${oidc.tokenEndpoint}"\ndevice_authorization_url = "${oidc.deviceAuthorizationEndpoint}"\nclient_id = "${CLIENTS.public.clientId}"\nclient_auth = "none"\nscopes = ["openid"]\n`,
  );
  await showList();
  const copyDevice = page.getByRole('button', { name: 'Copy token for device login', exact: true });
  await copyDevice.click();
  const device = page.getByRole('dialog', { name: 'Enter this code on another device' });
  await expect(device).toBeVisible();
  await expectNoSidewaysScroll('device code dialog');
  await expectAccessible(page, 'device code dialog at 640x480, dark');
  await device.getByRole('button', { name: 'Cancel' }).click();
  await expect(device).toHaveCount(0);
  await expect(copyDevice).toBeFocused();
  await expect(page.getByText('Sign-in in the browser')).toHaveCount(0);
});

/** An account whose token URL lacks the trailing slash the Insiders server insists on. */
async function addNoSlash(name: string): Promise<void> {
  const { clientId, clientSecret } = provider.clients.insiders;
  const { username, password } = provider.users.insiders;
  await importText(
    `[[accounts]]\nname = "${name}"\ngrant = "password"\ntoken_url = "${provider.url}/insiders/oauth2/token"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nusername = "${username}"\npassword = "${password}"\nscopes = ["all"]\n`,
  );
}

async function useFixAndRetry(name: string): Promise<void> {
  await openDetail(name);
  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('HTTP 301');
  const fixed = `${provider.url}/insiders/oauth2/token/`;
  const fix = alert.getByRole('button', { name: `Use ${fixed} instead` });
  await expect(fix).toBeVisible();
  await expectNoSidewaysScroll('error with a fix');
  await expectAccessible(page, 'error with a fix');
  await shoot(page, 'layout-fix-button-640-dark');
  await fix.click();
  // The token URL was changed, then the action retried: the token is on the clipboard.
  await expect(page.getByTestId('notice')).toContainText(`Your token for ${name} was copied.`, { timeout: 15_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.locator('dl.settings-list').last()).toContainText(fixed);
  const clip = (await (await fetch(new URL('__test/clipboard', harness.url))).json()) as { text: string };
  expect(provider.isAccessTokenActive('insiders', clip.text)).toBe(true);
}

test('a token URL without its trailing slash: the error offers the fix as one button, which changes the account and tries again', async () => {
  await addNoSlash('insiders noslash 2');
  await useFixAndRetry('insiders noslash 2');
});
