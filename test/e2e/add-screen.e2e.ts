/**
 * The Add account screen and the passphrase fields in Debian Chromium, against
 * the real core through the browser harness (issue 13 items 2, 3, 6 and 9):
 * a paste survives leaving the screen and leaving asks first; the provider
 * forms speak of their own fields, only after Save; the paste box numbers its
 * lines like the problems do; the preview's name field flags a taken name with
 * a free one; the passphrase fields show their strength and can be shown.
 */
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { startProviderServer, type ProviderServer } from '../fixtures/provider-server.js';
import { startHarness, type Harness } from './harness/server.js';
import { openPage } from './harness/window.js';
import { expectAccessible, shoot } from './harness/screens.js';

test.describe.configure({ mode: 'serial' });

let provider: ProviderServer;
let harness: Harness;
let context: BrowserContext;
let page: Page;
const PASSPHRASE = 'lantern orbit pepper glacier';
const WEAK = 'password1';

function myfiberToml(name: string): string {
  return (
    `name = "${name}"\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\n` +
    `client_id = "${provider.clients.myfiber.clientId}"\nclient_secret = "${provider.clients.myfiber.clientSecret!}"\n`
  );
}

const pasteBox = (): Locator => page.getByLabel('Credentials text (TOML)');
const nav = (name: string): Locator => page.getByRole('navigation').getByRole('button', { name });

test.beforeAll(async ({ browser }) => {
  provider = await startProviderServer();
  harness = await startHarness();
  ({ context, page } = await openPage(browser));
});

test.afterAll(async () => {
  await context?.close();
  await harness?.close();
  await provider?.close();
});

test('first run: the passphrase shows its strength by the main process’s rule, and Show reveals it', async () => {
  await page.goto(harness.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome to TokenDesk' })).toBeVisible();
  const field = page.getByLabel('Passphrase', { exact: true });
  await expect(page.locator('meter')).toHaveCount(0);

  await field.fill(WEAK);
  const strength = page.locator('.strength');
  await expect(strength).toHaveAttribute('data-acceptable', 'false');
  await expect(strength).toContainText('This passphrase is too weak: this is a commonly used passphrase.');
  // The feedback describes the field for screen readers, and never quotes the passphrase.
  await expect(field).toHaveAccessibleDescription(/too weak/);
  await expect(strength).not.toContainText(WEAK);
  const score = Number(await page.locator('meter').getAttribute('value'));
  expect(score).toBeLessThan(4);

  await expect(field).toHaveAttribute('type', 'password');
  await page.getByRole('button', { name: 'Show Passphrase', exact: true }).click();
  await expect(field).toHaveAttribute('type', 'text');
  await expect(field).toHaveValue(WEAK);
  await shoot(page, 'first-run-weak-passphrase');
  await expectAccessible(page, 'first run with a weak passphrase');
  await page.getByRole('button', { name: 'Hide Passphrase', exact: true }).click();
  await expect(field).toHaveAttribute('type', 'password');

  await field.fill(PASSPHRASE);
  await expect(strength).toHaveAttribute('data-acceptable', 'true');
  await expect(strength).toContainText('Strength: strong enough');
  await expect(page.locator('meter')).toHaveAttribute('value', '4');
  // The confirmation can be shown too, and has no meter of its own.
  const confirm = page.getByLabel('Type the passphrase again');
  await confirm.fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Show Type the passphrase again' }).click();
  await expect(confirm).toHaveAttribute('type', 'text');
  await expect(page.locator('meter')).toHaveCount(1);
  await page.getByRole('button', { name: 'Create my vault' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
});

test('a paste survives leaving the screen; leaving asks first, Stay keeps the user where they were', async () => {
  const text = myfiberToml('myfiber production');
  await nav('Add account').click();
  await pasteBox().fill(text);
  await expect(page.locator('[data-preview-account="myfiber production"]')).toBeVisible();

  await nav('Accounts').click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Leave without saving? The text from a single-use link cannot be fetched again.');
  await shoot(page, 'add-account-leave-question');
  await expectAccessible(page, 'leave without saving');
  await dialog.getByRole('button', { name: 'Stay' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1, name: 'Add an account' })).toBeVisible();
  await expect(pasteBox()).toHaveValue(text);

  await nav('Settings').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Leave' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await nav('Add account').click();
  await expect(pasteBox()).toHaveValue(text);
  await expect(page.locator('[data-preview-account="myfiber production"]')).toBeVisible();

  // The provider form's values and the chosen method survive too, alongside the paste.
  await page.getByRole('button', { name: 'Choose a provider' }).click();
  await page.getByLabel('Provider', { exact: true }).selectOption('vyopta');
  await page.getByLabel('User name').fill('jane@vyopta.example');
  await nav('Accounts').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Leave' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  await nav('Add account').click();
  await expect(page.getByRole('button', { name: 'Choose a provider' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByLabel('Provider', { exact: true })).toHaveValue('vyopta');
  await expect(page.getByLabel('User name')).toHaveValue('jane@vyopta.example');
  await page.getByRole('button', { name: 'Paste text' }).click();
  await expect(pasteBox()).toHaveValue(text);

  // Saved: nothing is left to lose, so leaving asks nothing and the next Add account starts empty.
  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'myfiber production' })).toBeVisible();
  await nav('Add account').click();
  await expect(pasteBox()).toHaveValue('');
  await nav('Accounts').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);
});

test('locking forgets the draft: it holds secrets', async () => {
  await nav('Add account').click();
  await pasteBox().fill(myfiberToml('not kept'));
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Open your vault' })).toBeVisible();
  // Unlock: the passphrase can be shown while it is typed; no meter, nothing is being set.
  const field = page.getByLabel('Passphrase', { exact: true });
  await field.fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Show Passphrase', exact: true }).click();
  await expect(field).toHaveAttribute('type', 'text');
  await expect(page.locator('meter')).toHaveCount(0);
  await expectAccessible(page, 'unlock with the passphrase shown');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  // Unlocking returns to the screen the lock interrupted (auto-lock), with the draft gone.
  await expect(page.getByRole('heading', { level: 1, name: 'Add an account' })).toBeVisible();
  await expect(pasteBox()).toHaveValue('');
});

test('a provider form speaks of its own fields, in words, only after Save', async () => {
  await nav('Add account').click();
  await page.getByRole('button', { name: 'Choose a provider' }).click();
  await page.getByLabel('Provider', { exact: true }).selectOption('vyopta');
  const user = page.getByLabel('User name');
  const password = page.getByLabel('Password', { exact: true });
  await expect(user).toHaveValue('');
  // Before Save: no problem anywhere, however empty the form is (once the importer has seen the form).
  await expect(page.locator('section.preview')).toHaveAttribute('data-previewed', 'true');
  await expect(page.locator('.preview')).not.toContainText('Problems to fix');
  await expect(page.locator('.field-problem')).toHaveCount(0);
  await expect(user).not.toHaveAttribute('aria-invalid', 'true');

  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(user).toHaveAccessibleDescription('Enter your Vyopta user name.');
  await expect(password).toHaveAccessibleDescription('Enter your Vyopta password.');
  await expect(user).toHaveAttribute('aria-invalid', 'true');
  await expect(user).toBeFocused();
  const screen = page.locator('main');
  await expect(screen).not.toContainText('form.toml');
  await expect(screen).not.toContainText(/line \d+, column \d+/);
  await expect(screen).not.toContainText('client_auth');
  await expect(screen).not.toContainText('grant needs');
  await shoot(page, 'add-account-form-problems');
  await expectAccessible(page, 'provider form with problems');
  // Nothing was stored.
  expect((await harness.session.accounts().list()).map((account) => account.name)).toEqual(['myfiber production']);

  // Fixing a field takes its message away; the other stays until it is fixed too.
  await user.fill(provider.users.vyopta.username);
  await expect(page.getByText('Enter your Vyopta user name.')).toHaveCount(0);
  await expect(password).toHaveAccessibleDescription('Enter your Vyopta password.');
  await password.fill(provider.users.vyopta.password);
  await expect(page.locator('.field-problem')).toHaveCount(0);

  // A taken name is said next to the name field, with the free one.
  await page.getByLabel('Account name').fill('myfiber production');
  await expect(page.getByLabel('Account name')).toHaveAccessibleDescription(/An account named “myfiber production” already exists\. Use “myfiber production \(2\)”/);
  await page.getByLabel('Account name').fill('Vyopta');
  await page.getByText('Advanced').click();
  await page.getByLabel('Provider address').fill(`${provider.url}/vyopta`);
  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Vyopta' })).toBeVisible();
  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText('Your token for Vyopta was copied.');
});

test('the server look-up form too: Save says what is missing next to the field, in words', async () => {
  await nav('Add account').click();
  await page.getByRole('button', { name: 'Look up a server' }).click();
  const issuer = page.getByLabel('Server address (issuer)');
  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(issuer).toHaveAccessibleDescription(/^Enter the server address and press Look up\./);
  await expect(issuer).toBeFocused();
  await issuer.fill(`${provider.url}/myfiber`);
  await page.getByRole('button', { name: 'Look up', exact: true }).click();
  await expect(page.getByText('Found these endpoints:')).toBeVisible();
  await page.getByLabel('Account name').fill('');
  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(page.getByLabel('Account name')).toHaveAccessibleDescription(/^Enter a name for this account\./);
  await expect(page.getByLabel('Client ID')).toHaveAccessibleDescription('Enter the client ID your vendor gave you.');
  await expect(page.locator('main')).not.toContainText('discovered.toml');
  await expectAccessible(page, 'server look-up form with problems');
});

test('the paste box numbers its lines like the problems do, does not wrap, and a problem puts the cursor on its line', async () => {
  await nav('Add account').click();
  await page.getByRole('button', { name: 'Paste text' }).click();
  const lines = [
    '# myfiber credentials',
    'name = "numbered"',
    'preset = "myfiber"',
    `base_url = "${provider.url}/myfiber"`,
    `client_id = "${provider.clients.myfiber.clientId}"`,
    `# ${'a comment far wider than the box, as mail programs quote them '.repeat(4)}`,
  ];
  for (let i = lines.length; i < 24; i++) lines.push(`# note ${i + 1}`);
  lines.push('client_secret = "unterminated');
  for (let i = lines.length; i < 30; i++) lines.push(`# more ${i + 1}`);
  await pasteBox().fill(lines.join('\n') + '\n');

  const problem = page.locator('.problems li[data-line="25"]');
  await expect(problem).toContainText(/line 25/i);
  const gutter = page.getByTestId('line-numbers');
  await expect(gutter.locator('span')).toHaveCount(31);
  await expect(pasteBox()).toHaveAttribute('wrap', 'off');
  // The long line scrolls inside the box; the page itself never scrolls sideways.
  const widths = await pasteBox().evaluate((box) => ({ scroll: box.scrollWidth, client: box.clientWidth, page: document.documentElement.scrollWidth, window: window.innerWidth }));
  expect(widths.scroll).toBeGreaterThan(widths.client);
  expect(widths.page).toBeLessThanOrEqual(widths.window);

  await problem.getByRole('button').click();
  await expect(pasteBox()).toBeFocused();
  const cursor = await pasteBox().evaluate((box: HTMLTextAreaElement) => box.value.slice(0, box.selectionStart).split('\n').length);
  expect(cursor).toBe(25);
  // The gutter's "25" sits exactly beside the text's line 25, after the box scrolled to it.
  const place = await pasteBox().evaluate((box: HTMLTextAreaElement) => {
    const style = getComputedStyle(box);
    const lineHeight = parseFloat(style.lineHeight);
    const top = box.getBoundingClientRect().top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop) + 24 * lineHeight - box.scrollTop;
    const number = [...document.querySelectorAll('[data-testid="line-numbers"] span')][24]!;
    return { scrolled: box.scrollTop, text: top, number: number.getBoundingClientRect().top, visible: top >= box.getBoundingClientRect().top };
  });
  expect(place.scrolled).toBeGreaterThan(0);
  expect(place.visible).toBe(true);
  expect(Math.abs(place.number - place.text)).toBeLessThan(1.5);
  await shoot(page, 'add-account-line-numbers');
  await expectAccessible(page, 'paste box with line numbers');
});

test('the preview names the account before Save: a taken name is flagged with a free one, one click away', async () => {
  await nav('Add account').click();
  await page.getByRole('button', { name: 'Paste text' }).click();
  await pasteBox().fill(myfiberToml('myfiber production'));
  const name = page.locator('.preview').getByLabel('Account name');
  await expect(name).toHaveValue('myfiber production');
  await expect(page.getByText('An account named “myfiber production” already exists.')).toBeVisible();
  const save = page.getByRole('button', { name: 'Save this account' });
  await expect(save).toBeDisabled();
  await shoot(page, 'add-account-name-taken');
  await expectAccessible(page, 'preview with a taken name');

  await page.getByRole('button', { name: 'Use “myfiber production (2)”' }).click();
  await expect(name).toHaveValue('myfiber production (2)');
  await expect(page.locator('[data-preview-account="myfiber production (2)"]')).toBeVisible();
  await expect(page.getByText('already exists')).toHaveCount(0);

  // Typing a name re-previews with it.
  await name.fill('myfiber second');
  await expect(page.locator('[data-preview-account="myfiber second"]')).toBeVisible();
  await expect(name).toBeFocused();
  await save.click();
  await expect(page.getByRole('heading', { level: 1, name: 'myfiber second' })).toBeVisible();
  expect((await harness.session.accounts().list()).map((account) => account.name).sort()).toEqual(['Vyopta', 'myfiber production', 'myfiber second']);
});

test('settings: the new recovery passphrase shows its strength, and every passphrase field can be shown', async () => {
  await nav('Settings').click();
  const next = page.getByLabel('New passphrase');
  await next.fill(WEAK);
  const strength = page.locator('.strength');
  await expect(strength).toContainText('This passphrase is too weak');
  await page.getByRole('button', { name: 'Show New passphrase' }).click();
  await expect(next).toHaveAttribute('type', 'text');
  await page.getByRole('button', { name: 'Show Current passphrase' }).click();
  await expect(page.getByLabel('Current passphrase')).toHaveAttribute('type', 'text');
  await shoot(page, 'settings-weak-passphrase');
  await expectAccessible(page, 'settings with a weak passphrase');
  await next.fill('zebra quantum violet harbor');
  await expect(strength).toContainText('Strength: strong enough');
});
