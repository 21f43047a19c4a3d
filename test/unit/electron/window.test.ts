import { describe, expect, it } from 'vitest';
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../../../main/electron/app-protocol.js';
import { createMainWindow } from '../../../main/electron/window.js';

/** A BrowserWindow stand-in that records options, listeners and handlers. */
function fakeBrowserWindowClass() {
  const record = {
    options: undefined as BrowserWindowConstructorOptions | undefined,
    contentsListeners: new Map<string, (event: { url?: string; preventDefault(): void }) => void>(),
    windowOpenHandler: undefined as undefined | ((details: unknown) => unknown),
    permissionRequest: undefined as undefined | ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void),
    permissionCheck: undefined as undefined | ((...args: unknown[]) => boolean),
    headersListener: undefined as undefined | ((details: { responseHeaders?: Record<string, string[]> }, callback: (response: unknown) => void) => void),
    loaded: [] as string[],
  };
  class FakeBrowserWindow {
    webContents = {
      session: {
        setPermissionRequestHandler: (handler: typeof record.permissionRequest) => (record.permissionRequest = handler),
        setPermissionCheckHandler: (handler: typeof record.permissionCheck) => (record.permissionCheck = handler),
        webRequest: { onHeadersReceived: (listener: typeof record.headersListener) => (record.headersListener = listener) },
      },
      on: (event: string, listener: (event: { url?: string; preventDefault(): void }) => void) => record.contentsListeners.set(event, listener),
      setWindowOpenHandler: (handler: (details: unknown) => unknown) => (record.windowOpenHandler = handler),
    };
    constructor(options: BrowserWindowConstructorOptions) {
      record.options = options;
    }
    once() {}
    loadURL(url: string) {
      record.loaded.push(url);
      return Promise.resolve();
    }
  }
  return { record, BrowserWindowClass: FakeBrowserWindow as unknown as typeof BrowserWindow };
}

function navigation(url: string) {
  const event = { url, prevented: false, preventDefault: () => (event.prevented = true) };
  return event;
}

describe('createMainWindow', () => {
  const { record, BrowserWindowClass } = fakeBrowserWindowClass();
  createMainWindow(BrowserWindowClass, { preloadPath: '/app/dist/preload/index.cjs', devTools: false });

  it('isolates and sandboxes the page, without Node', () => {
    expect(record.options?.webPreferences).toMatchObject({
      preload: '/app/dist/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: false,
    });
  });

  it('loads only our own app:// page', () => {
    expect(record.loaded).toEqual(['app://tokendesk/index.html']);
  });

  it('denies navigation, redirects, webviews and new windows', () => {
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const event = navigation('https://evil.example/');
      record.contentsListeners.get(name)!(event);
      expect(event.prevented, name).toBe(true);
    }
    const away = navigation('https://evil.example/');
    record.contentsListeners.get('will-frame-navigate')!(away);
    expect(away.prevented).toBe(true);
    expect(record.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('denies every permission request and check', () => {
    const answers: boolean[] = [];
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal']) {
      record.permissionRequest!({}, permission, (granted) => answers.push(granted));
    }
    expect(answers).toEqual([false, false, false, false, false]);
    expect(record.permissionCheck!({}, 'clipboard-read', 'app://tokendesk', {})).toBe(false);
  });

  it('adds the same strict CSP to every response of the session', () => {
    let answer: unknown;
    record.headersListener!({ responseHeaders: { 'Content-Type': ['text/html'] } }, (response) => (answer = response));
    expect(answer).toEqual({ responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });

  it('disables middle-click new windows (Auxclick)', () => {
    expect(record.options?.webPreferences?.disableBlinkFeatures).toBe('Auxclick');
  });
});
