/**
 * The real composition root, main/electron/main.ts, loaded over the Electron
 * fakes of test/fixtures/electron (vi.doMock('electron')): the start-up order,
 * the data folders, the single-instance lock per vault folder, what happens
 * when start fails, and the menu. Each launch is a fresh module instance
 * sharing one FakeMachine, like two processes on one computer.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentUnavailableError, askAgent } from '../../../main/core/agent/client.js';
import { readRendezvous } from '../../../main/core/agent/rendezvous.js';
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
  /** The platform the fake powerMonitor behaves as. */
  platform?: NodeJS.Platform;
  argv?: string[];
  cwd?: string;
  /** One key for every launch on this "computer", so the keychain opens what an earlier launch wrapped. */
  machineKey?: Buffer;
  before?(fake: FakeElectron): void;
}

/** Loads main.ts as a new process would, then lets Chromium become ready and waits for start to settle. */
async function launch(options: Launch = {}): Promise<FakeElectron> {
  const argv = ['/usr/lib/tokendesk/tokendesk-app', ...(options.argv ?? [])];
  const fake = createFakeElectron({
    machine,
    argv,
    isPackaged: true,
    appPath: path.join(root, 'app'),
    ...(options.machineKey ? { safeStorage: { machineKey: options.machineKey } } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
  });
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

describe('the app is an agent while unlocked (issue 11 item 3)', () => {
  let provider: ProviderServer;
  beforeAll(async () => {
    provider = await startProviderServer();
  });
  afterAll(() => provider.close());

  const caller = { pid: 4242, executable: '/usr/bin/curl' };

  function windowCall(fake: FakeElectron, channel: string, payload: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
    const frame = fake.BrowserWindow.created.at(-1)!.webContents.mainFrame;
    return fake.record.ipcHandlers.get(channel)!({ senderFrame: frame }, payload) as never;
  }

  async function until(condition: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 300; i++) {
      if (condition()) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`never happened: ${what}`);
  }

  it('serves from the vault’s creation, stops on the window’s Lock, serves again after unlock, and stops on quit', async () => {
    const vault = path.join(root, 'vault');
    const fake = await launch({ env: { TOKENDESK_DATA_DIR: vault } });
    expect(readRendezvous(vault)).toBeUndefined();
    expect(await windowCall(fake, 'app:create', {})).toMatchObject({ ok: true });
    expect(readRendezvous(vault)).toMatchObject({ kind: 'app' });
    expect(await askAgent(vault, { op: 'status' }, { caller })).toMatchObject({ kind: 'app' });

    expect(await windowCall(fake, 'app:lock', {})).toMatchObject({ ok: true });
    expect(readRendezvous(vault)).toBeUndefined();
    await expect(askAgent(vault, { op: 'status' }, { caller })).rejects.toBeInstanceOf(AgentUnavailableError);
    // The window is told, and so is the tray.
    expect(fake.BrowserWindow.created[0]!.webContents.sent.map((sent) => sent.args[0])).toContainEqual({ type: 'locked', reason: 'user' });
    await until(() => fake.record.trays[0]!.menus.at(-1)!.template.some((item) => item.label?.startsWith('Locked')), 'the tray says locked');

    expect(await windowCall(fake, 'app:unlock', {})).toMatchObject({ ok: true });
    expect(await askAgent(vault, { op: 'status' }, { caller })).toMatchObject({ kind: 'app' });

    let prevented = false;
    fake.app.emit('before-quit', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await until(() => fake.app.quitCalls > 0, 'quit');
    expect(readRendezvous(vault)).toBeUndefined();
    await expect(askAgent(vault, { op: 'status' }, { caller })).rejects.toBeInstanceOf(AgentUnavailableError);
  });

  it('the keychain unlock at start serves at once; the tray’s "Lock TokenDesk" stops it', async () => {
    const vault = path.join(root, 'vault');
    const machineKey = randomBytes(32);
    const first = await launch({ env: { TOKENDESK_DATA_DIR: vault }, machineKey });
    expect(await windowCall(first, 'app:create', {})).toMatchObject({ ok: true });
    first.app.emit('before-quit', { preventDefault: () => undefined });
    await until(() => first.app.quitCalls > 0, 'the first launch quit');

    const fake = await launch({ env: { TOKENDESK_DATA_DIR: vault }, machineKey });
    await until(() => readRendezvous(vault) !== undefined, 'the agent serves after the keychain unlock');
    expect(await askAgent(vault, { op: 'status' }, { caller })).toMatchObject({ kind: 'app' });

    const tray = fake.record.trays[0]!;
    await until(() => tray.menus.at(-1)!.template.some((item) => item.label === 'Lock TokenDesk'), 'the tray offers Lock');
    const lock = tray.menus.at(-1)!.template.find((item) => item.label === 'Lock TokenDesk')!;
    lock.click!(undefined as never, undefined as never, undefined as never);
    await until(() => readRendezvous(vault) === undefined, 'the agent stops');
    expect(await windowCall(fake, 'app:status', {})).toMatchObject({ ok: true, value: { vault: 'locked' } });
    await until(() => !tray.menus.at(-1)!.template.some((item) => item.label === 'Lock TokenDesk'), 'the tray has nothing to lock');
  });

  it('a program’s request brings the window back even after it was closed, and the new window finds the question', async () => {
    const vault = path.join(root, 'vault');
    const fake = await launch({ env: { TOKENDESK_DATA_DIR: vault } });
    await windowCall(fake, 'app:create', {});
    const text = `name = "myfiber prod"\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${provider.clients.myfiber.clientId}"\nclient_secret = "${provider.clients.myfiber.clientSecret}"\n`;
    expect(await windowCall(fake, 'accounts:import', { text })).toMatchObject({ ok: true });
    // Closing the window does not quit (the tray keeps the app); the agent keeps serving.
    fake.BrowserWindow.created[0]!.close();

    const token = askAgent(vault, { op: 'token', name: 'myfiber prod' }, { caller });
    await until(() => fake.BrowserWindow.created.length === 2, 'a new window');
    // Its page was not there for the event: it asks what is waiting.
    const pending = await windowCall(fake, 'agent:pending', {});
    expect(pending).toMatchObject({ ok: true, value: [{ type: 'agent-approval', account: 'myfiber prod', operation: 'token', caller }] });
    const id = (pending.value as Array<{ id: string }>)[0]!.id;
    expect(await windowCall(fake, 'agent:answer', { id, answer: 'once' })).toMatchObject({ ok: true });
    expect(provider.isAccessTokenActive('myfiber', (await token).accessToken)).toBe(true);
    // The hand-out reaches the window's history through the response schema, caller and all.
    let history: { value?: unknown } = {};
    for (let i = 0; i < 300; i++) {
      history = await windowCall(fake, 'accounts:history', { name: 'myfiber prod' });
      if (JSON.stringify(history).includes('hand-out')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((history.value as { entries: unknown[] }).entries).toContainEqual(expect.objectContaining({ request: 'hand-out', caller: { ...caller, reported: true } }));

    // A window that is open but hidden is shown again.
    const window = fake.BrowserWindow.created[1]!;
    const shown = window.shown;
    const again = askAgent(vault, { op: 'token', name: 'myfiber prod' }, { caller });
    await until(() => window.shown > shown, 'the window is shown');
    const next = (await windowCall(fake, 'agent:pending', {})).value as Array<{ id: string }>;
    await windowCall(fake, 'agent:answer', { id: next[0]!.id, answer: 'deny' });
    await expect(again).rejects.toMatchObject({ code: 'ERR_AGENT_DENIED' });

    // The per-account setting crosses the window's IPC both ways, and then the program is not asked.
    expect(await windowCall(fake, 'accounts:update', { name: 'myfiber prod', patch: { agentApproval: false } })).toMatchObject({ ok: true });
    expect(await windowCall(fake, 'accounts:get', { name: 'myfiber prod' })).toMatchObject({ ok: true, value: { agentApproval: false } });
    const windows = fake.BrowserWindow.created.length;
    expect((await askAgent(vault, { op: 'token', name: 'myfiber prod' }, { caller })).accessToken).toBeTruthy();
    expect(await windowCall(fake, 'agent:pending', {})).toEqual({ ok: true, value: [] });
    expect(fake.BrowserWindow.created.length).toBe(windows);
    fake.app.emit('before-quit', { preventDefault: () => undefined });
    await until(() => fake.app.quitCalls > 0, 'quit');
  });
});

describe('the vault locks with the screen and with sleep (issue 13 item 10)', () => {
  const caller = { pid: 4242, executable: '/usr/bin/curl' };

  function windowCall(fake: FakeElectron, channel: string, payload: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
    const frame = fake.BrowserWindow.created.at(-1)!.webContents.mainFrame;
    return fake.record.ipcHandlers.get(channel)!({ senderFrame: frame }, payload) as never;
  }

  async function until(condition: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 300; i++) {
      if (condition()) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`never happened: ${what}`);
  }

  const sentEvents = (fake: FakeElectron) => fake.BrowserWindow.created[0]!.webContents.sent.map((sent) => sent.args[0]);

  it("on the screen lock (powerMonitor 'lock-screen'): the agent stops, the window and the tray say Locked; the keychain opens it again without a passphrase", async () => {
    const vault = path.join(root, 'vault');
    const fake = await launch({ env: { TOKENDESK_DATA_DIR: vault }, platform: 'darwin' });
    expect(await windowCall(fake, 'app:create', {})).toMatchObject({ ok: true });
    expect(await askAgent(vault, { op: 'status' }, { caller })).toMatchObject({ kind: 'app' });

    fake.powerMonitor.lockScreen();
    await until(() => sentEvents(fake).some((event) => (event as { type: string }).type === 'locked'), 'the window is told');
    expect(sentEvents(fake)).toContainEqual({ type: 'locked', reason: 'screen-locked' });
    await until(() => readRendezvous(vault) === undefined, 'the agent stops');
    await expect(askAgent(vault, { op: 'status' }, { caller })).rejects.toBeInstanceOf(AgentUnavailableError);
    expect(await windowCall(fake, 'app:status', {})).toMatchObject({ ok: true, value: { vault: 'locked' } });
    const tray = fake.record.trays[0]!;
    await until(() => tray.menus.at(-1)!.template.some((item) => item.label === 'Locked'), 'the tray says Locked');
    expect(tray.tooltip).toBe('TokenDesk (locked)');

    // The keychain (safeStorage) still holds the key: Open needs no passphrase.
    fake.powerMonitor.unlockScreen();
    expect(await windowCall(fake, 'app:unlock', {})).toMatchObject({ ok: true });
    expect(await askAgent(vault, { op: 'status' }, { caller })).toMatchObject({ kind: 'app' });
    fake.app.emit('before-quit', { preventDefault: () => undefined });
    await until(() => fake.app.quitCalls > 0, 'quit');
  });

  it("on sleep (powerMonitor 'suspend'), on Linux too; a locked screen on Linux is found by polling getSystemIdleState", async () => {
    const vault = path.join(root, 'vault');
    const fake = await launch({ env: { TOKENDESK_DATA_DIR: vault }, platform: 'linux' });
    expect(await windowCall(fake, 'app:create', {})).toMatchObject({ ok: true });
    fake.powerMonitor.sleep();
    await until(() => sentEvents(fake).some((event) => JSON.stringify(event) === JSON.stringify({ type: 'locked', reason: 'suspend' })), 'the sleep lock');
    expect(await windowCall(fake, 'app:status', {})).toMatchObject({ ok: true, value: { vault: 'locked' } });
    expect(readRendezvous(vault)).toBeUndefined();
    fake.powerMonitor.wake();

    expect(await windowCall(fake, 'app:unlock', {})).toMatchObject({ ok: true });
    fake.powerMonitor.lockScreen();
    // Linux has no 'lock-screen' event: the poll (every 5 s) finds it.
    for (let i = 0; i < 80 && !sentEvents(fake).some((event) => JSON.stringify(event) === JSON.stringify({ type: 'locked', reason: 'screen-locked' })); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sentEvents(fake)).toContainEqual({ type: 'locked', reason: 'screen-locked' });
    fake.app.emit('before-quit', { preventDefault: () => undefined });
    await until(() => fake.app.quitCalls > 0, 'quit');
  }, 20_000);
});
