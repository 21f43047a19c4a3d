// Drives the unpackaged build through Playwright's _electron (it needs the
// nodeCliInspect fuse, which only the packaged build turns off). Never the
// only test of anything: test/unit/electron covers the same rules without Electron.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { findElectronBinary } from '../../scripts/start.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const binary = findElectronBinary(root);
const built = existsSync(path.join(root, 'dist', 'main', 'electron', 'main.js')) && existsSync(path.join(root, 'dist', 'preload', 'index.cjs'));
const display = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);

const skipReason = !binary
  ? 'Electron binary not installed (node_modules/electron/dist missing; run "npx install-electron")'
  : !built
    ? 'app not built (run "npm run build")'
    : !display
      ? 'no display (run under Xvfb: xvfb-run npx playwright test -c test/e2e-electron)'
      : undefined;

if (skipReason) console.log(`Electron e2e skipped: ${skipReason}`);

test.describe('TokenDesk in Electron', () => {
  test.skip(skipReason !== undefined, skipReason ?? '');

  let app: ElectronApplication;
  let page: Page;
  let dataDir: string;
  let desktopHome: string;

  test.beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tokendesk-e2e-'));
    // On Linux the development build writes its desktop entry and claims tokendesk:// (linux-desktop-entry.ts): not in the user's own folders.
    desktopHome = await mkdtemp(path.join(tmpdir(), 'tokendesk-e2e-xdg-'));
    const env = {
      ...process.env,
      TOKENDESK_DATA_DIR: dataDir,
      XDG_DATA_HOME: path.join(desktopHome, 'data'),
      XDG_CONFIG_HOME: path.join(desktopHome, 'config'),
    } as Record<string, string>;
    delete env['ELECTRON_RUN_AS_NODE'];
    app = await electron.launch({ executablePath: binary!, args: [root], env, timeout: 30_000 });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  test.afterAll(async () => {
    await app?.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(desktopHome, { recursive: true, force: true });
  });

  test('loads our own app:// page with the strict CSP', async () => {
    expect(page.url()).toBe('app://tokendesk/index.html');
    const inlineBlocked = await page.evaluate(() => {
      try {
        return new Function('return 1')() !== 1;
      } catch {
        return true;
      }
    });
    expect(inlineBlocked).toBe(true);
  });

  test('the page has no Node and only the typed preload API', async () => {
    const shape = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      keys: Object.keys((globalThis as unknown as { tokendesk: object }).tokendesk).sort(),
    }));
    expect(shape.require).toBe('undefined');
    expect(shape.process).toBe('undefined');
    expect(shape.keys).toContain('app:status');
    expect(shape.keys).toContain('onEvent');
    expect(shape.keys).not.toContain('invoke');
  });

  test('answers over IPC, and refuses a malformed payload', async () => {
    const status = await page.evaluate(() => (globalThis as unknown as { tokendesk: Record<string, (r: unknown) => Promise<unknown>> }).tokendesk['app:status']!({}));
    expect(status).toMatchObject({ ok: true, value: { vault: 'missing' } });
    const bad = await page.evaluate(() => (globalThis as unknown as { tokendesk: Record<string, (r: unknown) => Promise<unknown>> }).tokendesk['tokens:copy']!({ name: 42 }));
    expect(bad).toMatchObject({ ok: false, error: { code: 'ERR_IPC_INVALID' } });
  });

  test('denies window.open and navigation away from the app', async () => {
    expect(await page.evaluate(() => window.open('http://127.0.0.1:9/') === null)).toBe(true);
    await page.evaluate(() => {
      window.location.href = 'http://127.0.0.1:9/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe('app://tokendesk/index.html');
  });

  test('keeps its data in the folder it was given', async () => {
    expect(await app.evaluate(({ app: electronApp }) => electronApp.getPath('userData'))).toBe(dataDir);
  });
});
