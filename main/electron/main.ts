/**
 * The Electron entry: the only file that imports Electron's runtime. Every
 * other file in main/electron receives the Electron objects it needs as
 * arguments (typed with Electron's own definitions), which is how they are
 * unit-tested without the binary.
 *
 * Order matters: see `prepare()`. Any failure, before or after `ready`,
 * is shown in plain words and ends the process (startup.ts).
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, nativeImage, net, Notification, powerMonitor, protocol, safeStorage, session as electronSession, shell, Tray } from 'electron';
import { createApiHandlers } from '../core/api.js';
import { createAgentApprovals } from '../core/api/agent-approvals.js';
import { createSessionAutoLock } from '../core/api/lock-session.js';
import { createSessionAgent, unlockedAccounts } from '../core/api/session-agent.js';
import { AppSession } from '../core/app-session.js';
import { isTokenDeskError, SystemError } from '../core/errors.js';
import type { AppEvent, IpcHandlers } from '../../shared/ipc.js';
import { APP_SCHEME_PRIVILEGES, registerAppProtocol } from './app-protocol.js';
import { createDesktopClipboardGuard, createNotifier, isNativeWayland } from './clipboard.js';
import { createTrayCopy } from './tray-copy.js';
import { installUserDesktopEntry } from './linux-desktop-entry.js';
import { createTrustedSenderCheck, registerIpcHandlers, sendAppEvent } from './ipc.js';
import { createElectronPorts } from './ports.js';
import { CallbackRouter, registerProtocolHandling } from './protocol-routing.js';
import { keychainStatus, SafeStorageKeySlot } from './safe-storage-slot.js';
import { watchPowerEvents } from './power-lock.js';
import { sandboxRefusal } from './sandbox-guard.js';
import { TRAY_ICON_DATA_URL } from './tray-icon.js';
import { TrayMenu } from './tray.js';
import { createMainWindow } from './window.js';
import { forgetTokenDeskVariables } from '../core/child-environment.js';
import { installAppMenu } from './app-menu.js';
import { environmentForCallback, rememberCallbackVault } from './callback-target.js';
import { APP_NAME, applyDataFolders, removeChromiumLeftovers, resolveDataFolders, type DataFolders } from './data-folders.js';
import { failStart, startWhenReady, type StartFailureOutput } from './startup.js';

const TRAY_REFRESH_MS = 30_000;

const startFailure: StartFailureOutput = { showErrorBox: (title, content) => dialog.showErrorBox(title, content), log: (line) => console.error(line) };

/**
 * Everything before `ready`, in this order: the sandbox check, the app name
 * and menu (before Electron's default menu at will-finish-launching), the two
 * data folders (before anything asks for userData), the privileged `app://`
 * scheme, the desktop entry, the single-instance lock and callback-URL
 * routing. A failure here is shown and ends the process like a failure
 * during start.
 */
function prepare(): { refusal: SystemError } | { folders: DataFolders; primary: boolean } {
  // Never without Chromium's sandbox (electron-builder's AppImage launcher adds --no-sandbox by itself).
  const sandboxProblem = sandboxRefusal({ packaged: app.isPackaged, platform: process.platform, hasSwitch: (name) => app.commandLine.hasSwitch(name) });
  // Told once ready: before `ready` Linux prints the error box to stderr only (dialog.md showErrorBox).
  if (sandboxProblem) return { refusal: new SystemError('ERR_SANDBOX', sandboxProblem) };

  app.setName(APP_NAME);
  installAppMenu(Menu, process.platform);
  const appData = app.getPath('appData');
  // The CLI computes the same vault folder without Electron (main/cli/data-dir.ts): appData + TokenDesk,
  // or TOKENDESK_DATA_DIR (also for tests). Chromium's files go to a folder of their own beside it.
  const env = environmentForCallback(process.argv, process.env, appData, Date.now());
  const folders = resolveDataFolders({ env, appData, cwd: process.cwd(), platform: process.platform });
  applyDataFolders(app, folders);
  // Read; now no browser or other child we start may inherit a TOKENDESK_* variable (SPEC 3).
  forgetTokenDeskVariables(process.env);
  if (process.platform === 'win32') app.setAppUserModelId('app.tokendesk');
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

  // An AppImage and `npm start` bring no desktop entry; without one the OS cannot hand us tokendesk:// URLs.
  try {
    const desktopFile = installUserDesktopEntry({
      env: process.env,
      platform: process.platform,
      homeDir: app.getPath('home'),
      defaultApp: process.defaultApp === true,
      execPath: process.execPath,
      appPath: app.getAppPath(),
    });
    // Before `ready`: it names the desktop file for setAsDefaultProtocolClient, WM_CLASS and the Wayland app_id.
    if (desktopFile) app.setDesktopName(desktopFile);
  } catch {
    // Not fatal: the loopback redirect and the paste-the-URL fallback still work.
  }

  const { primary } = registerProtocolHandling(app, router, {
    argv: process.argv,
    defaultApp: process.defaultApp === true,
    execPath: process.execPath,
    ...(process.defaultApp ? { appPath: app.getAppPath() } : {}),
    onSecondInstance: showWindow,
  });
  return { folders, primary };
}

const notify = createNotifier(Notification);
let mainWindow: BrowserWindow | undefined;

function showWindow(): void {
  if (!app.isReady()) return;
  if (!mainWindow || mainWindow.isDestroyed()) {
    mainWindow = createMainWindow(BrowserWindow, {
      preloadPath: path.join(app.getAppPath(), 'dist', 'preload', 'index.cjs'),
      devTools: !app.isPackaged,
    });
    mainWindow.on('closed', () => (mainWindow = undefined));
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/** A readable line for a notification: our errors carry one; anything else gets a generic text. */
function describe(error: unknown): string {
  return isTokenDeskError(error) ? error.message : 'TokenDesk ran into an internal problem.';
}

const router = new CallbackRouter((error) => notify('Sign-in not completed', describe(error)));

let prepared: ReturnType<typeof prepare> | undefined;
try {
  prepared = prepare();
} catch (error) {
  failStart(app, startFailure, error);
}
if (prepared && 'refusal' in prepared) {
  const { refusal } = prepared;
  void startWhenReady(app, () => Promise.reject(refusal), startFailure);
} else if (prepared?.primary) {
  const { folders } = prepared;
  void startWhenReady(app, () => start(folders), startFailure);
}

async function start(folders: DataFolders): Promise<void> {
  // Holding the lock now, so no older instance is using them.
  removeChromiumLeftovers(folders.vault, { existsSync, rmSync });
  registerAppProtocol(protocol, path.join(app.getAppPath(), 'dist', 'renderer'));
  const ports = createElectronPorts({
    net,
    shell,
    session: electronSession.defaultSession,
    saveDialog: { dialog, parent: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : undefined), folder: () => app.getPath('documents') },
  });
  const session = new AppSession({
    dataDir: folders.vault,
    ports,
    // On Linux without a keyring (basic_text) the status says so, and the session requires a passphrase.
    keychain: { status: () => keychainStatus(safeStorage, process.platform), provider: new SafeStorageKeySlot(safeStorage, process.platform) },
  });
  const wayland = isNativeWayland(process.platform, process.env, app.commandLine.getSwitchValue('ozone-platform'));
  const clipboardGuard = createDesktopClipboardGuard({ clipboard, notify, now: () => ports.clock.now(), wayland });

  const tray = new Tray(nativeImage.createFromDataURL(TRAY_ICON_DATA_URL));
  const trayMenu = new TrayMenu({
    tray,
    buildFromTemplate: (template) => Menu.buildFromTemplate(template),
    now: () => ports.clock.now(),
    actions: {
      copyToken: (name) => void copyFromTray(name, false),
      refreshAndCopy: (name) => void copyFromTray(name, true),
      openWindow: showWindow,
      lock: () => void handlers['app:lock']({}),
      quit: () => app.quit(),
    },
    // A tray click is the user at the computer: the idle lock waits again (main/core/auto-lock.ts).
    onUserAction: () => autoLock.noteActivity(),
  });
  const refreshTray = async (): Promise<void> => {
    try {
      trayMenu.update(await session.accounts().list());
    } catch (error) {
      trayMenu.update(isTokenDeskError(error) && error.kind === 'vault' ? 'locked' : []);
    }
  };
  setInterval(() => trayMenu.rebuild(), TRAY_REFRESH_MS).unref();

  const emit = (event: AppEvent): void => {
    sendAppEvent(mainWindow?.webContents, event);
    if (event.type === 'accounts-changed') void refreshTray();
    // A sign-in, or a program asking the agent, waits for the user: its dialog must be in view (a new window asks agent:pending).
    if (event.type === 'authorization-prompt' || event.type === 'device-code-prompt' || event.type === 'agent-approval') showWindow();
    // A tokendesk:// callback started by the OS must find this vault (callback-target.ts).
    if (event.type === 'authorization-prompt') rememberCallbackVaultQuietly(folders.vault);
  };
  // While unlocked the app is an agent too: the command line asks it, and the user answers in the window.
  const approvals = createAgentApprovals(emit);
  const sessionAgent = createSessionAgent({ dataDir: folders.vault, session: () => unlockedAccounts(session), approvals });
  // The vault locks itself after the idle time, on the screen lock and on sleep, through the same path as the Lock button.
  const autoLock = createSessionAutoLock({ session, agent: sessionAgent, emit, clock: ports.clock, systemIdleSeconds: () => powerMonitor.getSystemIdleTime() });
  watchPowerEvents({ powerMonitor, autoLock });
  const handlers: IpcHandlers = createApiHandlers({
    session,
    clipboard: clipboardGuard,
    ports,
    openExternal: (url) => ports.openExternal!(url),
    emit,
    approvals,
    agent: sessionAgent,
    autoLock,
  });
  const copyFromTray = createTrayCopy({ copy: (request) => handlers['tokens:copy'](request), notify, now: () => ports.clock.now(), wayland });
  registerIpcHandlers(ipcMain, handlers, createTrustedSenderCheck(() => mainWindow?.webContents.mainFrame));
  router.setHandler(async (url) => {
    showWindow();
    await session.accounts().completeAuthorization(url);
  });

  // The tray keeps the app alive; closing the window does not quit.
  app.on('window-all-closed', () => undefined);
  app.on('activate', showWindow);
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    // Clear our token from the clipboard (only if it is still ours) before leaving.
    event.preventDefault();
    quitting = true;
    autoLock.stop();
    clipboardGuard.flush();
    // No program may be handed anything by a process on its way out: the agent stops (endpoint and rendezvous file removed) first.
    void clipboardGuard
      .settled()
      .then(() => sessionAgent.onLocked())
      .finally(() => {
        session.lock();
        app.quit();
      });
  });

  // Everyday start: the keychain opens the vault without a prompt.
  if (await session.unlockWithKeychain()) {
    await sessionAgent.onUnlocked();
    autoLock.start();
  }
  await refreshTray();
  showWindow();
}

function rememberCallbackVaultQuietly(vault: string): void {
  try {
    rememberCallbackVault(app.getPath('appData'), vault, Date.now());
  } catch {
    // Not fatal: the sign-in dialog's paste-the-URL fallback still completes it.
  }
}

