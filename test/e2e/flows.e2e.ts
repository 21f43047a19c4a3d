/**
 * Long operations and the remaining screens, in Chromium against the real
 * core: the authorization dialog (Cancel, and the "paste the URL you were
 * redirected to" fallback), the device-code dialog against oidc-provider,
 * discovery, Test API call, Revoke, and unlocking with the passphrase.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
const PASSPHRASE = 'a long enough passphrase';

async function clipboard(): Promise<string> {
  const response = await fetch(new URL('__test/clipboard', harness.url));
  return ((await response.json()) as { text: string }).text;
}

async function addByPaste(toml: string, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByLabel('Credentials text (TOML)').fill(toml);
  await expect(page.locator(`[data-preview-account="${name}"]`)).toBeVisible();
  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

test.beforeAll(async ({ browser }) => {
  provider = await startProviderServer();
  oidc = await startOidcServer();
  harness = await startHarness();
  // The first-run screen is covered by onboarding.e2e.ts; here the vault exists already.
  await harness.session.create({ passphrase: PASSPHRASE });
  ({ context, page } = await openUnlockedWindow(browser, harness));
});

test.afterAll(async () => {
  await context?.close();
  await harness?.close();
  await oidc?.close();
  await provider?.close();
});

test('authorization in progress: Cancel stops the wait, a pasted redirect URL completes it', async () => {
  harness.setBrowserCompletes(false);
  const { clientId, clientSecret } = provider.clients.insiders;
  await addByPaste(
    `name = "insiders"\npreset = "insiders"\nbase_url = "${provider.url}/insiders"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\n`,
    'insiders',
  );

  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign in with your browser' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`Your browser was opened at ${new URL(provider.url).host}`);
  await shoot(page, 'authorization-in-progress');
  await expectAccessible(page, 'authorization dialog');
  await dialog.getByRole('button', { name: 'Cancel sign-in' }).click();
  await expect(dialog).toHaveCount(0);
  // A cancel is no failure: a plain notice, no error box.
  await expect(page.getByTestId('notice')).toContainText('Cancelled. Nothing was changed for “insiders”.');
  await expect(page.getByRole('alert')).toHaveCount(0);

  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  await expect(dialog).toBeVisible();
  // Play the browser up to the redirect, but hand the address to the user instead of the listener.
  const authorize = await fetch(harness.openedUrls.at(-1)!, { redirect: 'manual' });
  const callback = authorize.headers.get('location')!;
  expect(new URL(callback).searchParams.get('code')).toBeTruthy();
  await dialog.getByText('Did the browser end on a page that does not load?').click();
  await dialog.getByLabel('Address you were redirected to').fill(callback);
  await dialog.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByTestId('notice')).toContainText('Your token for insiders was copied.', { timeout: 15_000 });
  expect(provider.isAccessTokenActive('insiders', await clipboard())).toBe(true);
  harness.setBrowserCompletes(true);
});

test('revokes the token at the server after confirmation', async () => {
  const token = await clipboard();
  await page.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByTestId('notice')).toContainText('The token was revoked at the server and forgotten here.');
  expect(provider.isAccessTokenActive('insiders', token)).toBe(false);
  await expect(page.getByText('No token yet. Press Copy token or Refresh to get one.')).toBeVisible();
});

test('device code: shows the code large and copyable, continues once approved', async () => {
  await addByPaste(
    `name = "device login"\ngrant = "device_code"\ntoken_url = "${oidc.tokenEndpoint}"\ndevice_authorization_url = "${oidc.deviceAuthorizationEndpoint}"\nclient_id = "${CLIENTS.public.clientId}"\nclient_auth = "none"\nscopes = ["openid"]\n`,
    'device login',
  );
  await page.getByRole('button', { name: 'Copy token', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Enter this code on another device' });
  await expect(dialog).toBeVisible();
  const userCode = (await dialog.locator('output').textContent())!.trim();
  expect(userCode.length).toBeGreaterThan(3);
  await expect(dialog).toContainText(oidc.issuer);
  await shoot(page, 'device-code');
  await expectAccessible(page, 'device code dialog');
  // The app's page has no clipboard permission: the code is copied by the main process,
  // and the dialog says "copied" only when the clipboard took it.
  harness.setClipboardRefuses(true);
  await dialog.getByRole('button', { name: 'Copy code' }).click();
  await expect(dialog).toContainText('Nothing was copied');
  await expect(dialog.locator('span[role="status"]')).toHaveText('');
  harness.setClipboardRefuses(false);
  await dialog.getByRole('button', { name: 'Copy code' }).click();
  await expect(dialog.locator('span[role="status"]')).toHaveText('The code was copied.');
  expect(await clipboard()).toBe(userCode);
  await oidc.approveDevice(userCode);
  await expect(page.getByTestId('notice')).toContainText('Your token for device login was copied.', { timeout: 20_000 });
  await expect(dialog).toHaveCount(0);
  expect(oidc.tokenRequests.some((r) => r.grantType === 'urn:ietf:params:oauth:grant-type:device_code')).toBe(true);
});

test('Test API call shows the status and an excerpt of the answer', async () => {
  const { clientId, clientSecret } = provider.clients.myfox;
  const { username, password } = provider.users.myfox;
  await addByPaste(
    `name = "myfox home"\npreset = "myfox"\nbase_url = "${provider.url}/myfox"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nusername = "${username}"\npassword = "${password}"\napi_url = "${provider.url}/myfox/api/v2/client/site/items"\n`,
    'myfox home',
  );
  await page.getByRole('button', { name: 'Test API call' }).click();
  const result = page.locator('.test-result');
  await expect(result).toContainText('The API answered 200 OK');
  await expect(result).toContainText('The token works.');
  await expect(result).toContainText('"status":"OK"');
  await shoot(page, 'test-api-call');
  await expectAccessible(page, 'test API call');
});

test('discovers endpoints from an issuer URL', async () => {
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByRole('button', { name: 'Look up a server' }).click();
  await page.getByLabel('Server address (issuer)').fill(oidc.issuer);
  await page.getByRole('button', { name: 'Look up', exact: true }).click();
  await expect(page.getByText('Found these endpoints:')).toBeVisible();
  await expect(page.locator('.settings-list').first()).toContainText(oidc.tokenEndpoint);
  await page.getByLabel('Client ID').fill(CLIENTS.post.clientId);
  await page.getByLabel('Client secret').fill(CLIENTS.post.clientSecret);
  await expect(page.locator('section.preview')).toContainText('stored, hidden');
  await shoot(page, 'add-account-discover');
  await expectAccessible(page, 'add account (discover)');
});

test('a locked vault opens with the passphrase; a wrong one is explained', async () => {
  harness.session.lock();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Open your vault' })).toBeVisible();
  await page.getByLabel('Passphrase').fill('not the passphrase');
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('alert')).toContainText('That passphrase is not right.');
  await shoot(page, 'unlock');
  await expectAccessible(page, 'unlock');
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  await expect(page.locator('[data-account="myfox home"]')).toBeVisible();
});

test('a vault opened from its backup says so, with the time and where the damaged file is', async () => {
  harness.session.lock();
  // One flipped byte in the encrypted content: vault.json no longer authenticates, its backup does.
  const file = join(harness.dataDir, 'vault.json');
  const bytes = await readFile(file);
  const at = bytes.lastIndexOf('"data"') + 20;
  bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
  await writeFile(file, bytes);
  await page.reload();
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Open' }).click();
  const notice = page.getByRole('alert').filter({ hasText: 'About your vault' });
  await expect(notice).toContainText('The vault file was damaged, so TokenDesk opened the previous version, saved');
  await expect(notice).toContainText('Changes made after that are lost');
  await expect(notice).toContainText(`The damaged file is kept at ${join(harness.dataDir, 'vault.json.damaged-')}`);
  await shoot(page, 'vault-opened-from-backup');
  await expectAccessible(page, 'vault opened from its backup');
  await notice.getByRole('button', { name: 'I understand' }).click();
  await expect(notice).toHaveCount(0);
});

test('changing the recovery passphrase asks for the current one', async () => {
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByLabel('Current passphrase')).toBeVisible();
  const next = 'maple cedar birch 47 lantern';
  await page.getByLabel('Current passphrase').fill('not the current one');
  await page.getByLabel('New passphrase').fill(next);
  await page.getByLabel('Type the passphrase again').fill(next);
  await page.getByRole('button', { name: 'Set passphrase' }).click();
  await expect(page.getByRole('alert')).toContainText('current passphrase is not right');
  await page.getByLabel('Current passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Set passphrase' }).click();
  await expect(page.getByTestId('notice')).toContainText('Your new recovery passphrase is set.');
  await shoot(page, 'settings-passphrase');
  // The old passphrase opens nothing any more; the new one does.
  harness.session.lock();
  await expect(harness.session.unlock(PASSPHRASE)).rejects.toMatchObject({ code: 'ERR_VAULT_PASSPHRASE' });
  await harness.session.unlock(next);
});
