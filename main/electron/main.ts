/**
 * The Electron entry: the only file that imports Electron's runtime. Every
 * other file in main/electron receives the Electron objects it needs as
 * arguments (typed with Electron's own definitions), which is how they are
 * unit-tested without the binary.
 *
 * Order matters: app name and data folder, privileged `app://` scheme,
 * single-instance lock and callback-URL routing all happen before `ready`.
 */
import path from 'node:path';
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, nativeImage, net, Notification, protocol, safeStorage, shell, Tray } from 'electron';
import { createApiHandlers } from '../core/api.js';
import { AppSession } from '../core/app-session.js';
import { isTokenDeskError } from '../core/errors.js';
import type { AppEvent, IpcHandlers } from '../../shared/ipc.js';
import { APP_SCHEME_PRIVILEGES, registerAppProtocol } from './app-protocol.js';
import { createDesktopClipboardGuard, createNotifier } from './clipboard.js';
import { installUserDesktopEntry } from './linux-desktop-entry.js';
import { createTrustedSenderCheck, registerIpcHandlers, sendAppEvent } from './ipc.js';
import { createElectronPorts } from './ports.js';
import { CallbackRouter, registerProtocolHandling } from './protocol-routing.js';
import { keychainStatus, SafeStorageKeySlot } from './safe-storage-slot.js';
import { sandboxRefusal } from './sandbox-guard.js';
import { TRAY_ICON_DATA_URL } from './tray-icon.js';
import { TrayMenu } from './tray.js';
import { createMainWindow } from './window.js';
import { forgetTokenDeskVariables } from '../core/child-environment.js';

const APP_NAME = 'TokenDesk';
const TRAY_REFRESH_MS = 30_000;

// The CLI computes the same folder without Electron (main/cli/data-dir.ts):
// Linux $XDG_CONFIG_HOME/TokenDesk or ~/.config/TokenDesk, macOS
// ~/Library/Application Support/TokenDesk, Windows %APPDATA%\TokenDesk.
// TOKENDESK_DATA_DIR (also honoured by the CLI) points both at another vault, e.g. in tests.
app.setName(APP_NAME);
app.setPath('userData', process.env['TOKENDESK_DATA_DIR'] || path.join(app.getPath('appData'), APP_NAME));
// Read; now no browser or other child we start may inherit a TOKENDESK_* variable (SPEC 3).
forgetTokenDeskVariables(process.env);
if (process.platform === 'win32') app.setAppUserModelId('app.tokendesk');
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

// Never without Chromium's sandbox (electron-builder's AppImage launcher adds --no-sandbox by itself).
const sandboxProblem = sandboxRefusal({ packaged: app.isPackaged, platform: process.platform, hasSwitch: (name) => app.commandLine.hasSwitch(name) });
if (sandboxProblem) {
  // Before `ready` this box goes to stderr on Linux (dialog.md), and app.exit quits at once (browser.cc ExitWithCode).
  dialog.showErrorBox('TokenDesk cannot start', sandboxProblem);
  app.exit(1);
}

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
const { primary } = registerProtocolHandling(app, router, {
  argv: process.argv,
  defaultApp: process.defaultApp === true,
  execPath: process.execPath,
  ...(process.defaultApp && process.argv[1] ? { appPath: path.resolve(process.argv[1]) } : {}),
  onSecondInstance: showWindow,
});

if (primary) {
  app.whenReady().then(start, (error: unknown) => {
    console.error(`TokenDesk could not start: ${describe(error)}`);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  registerAppProtocol(protocol, path.join(app.getAppPath(), 'dist', 'renderer'));
  const ports = createElectronPorts({ net, shell });
  const session = new AppSession({
    dataDir: app.getPath('userData'),
    ports,
    // On Linux without a keyring (basic_text) the status says so, and the session requires a passphrase.
    keychain: { status: () => keychainStatus(safeStorage, process.platform), provider: new SafeStorageKeySlot(safeStorage, process.platform) },
  });
  const clipboardGuard = createDesktopClipboardGuard({ clipboard, notify, now: () => ports.clock.now() });

  const tray = new Tray(nativeImage.createFromDataURL(TRAY_ICON_DATA_URL));
  const trayMenu = new TrayMenu({
    tray,
    buildFromTemplate: (template) => Menu.buildFromTemplate(template),
    now: () => ports.clock.now(),
    actions: {
      copyToken: (name) => void copyFromTray(handlers, name, false),
      refreshAndCopy: (name) => void copyFromTray(handlers, name, true),
      openWindow: showWindow,
      quit: () => app.quit(),
    },
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
    // A sign-in waits for the user (also when a tray click joined it): its dialog must be in view.
    if (event.type === 'authorization-prompt' || event.type === 'device-code-prompt') showWindow();
  };
  const handlers: IpcHandlers = createApiHandlers({
    session,
    clipboard: clipboardGuard,
    ports,
    openExternal: (url) => ports.openExternal!(url),
    emit,
  });
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
    clipboardGuard.flush();
    void clipboardGuard.settled().finally(() => {
      session.lock();
      app.quit();
    });
  });

  // Everyday start: the keychain opens the vault without a prompt.
  await session.unlockWithKeychain();
  await refreshTray();
  showWindow();
}

async function copyFromTray(handlers: IpcHandlers, name: string, force: boolean): Promise<void> {
  const result = await handlers['tokens:copy']({ name, what: 'token', force });
  if (!result.ok) notify(`No token for ${name}`, result.error.message);
}
