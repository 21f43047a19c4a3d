/**
 * The real composition root, main/electron/main.ts, loaded over the Electron
 * fakes of test/fixtures/electron (vi.doMock('electron')): the start-up order,
 * the data folders, the single-instance lock per vault folder, what happens
 * when start fails, and the menu. Each launch is a fresh module instance
 * sharing one FakeMachine, like two processes on one computer.
 */
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { rememberCallbackVault } from '../../../main/electron/callback-target.js';
import { FakeMachine } from '../../fixtures/electron/app.js';
import { createFakeElectron, type FakeElectron } from '../../fixtures/electron/electron-module.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';

let root: string;
let machine: FakeMachine;
const savedEnv = { ...process.env };
const savedArgv = [...process.argv];
const savedCwd = process.cwd();

beforeEach(() => {
  root = realpathSync(mkdtempSync(path.join(tmpdir(), 'tokendesk-main-')));
  machine = new FakeMachine(path.join(root, 'home'), path.join(root, 'home', '.config'));
});

afterEach(() => {
  process.env = { ...savedEnv };
  process.argv = [...savedArgv];
  process.chdir(savedCwd);
  vi.doUnmock('electron');
  rmSync(root, { recursive: true, force: true });
});

interface Launch {
  env?: Record<string, string>;
  argv?: string[];
  cwd?: string;
  before?(fake: FakeElectron): void;
}

/** Loads main.ts as a new process would, then lets Chromium become ready and waits for start to settle. */
async function launch(options: Launch = {}): Promise<FakeElectron> {
  const argv = ['/usr/lib/tokendesk/tokendesk-app', ...(options.argv ?? [])];
  const fake = createFakeElectron({ machine, argv, isPackaged: true, appPath: path.join(root, 'app') });
  options.before?.(fake);
  process.env = { ...savedEnv };
  delete process.env['TOKENDESK_DATA_DIR'];
  Object.assign(process.env, options.env ?? {});
  process.argv = argv;
  if (options.cwd) process.chdir(options.cwd);
  vi.resetModules();
  vi.doMock('electron', () => fake.module);
  await import('../../../main/electron/main.js');
  process.chdir(savedCwd);
  if (fake.app.exits.length > 0 || fake.app.quitCalls > 0) return fake;
  fake.app.becomeReady();
  for (let i = 0; i < 200 && fake.BrowserWindow.created.length === 0 && fake.record.errorBoxes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  return fake;
}

const chromiumRoot = () => path.join(machine.appData, 'TokenDesk Chromium');

describe('the data folders (issue 10 items 10 and 11)', () => {
  it('accepts a relative TOKENDESK_DATA_DIR: resolves it, creates it, and starts', async () => {
    const fake = await launch({ env: { TOKENDESK_DATA_DIR: 'my vault' }, cwd: root });
    expect(fake.record.errorBoxes).toEqual([]);
    expect(fake.app.exits).toEqual([]);
    expect(existsSync(path.join(root, 'my vault'))).toBe(true);
    expect(fake.BrowserWindow.created).toHaveLength(1);
    expect(fake.BrowserWindow.created[0]!.loaded).toEqual(['app://tokendesk/index.html']);
  });

  it("keeps Chromium's folders (userData, sessionData: caches, cookies, the instance lock) out of the vault folder", async () => {
    const fake = await launch();
    const vault = path.join(machine.appData, 'TokenDesk');
    expect(existsSync(vault)).toBe(true);
    const { userData, sessionData } = fake.app.chromiumFolders();
    expect(userData).toBe(path.join(chromiumRoot(), 'default'));
    expect(sessionData).toBe(userData);
    expect(path.relative(vault, userData).startsWith('..')).toBe(true);
    expect([...machine.locks.keys()]).toEqual([userData]);
  });

  it('a vault folder of its own gets a Chromium folder of its own', async () => {
    const fake = await launch({ env: { TOKENDESK_DATA_DIR: path.join(root, 'other') } });
    const { userData } = fake.app.chromiumFolders();
    expect(path.dirname(userData)).toBe(chromiumRoot());
    expect(path.basename(userData)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('one primary instance per vault folder (item 10)', () => {
  it('a second launch on the same folder, however it is spelled, hands over to the first', async () => {
    const first = await launch({ env: { TOKENDESK_DATA_DIR: path.join(root, 'v') } });
    const seen: string[][] = [];
    first.app.on('second-instance', (_event, argv: string[]) => seen.push(argv));
    const second = await launch({ env: { TOKENDESK_DATA_DIR: './v' }, cwd: root, argv: ['--hello'] });
    expect(second.app.quitCalls).toBe(1);
    expect(second.BrowserWindow.created).toHaveLength(0);
    expect(seen).toEqual([['/usr/lib/tokendesk/tokendesk-app', '--hello']]);
    // Another vault folder is another primary.
    const third = await launch();
    expect(third.app.quitCalls).toBe(0);
    expect(third.BrowserWindow.created).toHaveLength(1);
  });

  it('a callback launched by the OS (without TOKENDESK_DATA_DIR) reaches the instance whose vault is signing in', async () => {
    const vault = path.join(root, 'custom');
    const first = await launch({ env: { TOKENDESK_DATA_DIR: vault } });
    const seen: string[][] = [];
    first.app.on('second-instance', (_event, argv: string[]) => seen.push(argv));
    // What the first instance does when it shows a sign-in.
    rememberCallbackVault(machine.appData, realpathSync(vault), Date.now());
    const callback = await launch({ argv: ['tokendesk://callback?code=abc&state=xyz'] });
    expect(callback.app.quitCalls).toBe(1);
    expect(callback.BrowserWindow.created).toHaveLength(0);
    expect(seen.flat()).toContain('tokendesk://callback?code=abc&state=xyz');
  });
});

describe('a failure during start (item 3)', () => {
  it('after ready: is shown in plain words, and the process exits, releasing the lock', async () => {
    const failing = await launch({ before: (fake) => (fake.record.failTray = true) });
    expect(failing.record.errorBoxes).toHaveLength(1);
    expect(failing.record.errorBoxes[0]!.title).toBe('TokenDesk could not start');
    expect(failing.record.errorBoxes[0]!.content).toContain('TokenDesk will close now');
    expect(failing.record.errorBoxes[0]!.content).not.toContain('Failed to create tray icon');
    expect(failing.app.exits).toEqual([1]);
    // The next launch is a primary instance again instead of being forwarded to a dead one.
    const next = await launch();
    expect(next.app.quitCalls).toBe(0);
    expect(next.BrowserWindow.created).toHaveLength(1);
  });

  it('before ready: a data folder that cannot be created is named, and the process exits', async () => {
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'not a folder');
    const fake = await launch({ env: { TOKENDESK_DATA_DIR: path.join(file, 'vault') } });
    expect(fake.record.errorBoxes).toHaveLength(1);
    expect(fake.record.errorBoxes[0]!.content).toContain(path.join(file, 'vault'));
    expect(fake.app.exits).toEqual([1]);
    expect(machine.locks.size).toBe(0);
  });
});

describe('the sandbox (item 7)', () => {
  it('a packaged app started with --no-sandbox (as the AppImage launcher does where user namespaces are blocked) refuses, in a visible dialog', async () => {
    const fake = await launch({ argv: ['--no-sandbox'] });
    expect(fake.record.errorBoxes).toHaveLength(1);
    expect(fake.record.errorBoxes[0]!.content).toContain('.deb');
    expect(fake.app.exits).toEqual([1]);
    expect(fake.BrowserWindow.created).toHaveLength(0);
    expect(machine.locks.size).toBe(0);
  });
});

describe('the application menu (item 12)', () => {
  it("replaces Electron's default menu (Help links to electronjs.org, View has Reload and DevTools) before Electron installs it", async () => {
    const fake = await launch();
    expect(fake.record.menuSetBeforeDefault).toBe(true);
    expect(fake.record.applicationMenu).toBeNull();
  });
});

describe('copy from the tray (items 4 and 13: say only what is true)', () => {
  let provider: ProviderServer;
  beforeAll(async () => {
    provider = await startProviderServer();
  });
  afterAll(() => provider.close());

  /** What the window does, through the real IPC handlers and sender check. */
  function windowCall(fake: FakeElectron, channel: string, payload: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
    const frame = fake.BrowserWindow.created[0]!.webContents.mainFrame;
    return fake.record.ipcHandlers.get(channel)!({ senderFrame: frame }, payload) as never;
  }

  async function withAccount(fake: FakeElectron): Promise<void> {
    expect(await windowCall(fake, 'app:create', {})).toMatchObject({ ok: true });
    const text = `name = "myfiber prod"\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${provider.clients.myfiber.clientId}"\nclient_secret = "${provider.clients.myfiber.clientSecret}"\n`;
    expect(await windowCall(fake, 'accounts:import', { text })).toMatchObject({ ok: true });
  }

  /** Clicks "Copy token" for `account` in the newest tray menu and waits for the notification it leads to. */
  async function clickCopy(fake: FakeElectron, account: string): Promise<{ title: string; body: string }> {
    const tray = fake.record.trays[0]!;
    for (let i = 0; i < 100 && !tray.menus.at(-1)?.template.some((item) => item.label?.startsWith(account)); i++) await new Promise((r) => setTimeout(r, 10));
    const entry = tray.menus.at(-1)!.template.find((item) => item.label?.startsWith(account))!;
    const copy = (entry.submenu as MenuItemConstructorOptions[]).find((item) => item.label === 'Copy token')!;
    const before = fake.record.notifications.length;
    copy.click!(undefined as never, undefined as never, undefined as never);
    for (let i = 0; i < 300 && fake.record.notifications.length === before; i++) await new Promise((r) => setTimeout(r, 10));
    return fake.record.notifications.at(-1)!;
  }

  it('on X11, Windows and macOS a confirmed copy says "Token copied", and the token is what the provider issued', async () => {
    const fake = await launch({ env: { TOKENDESK_DATA_DIR: path.join(root, 'vault'), XDG_SESSION_TYPE: 'x11' } });
    await withAccount(fake);
    const note = await clickCopy(fake, 'myfiber prod');
    expect(note.title).toBe('Token copied');
    expect(provider.isAccessTokenActive('myfiber', fake.clipboard.systemText())).toBe(true);
    expect(note.body).not.toContain(fake.clipboard.systemText());
  });

  it('on native Wayland it says the copy was asked for and cannot be confirmed, with what to do instead', async () => {
    const fake = await launch({ env: { TOKENDESK_DATA_DIR: path.join(root, 'vault'), XDG_SESSION_TYPE: 'wayland' } });
    fake.clipboard.waylandUnfocused = true;
    await withAccount(fake);
    const note = await clickCopy(fake, 'myfiber prod');
    expect(note.title).toBe('Copy requested');
    expect(note.body).toContain('cannot be confirmed');
    expect(note.body).toContain('open TokenDesk and press Copy in the window');
    expect(fake.clipboard.systemText()).toBe('');
  });

  it('a clipboard the OS refuses is reported as a failed copy, never as copied', async () => {
    const fake = await launch({ env: { TOKENDESK_DATA_DIR: path.join(root, 'vault'), XDG_SESSION_TYPE: 'x11' } });
    await withAccount(fake);
    fake.clipboard.refuse = true;
    const note = await clickCopy(fake, 'myfiber prod');
    expect(note.title).toBe('Could not copy the token for myfiber prod');
    expect(fake.record.notifications.map((n) => n.title)).not.toContain('Token copied');
  });
});
