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

/**
 * Second lock on the CSP: app-protocol.ts already sends it with every file;
 * this adds it to any response the session sees. The policy is spelled out
 * literally so that Electronegativity can read and evaluate it; a unit test
 * keeps it equal to CONTENT_SECURITY_POLICY.
 */
export function enforceContentSecurityPolicy(session: Pick<Session, 'webRequest'>): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ],
      },
    });
  });
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
      // Middle-click would otherwise try to open links in a new window (denied below anyway).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  const contents = win.webContents;
  denyAllPermissions(contents.session);
  enforceContentSecurityPolicy(contents.session);
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
