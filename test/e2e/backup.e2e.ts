/**
 * Issue 13 item 11 in Chromium, through the harness (the real core): save an
 * encrypted backup from Settings, see what it holds before restoring, a
 * wrong passphrase and a damaged file said in plain words, and a restore
 * that adds a removed account back, skipping (or, when asked, replacing)
 * the ones the vault has.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { importCredentials } from '../../main/core/import/index.js';
import { startHarness, type Harness } from './harness/server.js';
import { openUnlockedWindow } from './harness/window.js';
import { expectAccessible, shoot } from './harness/screens.js';

test.describe.configure({ mode: 'serial' });

let harness: Harness;
let context: BrowserContext;
let page: Page;
let backupPath: string;
const VAULT_PASSPHRASE = 'correct horse battery staple';
const BACKUP_PASSPHRASE = 'lantern orbit pickle canyon';
const SECRETS = ['alpha-token-7f3c2a9e', 'beta-token-1d8b4e60'];

test.beforeAll(async ({ browser }) => {
  harness = await startHarness();
  await harness.session.create({ passphrase: VAULT_PASSPHRASE });
  const text = `[accounts.alpha]\ngrant = "static"\naccess_token = "${SECRETS[0]}"\n\n[accounts."beta reports"]\ngrant = "static"\naccess_token = "${SECRETS[1]}"\n`;
  await harness.session.accounts().importAccounts(await importCredentials({ text }));
  ({ context, page } = await openUnlockedWindow(browser, harness));
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Backup' })).toBeVisible();
});

test.afterAll(async () => {
  await context?.close();
  await harness?.close();
});

const saveForm = (): ReturnType<Page['getByRole']> => page.getByRole('form', { name: 'Save a backup…' });
const restoreForm = (): ReturnType<Page['getByRole']> => page.getByRole('form', { name: 'Restore from a backup…' });

test('saves a backup from Settings: passphrase asked twice and judged, the file holds no secret', async () => {
  await saveForm().getByLabel('Backup passphrase', { exact: true }).fill(BACKUP_PASSPHRASE);
  await saveForm().getByLabel('Type the backup passphrase again').fill('something else entirely');
  await saveForm().getByRole('button', { name: 'Save a backup…' }).click();
  await expect(saveForm().getByText('The two passphrases are not the same')).toBeVisible();

  // The strength rule is the main process's, the same as the vault's.
  await saveForm().getByLabel('Backup passphrase', { exact: true }).fill('password1234');
  await saveForm().getByLabel('Type the backup passphrase again').fill('password1234');
  await saveForm().getByRole('button', { name: 'Save a backup…' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'This passphrase is too weak' })).toBeVisible();
  expect(await readdir(harness.backupDir)).toEqual([]);

  await saveForm().getByLabel('Backup passphrase', { exact: true }).fill(BACKUP_PASSPHRASE);
  await saveForm().getByLabel('Type the backup passphrase again').fill(BACKUP_PASSPHRASE);
  await saveForm().getByRole('button', { name: 'Save a backup…' }).click();
  const notice = page.getByTestId('notice');
  await expect(notice).toContainText(`Saved a backup of 2 accounts to ${harness.backupDir}`, { timeout: 15_000 });
  const [name] = await readdir(harness.backupDir);
  expect(name).toMatch(/^tokendesk-backup-\d{4}-\d\d-\d\d\.json$/);
  backupPath = join(harness.backupDir, name!);
  const text = await readFile(backupPath, 'utf8');
  for (const secret of [...SECRETS, 'beta reports']) expect(text).not.toContain(secret);
  await expect(saveForm().getByLabel('Backup passphrase', { exact: true })).toHaveValue('');
});

test('a closed save dialog saves nothing and says so', async () => {
  harness.setSaveCancelled(true);
  await saveForm().getByLabel('Backup passphrase', { exact: true }).fill(BACKUP_PASSPHRASE);
  await saveForm().getByLabel('Type the backup passphrase again').fill(BACKUP_PASSPHRASE);
  await saveForm().getByRole('button', { name: 'Save a backup…' }).click();
  await expect(page.getByTestId('notice')).toContainText('No backup was saved.');
  await expect(page.getByRole('alert').filter({ hasText: 'Cancelled' })).toHaveCount(0);
  harness.setSaveCancelled(false);
  expect(await readdir(harness.backupDir)).toHaveLength(1);
});

test('a wrong passphrase is said in plain words, naming the file, and shows nothing', async () => {
  await harness.session.accounts().removeAccount('beta reports');
  await restoreForm().getByLabel('Backup file').setInputFiles(backupPath);
  await restoreForm().getByLabel('Backup passphrase').fill('not the passphrase of this backup');
  await restoreForm().getByRole('button', { name: 'Show what it holds' }).click();
  const error = page.getByRole('alert').filter({ hasText: 'The passphrase is not right for the backup' });
  await expect(error).toBeVisible({ timeout: 15_000 });
  await expect(error).toContainText(backupPath.split('/').at(-1)!);
  await expect(error).toContainText('Check Caps Lock and type the passphrase chosen when the backup was saved.');
  await expect(page.getByRole('button', { name: 'Restore', exact: true })).toHaveCount(0);
  await shoot(page, 'backup-wrong-passphrase');
});

test('shows what the backup holds, then restores the removed account and skips the one still there', async () => {
  await restoreForm().getByLabel('Backup passphrase').fill(BACKUP_PASSPHRASE);
  await restoreForm().getByRole('button', { name: 'Show what it holds' }).click();
  const listing = page.getByRole('region', { name: 'Restore from a backup…' });
  await expect(listing).toContainText('holds 2 accounts:', { timeout: 15_000 });
  await expect(listing.getByRole('listitem').filter({ hasText: 'alpha' })).toContainText('already in your vault');
  await expect(listing.getByRole('listitem').filter({ hasText: 'beta reports' })).not.toContainText('already in your vault');
  await expect(listing).toContainText('Personal access token');
  for (const secret of SECRETS) await expect(page.locator('body')).not.toContainText(secret);
  await shoot(page, 'backup-listing');
  await expectAccessible(page, 'backup listing');

  await listing.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText(
    'Added 1 account: beta reports. Skipped, because your vault already has an account of that name: alpha.',
    { timeout: 15_000 },
  );
  expect((await harness.session.accounts().list()).map((a) => a.name)).toEqual(['alpha', 'beta reports']);
  await page.getByRole('button', { name: 'Accounts' }).click();
  await expect(page.getByText('beta reports').first()).toBeVisible();
  await page.getByRole('button', { name: 'Settings' }).click();
});

test('with Replace checked, accounts of the same name are replaced', async () => {
  await harness.session.accounts().updateAccount('alpha', { accessToken: 'changed-since-the-backup' });
  await restoreForm().getByLabel('Backup file').setInputFiles(backupPath);
  await restoreForm().getByLabel('Backup passphrase').fill(BACKUP_PASSPHRASE);
  await restoreForm().getByRole('button', { name: 'Show what it holds' }).click();
  const listing = page.getByRole('region', { name: 'Restore from a backup…' });
  await expect(listing).toContainText('holds 2 accounts:', { timeout: 15_000 });
  await listing.getByLabel('Replace accounts that have the same name').check();
  await listing.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(page.getByTestId('notice')).toContainText('Replaced: alpha, beta reports.', { timeout: 15_000 });
  expect(harness.session.accounts().exportAccounts().find((a) => a.settings.name === 'alpha')?.settings.accessToken).toBe(SECRETS[0]);
});

test('a damaged backup is said to be damaged, and changes nothing', async () => {
  const text = await readFile(backupPath, 'utf8');
  const at = text.indexOf('"data"') + 40;
  const damaged = join(harness.backupDir, 'damaged-copy.json');
  await writeFile(damaged, text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1));
  const vaultBefore = await readFile(join(harness.dataDir, 'vault.json'));
  await restoreForm().getByLabel('Backup file').setInputFiles(damaged);
  await restoreForm().getByLabel('Backup passphrase').fill(BACKUP_PASSPHRASE);
  await restoreForm().getByRole('button', { name: 'Show what it holds' }).click();
  const error = page.getByRole('alert').filter({ hasText: 'The backup damaged-copy.json is damaged' });
  await expect(error).toBeVisible({ timeout: 15_000 });
  await expect(error).toContainText('Choose another copy of the backup.');
  expect((await readFile(join(harness.dataDir, 'vault.json'))).equals(vaultBefore)).toBe(true);
});
