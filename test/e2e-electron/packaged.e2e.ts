// A smoke test of what users install: the unpacked output of
// `npm run dist -- --dir` (electron-builder --dir), fuses flipped, the app in
// an ASAR. It proves that the ESM main process and its ESM dependencies load
// from inside the ASAR (this has regressed in Electron before:
// electron/electron#40211, #41241, #45896) and that a token goes all the way
// from the seed fixture server through the packaged app's `net` port into the
// vault and onto the clipboard.
//
// Not through Playwright's `_electron`: it starts Electron with `--inspect=0`
// and waits for Node's "Debugger listening on ws://..." line before anything
// else (playwright-core lib/coreBundle.js, `Electron.launch`: nodeMatchPromise),
// and the packaged build has the nodeCliInspect fuse off, so Electron ignores
// `--inspect` (electron shell/common/node_bindings.cc: the debug options are
// allowed only `if IsNodeCliInspectEnabled()`) and that line never comes.
// Turning the fuse back on for a test build would test something we do not
// ship. Instead the test starts the packaged program as a plain process with
// Chromium's `--remote-debugging-port=0` (a Chromium switch no fuse governs)
// and attaches with `chromium.connectOverCDP`, as Playwright's own Electron
// tests do (microsoft/playwright#40017, tests/electron/cli-cdp.spec.ts).
// Without `--no-sandbox`: the packaged app refuses it (main/electron/sandbox-guard.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { AppSession } from '../../main/core/app-session.js';
import { importCredentials } from '../../main/core/import/index.js';
import { systemClock } from '../../main/core/ports.js';
import { startProviderServer, type ProviderServer } from '../fixtures/provider-server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PASSPHRASE = 'a long enough passphrase for the smoke test';
const START_TIMEOUT_MS = 30_000;

/** Where `electron-builder --dir` puts the program (platformPackager.js computeAppOutDir: `<platform><-arch unless x64>[-unpacked]`). */
function packagedProgram(): string {
  const builder = readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
  const productName = /^productName:\s*(\S+)/m.exec(builder)?.[1] ?? 'TokenDesk';
  const executableName = /^\s+executableName:\s*(\S+)/m.exec(builder)?.[1] ?? productName;
  const arch = process.arch === 'x64' ? '' : `-${process.arch}`;
  if (process.platform === 'win32') return path.join(root, 'release', `win${arch}-unpacked`, `${productName}.exe`);
  if (process.platform === 'darwin') return path.join(root, 'release', `mac${arch}`, `${productName}.app`, 'Contents', 'MacOS', productName);
  return path.join(root, 'release', `linux${arch}-unpacked`, executableName);
}

/**
 * Chromium's Linux sandbox needs unprivileged user namespaces (the test
 * electron-builder's AppRun uses: `unshare -Ur true`) or a setuid-root
 * chrome-sandbox next to the program.
 */
function linuxSandboxUsable(program: string): boolean {
  if (spawnSync('unshare', ['-Ur', 'true'], { stdio: 'ignore', timeout: 5_000 }).status === 0) return true;
  const helper = path.join(path.dirname(program), 'chrome-sandbox');
  if (!existsSync(helper)) return false;
  const stat = statSync(helper);
  return stat.uid === 0 && (stat.mode & 0o4000) !== 0;
}

const program = packagedProgram();
const display = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const skipReason = !existsSync(program)
  ? `no packaged app at ${path.relative(root, program)} (run "npm run dist -- --dir" first)`
  : !display
    ? 'no display (run under Xvfb: xvfb-run npx playwright test -c test/e2e-electron)'
    : process.platform === 'linux' && !linuxSandboxUsable(program)
      ? `Chromium's sandbox cannot start here (user namespaces blocked, ${path.relative(root, path.join(path.dirname(program), 'chrome-sandbox'))} not setuid root)`
      : undefined;

if (skipReason) console.log(`Packaged-app smoke test skipped: ${skipReason}`);

/** Resolves with the DevTools WebSocket address the program prints on stderr; rejects if it exits first. */
function devToolsEndpoint(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the packaged app printed no DevTools address within ${START_TIMEOUT_MS} ms:\n${seen.slice(-2000)}`)), START_TIMEOUT_MS);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the packaged app exited (${signal ?? code}) before it was ready:\n${seen.slice(-2000)}`));
    });
  });
}

async function appPage(browser: Browser): Promise<Page> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const page = browser.contexts().flatMap((context) => context.pages()).find((p) => p.url().startsWith('app://tokendesk/'));
    if (page) return page;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error('the packaged app opened no app://tokendesk/ window');
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

test.describe('the packaged app', () => {
  test.skip(skipReason !== undefined, skipReason ?? '');

  let provider: ProviderServer;
  let home: string;
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;

  test.beforeAll(async () => {
    provider = await startProviderServer();
    home = await mkdtemp(path.join(tmpdir(), 'tokendesk-packaged-'));
  });

  test.afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await stop(child);
    await provider?.close();
    await rm(home, { recursive: true, force: true });
  });

  test('starts from its ASAR and copies a token from the fixture server', async () => {
    // A vault with one client-credentials account, made with the same core the app ships.
    const dataDir = path.join(home, 'vault');
    const { clientId, clientSecret } = provider.clients.myfiber;
    const toml = `name = "smoke"\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${clientId}"\nclient_secret = "${clientSecret}"\nscopes = ["openid"]\n`;
    const session = new AppSession({ dataDir, ports: { fetch: (input, init) => fetch(input, init), clock: systemClock, randomBytes: (n) => new Uint8Array(randomBytes(n)) } });
    await session.create({ passphrase: PASSPHRASE });
    await session.accounts().importAccounts(await importCredentials({ text: toml, fileName: 'smoke.toml', baseDir: home }));
    session.lock();

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TOKENDESK_DATA_DIR: dataDir,
      // Nothing of the user's own desktop set-up is touched (mimeapps.list, desktop entries).
      XDG_CONFIG_HOME: path.join(home, 'config'),
      XDG_DATA_HOME: path.join(home, 'data'),
    };
    delete env['ELECTRON_RUN_AS_NODE'];
    delete env['ELECTRON_DISABLE_SANDBOX'];
    child = spawn(program, ['--remote-debugging-port=0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    browser = await chromium.connectOverCDP(await devToolsEndpoint(child), { timeout: START_TIMEOUT_MS });
    const page = await appPage(browser);

    await expect(page.getByRole('heading', { level: 1, name: 'Open your vault' })).toBeVisible({ timeout: START_TIMEOUT_MS });
    await page.getByLabel('Passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Open' }).click();
    await expect(page.locator('[data-account="smoke"]')).toBeVisible();

    await page.getByRole('button', { name: 'Copy token for smoke' }).click();
    await expect(page.getByTestId('notice')).toContainText('Your token for smoke was copied.');
    const tokenRequests = provider.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/myfiber/') && r.path.endsWith('/token'));
    expect(tokenRequests).toHaveLength(1);

    // The token the app holds is the one the fixture server issued, and it is live there.
    await page.getByRole('button', { name: 'Details for smoke' }).click();
    await page.getByRole('button', { name: 'Reveal' }).click();
    const token = await page.getByLabel(/Access token \(visible on screen/).inputValue();
    expect(provider.isAccessTokenActive('myfiber', token)).toBe(true);
  });
});
