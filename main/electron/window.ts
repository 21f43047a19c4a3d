/**
 * The one window. Locked down: isolated, sandboxed preload, no Node in the
 * page, our own `app://` content only (CSP set by app-protocol.ts), no
 * navigation, no new windows, no webviews, every permission denied.
 */
import type { BrowserWindow as BrowserWindowClass, Session } from 'electron';
import { APP_INDEX_URL, APP_ORIGIN } from './app-protocol.js';

export interface MainWindowOptions {
  /** Absolute path of dist/preload/index.cjs (a sandboxed preload must be one CommonJS file). */
  preloadPath: string;
  /** DevTools only in an unpackaged run. */
  devTools: boolean;
}

/** Denies every permission request and check for the session (notifications, media, clipboard-read, ...). */
export function denyAllPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** True for a URL inside our own app origin. */
export function isAppUrl(url: string): boolean {
  return url.startsWith(APP_ORIGIN + '/');
}

export function createMainWindow(BrowserWindow: typeof BrowserWindowClass, options: MainWindowOptions): BrowserWindowClass {
  const win = new BrowserWindow({
    width: 1040,
    height: 720,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'TokenDesk',
    autoHideMenuBar: true,
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: options.devTools,
    },
  });
  const contents = win.webContents;
  denyAllPermissions(contents.session);
  // The page never leaves app://tokendesk: links to vendor sites go through the tray or
  // an explicit "open in browser" action in the main process, not through navigation.
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_INDEX_URL);
  return win;
}
