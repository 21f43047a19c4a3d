/**
 * Auto-lock in Chromium (issue 13 item 10) against the real core through the
 * browser harness: the "Lock automatically" setting saves, the vault locks
 * itself after the idle time (the harness's auto-lock runs on a hand-driven
 * clock, test/fixtures/manual-time.ts, so a minute passes at once), the
 * window shows the unlock screen and says why, and after unlocking the user
 * is back where they were; input in the window postpones the lock; the Lock
 * button locks at once.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { ManualTime } from '../fixtures/manual-time.js';
import { startHarness, type Harness } from './harness/server.js';
import { openPage } from './harness/window.js';
import { expectAccessible, shoot } from './harness/screens.js';

test.describe.configure({ mode: 'serial' });

const PASSPHRASE = 'correct horse battery staple';
const ACCOUNT = 'myfiber production';
const MINUTE = 60_000;
let time: ManualTime;
let harness: Harness;
let context: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser }) => {
  time = new ManualTime();
  harness = await startHarness({ autoLockTime: time });
  ({ context, page } = await openPage(browser));
});

test.afterAll(async () => {
  await context?.close();
  await harness?.close();
});

async function vault(): Promise<string> {
  return (await harness.session.status()).vault;
}

async function unlock(): Promise<void> {
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Open' }).click();
}

test('the setting: "Lock automatically" offers the choices, starts at 15 minutes and saves in the vault', async () => {
  await page.goto(harness.url);
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Type the passphrase again').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Create my vault' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  const text = `name = "${ACCOUNT}"\npreset = "myfiber"\nbase_url = "https://so.yio.at/myfiber"\nclient_id = "id"\nclient_secret = "not-a-real-secret"\n`;
  await page.evaluate(async (toml) => (window as unknown as { tokendesk: Record<string, (r: unknown) => Promise<unknown>> }).tokendesk['accounts:import']!({ text: toml }), text);

  await page.getByRole('button', { name: 'Settings' }).click();
  const select = page.getByLabel('Lock automatically');
  await expect(select).toHaveValue('15');
  await expect(select.locator('option')).toHaveText([
    'After 1 minute without use',
    'After 5 minutes without use',
    'After 15 minutes without use',
    'After 30 minutes without use',
    'After 1 hour without use',
    'After 4 hours without use',
    'Never (only with Lock)',
  ]);
  await expect(page.getByText('TokenDesk also locks when the screen locks and when the computer sleeps')).toBeVisible();
  await select.selectOption({ label: 'Never (only with Lock)' });
  await expect(page.getByText('Settings saved.')).toBeVisible();
  expect(harness.session.preferences().autoLockMinutes).toBe(0);
  expect(harness.autoLock.deadline).toBeUndefined();
  await select.selectOption({ label: 'After 1 minute without use' });
  await expect.poll(() => harness.session.preferences().autoLockMinutes).toBe(1);
  expect(harness.autoLock.deadline).toBe(time.now() + MINUTE);
  await shoot(page, 'settings-auto-lock');
  await expectAccessible(page, 'settings with auto-lock');
});

test('after the idle time the window shows the unlock screen and says why; after unlocking the user is back on the same account', async () => {
  await page.getByRole('button', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: ACCOUNT }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: ACCOUNT })).toBeVisible();
  // Nothing happens before the minute is over.
  time.advance(MINUTE - 1000);
  await page.waitForTimeout(200);
  expect(await vault()).toBe('unlocked');
  time.advance(1000);
  await expect(page.getByRole('heading', { level: 1, name: 'Open your vault' })).toBeVisible();
  await expect(page.getByText('TokenDesk locked itself after 1 minute without use.')).toBeVisible();
  expect(await vault()).toBe('locked');
  // The header offers no navigation and no Lock while locked.
  await expect(page.getByRole('button', { name: 'Lock' })).toHaveCount(0);
  await shoot(page, 'auto-locked');
  await expectAccessible(page, 'unlock screen after auto-lock');

  await unlock();
  await expect(page.getByRole('heading', { level: 1, name: ACCOUNT })).toBeVisible();
  await expect(page.getByText('TokenDesk locked itself')).toHaveCount(0);
  expect(await vault()).toBe('unlocked');
});

test('input in the window postpones the lock; the window’s own reloads do not', async () => {
  expect(harness.autoLock.deadline).toBe(time.now() + MINUTE);
  time.advance(50_000);
  // A key press in the window (the focus is on the page) counts as use.
  await page.keyboard.press('Shift');
  await expect.poll(() => harness.autoLock.deadline).toBe(time.now() + MINUTE);
  time.advance(50_000);
  await page.waitForTimeout(200);
  expect(await vault()).toBe('unlocked');
  // A reload the window does by itself (as on every accounts-changed event) is no use.
  await page.evaluate(async () => (window as unknown as { tokendesk: Record<string, (r: unknown) => Promise<unknown>> }).tokendesk['accounts:list']!({}));
  time.advance(10_000);
  await expect(page.getByRole('heading', { level: 1, name: 'Open your vault' })).toBeVisible();
  await unlock();
  await expect(page.getByRole('heading', { level: 1, name: ACCOUNT })).toBeVisible();
});

test('the Lock button locks at once and the unlock screen gives no idle reason', async () => {
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Open your vault' })).toBeVisible();
  expect(await vault()).toBe('locked');
  await expect(page.getByText('TokenDesk locked itself')).toHaveCount(0);
  expect(harness.autoLock.deadline).toBeUndefined();
});

test('sleep (as powerMonitor reports it to the main process) locks too, and the unlock screen says so', async () => {
  await unlock();
  // The Lock button was pressed on the account page: that is where the window opens again.
  await expect(page.getByRole('heading', { level: 1, name: ACCOUNT })).toBeVisible();
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByLabel('Lock automatically')).toHaveValue('1');
  expect(await harness.autoLock.lockNow('suspend')).toBe(true);
  await expect(page.getByText('TokenDesk locked itself when the computer went to sleep.')).toBeVisible();
  await unlock();
  // Back on the settings page it was on.
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
});
