/**
 * The desktop app is an agent too (issue 11 item 3), in Chromium against the
 * real core: the harness's unlocked session serves a real socket for its
 * data folder, and the REAL command line (`node bin/tokendesk.cjs token NAME`,
 * a separate process with no TOKENDESK_PASSPHRASE) asks it. The approval
 * dialog shows the account and the caller; Allow once, Allow until
 * TokenDesk locks, Deny, and Lock each do what they say, seen from the CLI.
 * Needs `npm run build` (the CLI runs from dist/).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startProviderServer, type ProviderServer } from '../fixtures/provider-server.js';
import { startHarness, type Harness } from './harness/server.js';
import { openPage } from './harness/window.js';
import { expectAccessible, shoot } from './harness/screens.js';

test.describe.configure({ mode: 'serial' });

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = resolve(ROOT, 'bin/tokendesk.cjs');
const PASSPHRASE = 'a long enough passphrase';
const ACCOUNT = 'myfiber scripts';
const CLI_TIMEOUT_MS = 30_000;

let provider: ProviderServer;
let harness: Harness;
let context: BrowserContext;
let page: Page;

interface CliRun {
  pid: number;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** The command line as a script would run it: its own process, no secret in its environment. */
function runCli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): CliRun & { child: ChildProcess } {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('TOKENDESK_')) env[key] = value;
  const child = spawn(process.execPath, [CLI, ...args, '--vault', harness.dataDir], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolveRun, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tokendesk ${args.join(' ')} did not end within ${CLI_TIMEOUT_MS} ms (stderr: ${stderr})`));
    }, CLI_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
  return { pid: child.pid!, done, child };
}

const approvalDialog = () => page.getByRole('dialog', { name: 'A program asks for access' });

test.beforeAll(async ({ browser }) => {
  provider = await startProviderServer();
  harness = await startHarness();
  // The vault exists but is locked, as at a start without keychain: the window unlocks it.
  await harness.session.create({ passphrase: PASSPHRASE });
  harness.session.lock();
  ({ context, page } = await openPage(browser));
  await page.goto(harness.url);
});

test.afterAll(async () => {
  await context?.close();
  await harness?.close();
  await provider?.close();
});

test('unlocking starts serving the command line; an account is imported against the fixture server', async () => {
  await expect(page.getByRole('heading', { level: 1, name: 'Open your vault' })).toBeVisible();
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  expect(harness.agent.endpoint()).toBeTruthy();
  expect(harness.agent.warning()).toBeUndefined();

  const { clientId, clientSecret } = provider.clients.myfiber;
  await page.getByRole('button', { name: 'Add account' }).click();
  await page
    .getByLabel('Credentials text (TOML)')
    .fill(`name = "${ACCOUNT}"\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\n`);
  await expect(page.locator(`[data-preview-account="${ACCOUNT}"]`)).toBeVisible();
  await page.getByRole('button', { name: 'Save this account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: ACCOUNT })).toBeVisible();
});

test('"Allow once": the dialog names the account and the caller, the CLI prints the token, and the next call asks again', async () => {
  const cli = runCli(['token', ACCOUNT]);
  const dialog = approvalDialog();
  await expect(dialog).toBeVisible({ timeout: 15_000 });
  await expect(dialog).toContainText(`A program asks for the token of “${ACCOUNT}”.`);
  await expect(dialog).toContainText(basename(process.execPath));
  await expect(dialog).toContainText(String(cli.pid));
  // Started by this test runner: the parent is reported too (Linux reads it from /proc).
  if (process.platform === 'linux') await expect(dialog).toContainText('Started by');
  // Deny holds the focus, so a stray Enter never allows.
  await expect(dialog.getByRole('button', { name: 'Deny' })).toBeFocused();
  await shoot(page, 'agent-approval');
  await expectAccessible(page, 'agent approval dialog');
  await dialog.getByRole('button', { name: 'Allow once' }).click();
  await expect(dialog).toHaveCount(0);
  const first = await cli.done;
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(provider.isAccessTokenActive('myfiber', first.stdout.trim())).toBe(true);

  const again = runCli(['token', ACCOUNT]);
  await expect(approvalDialog()).toBeVisible({ timeout: 15_000 });
  await expect(approvalDialog()).toContainText(String(again.pid));
  await approvalDialog().getByRole('button', { name: 'Allow once' }).click();
  const second = await again.done;
  expect(second.code).toBe(0);
  // The cached token: one request at the provider for both.
  expect(second.stdout.trim()).toBe(first.stdout.trim());
});

test('the history shows each hand-out, with the program as it reported itself', async () => {
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Accounts' })).toBeVisible();
  await page.getByRole('button', { name: `Details for ${ACCOUNT}` }).click();
  const history = page.locator('table.history');
  await expect(history).toContainText(`Given to ${basename(process.execPath)} (pid `, { timeout: 10_000 });
  await expect(history).toContainText('reported by the program');
});

test('"Deny": the CLI fails, saying the request was denied in the window', async () => {
  const cli = runCli(['token', ACCOUNT]);
  await expect(approvalDialog()).toBeVisible({ timeout: 15_000 });
  await approvalDialog().getByRole('button', { name: 'Deny' }).click();
  const result = await cli.done;
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain('denied in the TokenDesk window');
  expect(result.stdout).toBe('');
});

test('a program that gives up withdraws its question: the dialog closes by itself', async () => {
  const cli = runCli(['token', ACCOUNT]);
  await expect(approvalDialog()).toBeVisible({ timeout: 15_000 });
  process.kill(cli.pid, 'SIGKILL');
  await cli.done.catch(() => undefined);
  await expect(approvalDialog()).toHaveCount(0, { timeout: 10_000 });
});

test('"Allow until TokenDesk locks": the next call from the same program is not asked; other operations still are', async () => {
  const cli = runCli(['token', ACCOUNT]);
  await expect(approvalDialog()).toBeVisible({ timeout: 15_000 });
  await approvalDialog().getByRole('button', { name: 'Allow until TokenDesk locks' }).click();
  expect((await cli.done).code).toBe(0);

  const unasked = await runCli(['token', ACCOUNT]).done;
  expect(unasked.code).toBe(0);
  expect(provider.isAccessTokenActive('myfiber', unasked.stdout.trim())).toBe(true);
  await expect(approvalDialog()).toHaveCount(0);

  const revoke = runCli(['revoke', ACCOUNT]);
  await expect(approvalDialog()).toBeVisible({ timeout: 15_000 });
  await expect(approvalDialog()).toContainText(`A program asks to revoke “${ACCOUNT}”.`);
  await approvalDialog().getByRole('button', { name: 'Deny' }).click();
  expect((await revoke.done).code).not.toBe(0);
});

test('Lock: the window shows its unlock screen and the CLI gets the locked message (exit 5); after unlocking it is asked again', async () => {
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Open your vault' })).toBeVisible();
  expect(harness.agent.endpoint()).toBeUndefined();
  const locked = await runCli(['token', ACCOUNT]).done;
  // No agent answers now: the CLI falls back to opening the vault itself, which needs the passphrase it does not have.
  expect(locked.code).toBe(5);
  expect(locked.stderr).toContain('The vault is locked: open TokenDesk, start `tokendesk agent`, or set TOKENDESK_PASSPHRASE');
  expect(locked.stdout).toBe('');

  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Open' }).click();
  // Back on the account page the Lock was pressed on (issue 13 item 10).
  await expect(page.getByRole('heading', { level: 1, name: ACCOUNT })).toBeVisible();
  // "Until TokenDesk locks" ended with the lock.
  const cli = runCli(['token', ACCOUNT]);
  await expect(approvalDialog()).toBeVisible({ timeout: 15_000 });
  await approvalDialog().getByRole('button', { name: 'Deny' }).click();
  expect((await cli.done).code).not.toBe(0);
});

test('the per-account setting: with asking off, a token call is not asked', async () => {
  await page.getByRole('button', { name: 'Accounts', exact: true }).click();
  await page.getByRole('button', { name: `Details for ${ACCOUNT}` }).click();
  const box = page.getByLabel('Ask before giving this account’s token to a program (command line, scripts)');
  await expect(box).toBeChecked();
  await box.uncheck();
  await expect(page.getByTestId('notice')).toContainText('without a question');
  await expect(box).not.toBeChecked();
  const result = await runCli(['token', ACCOUNT]).done;
  expect(result.code).toBe(0);
  expect(provider.isAccessTokenActive('myfiber', result.stdout.trim())).toBe(true);
  await expect(approvalDialog()).toHaveCount(0);
  await box.check();
  await expect(box).toBeChecked();
});

test('another agent already serving the vault (a tokendesk agent) is named in the window, which works on; the CLI asks that agent', async () => {
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Open your vault' })).toBeVisible();
  const headless = runCli(['agent'], { TOKENDESK_PASSPHRASE: PASSPHRASE });
  try {
    for (let i = 0; i < 200 && !existsSync(join(harness.dataDir, 'agent.json')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(harness.dataDir, 'agent.json'))).toBe(true);

    await page.getByLabel('Passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Open' }).click();
    // Back on the account page the Lock was pressed on (issue 13 item 10).
    await expect(page.getByRole('heading', { level: 1, name: ACCOUNT })).toBeVisible();
    const warning = page.locator('.agent-warning');
    await expect(warning).toContainText('The command line cannot get tokens from this window.');
    await expect(warning).toContainText(`tokendesk agent (pid ${headless.pid})`);
    await expectAccessible(page, 'agent warning');
    // The headless agent answers without a question (it has no window to ask in).
    const result = await runCli(['token', ACCOUNT]).done;
    expect(result.code).toBe(0);
    expect(provider.isAccessTokenActive('myfiber', result.stdout.trim())).toBe(true);
    await expect(approvalDialog()).toHaveCount(0);
    await warning.getByRole('button', { name: 'Dismiss' }).click();
    await expect(warning).toHaveCount(0);
  } finally {
    headless.child.kill('SIGTERM');
    await headless.done.catch(() => undefined);
  }
});
