import type { BrowserWindow } from 'electron';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../main/electron/app-protocol.js';
import { createMainWindow } from '../../../main/electron/window.js';
import { createFakeBrowserWindowClass, type FakeBrowserWindow } from '../../fixtures/electron/browser-window.js';
import { FakeSession } from '../../fixtures/electron/session.js';

describe('createMainWindow', () => {
  const session = new FakeSession();
  const FakeWindow = createFakeBrowserWindowClass(session);
  const win = createMainWindow(FakeWindow as unknown as typeof BrowserWindow, { preloadPath: '/app/dist/preload/index.cjs', devTools: false }) as unknown as FakeBrowserWindow;

  it('isolates and sandboxes the page, without Node', () => {
    expect(win.options.webPreferences).toMatchObject({
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

  it('loads only our own app:// page, and shows the window once it is ready', async () => {
    expect(win.loaded).toEqual(['app://tokendesk/index.html']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(win.shown).toBe(1);
  });

  it('denies navigation, redirects, webviews and new windows', () => {
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview', 'will-frame-navigate'] as const) {
      expect(win.webContents.attempt(event, 'https://evil.example/'), event).toBe(false);
    }
    expect(win.webContents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('denies every permission request and check', async () => {
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal'] as const) {
      expect(await session.pageRequestsPermission(permission), permission).toBe(false);
    }
  });

  it("so the page's own navigator.clipboard.writeText is refused: copying must go through the main process", async () => {
    await expect(session.pageClipboardWrite('app://tokendesk')).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('adds the same strict CSP to every response of the session', async () => {
    expect(await session.headersFor('app://tokendesk/index.html', { 'Content-Type': ['text/html'] })).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
  });

  it('disables middle-click new windows (Auxclick)', () => {
    expect(win.options.webPreferences?.disableBlinkFeatures).toBe('Auxclick');
  });
});
