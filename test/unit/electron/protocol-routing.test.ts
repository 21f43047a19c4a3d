import { describe, expect, it } from 'vitest';
import type { App } from 'electron';
import { CallbackRouter, findCallbackUrl, isCallbackUrl, registerProtocolHandling, type ProtocolApp } from '../../../main/electron/protocol-routing.js';

const CALLBACK = 'tokendesk://callback?code=abc&state=xyz';
const REVERSE = 'app.tokendesk:/callback?code=abc&state=xyz';

describe('findCallbackUrl', () => {
  it('finds the callback URL anywhere in argv, not by position', () => {
    expect(findCallbackUrl(['/opt/TokenDesk/tokendesk', '--no-sandbox', CALLBACK])).toBe(CALLBACK);
    expect(findCallbackUrl([CALLBACK, '--flag'])).toBe(CALLBACK);
    expect(findCallbackUrl(['electron', '/app/dist/main/electron/main.js', '--allow-file-access-from-files', REVERSE, '--x'])).toBe(REVERSE);
  });

  it('ignores foreign strings, other schemes and lookalikes', () => {
    expect(findCallbackUrl(['tokendesk', '--tokendesk://x', 'https://tokendesk.example/cb', 'xtokendesk://cb', 'app.tokendeskx/cb', 'file:///tmp/tokendesk://'])).toBeUndefined();
    expect(findCallbackUrl([])).toBeUndefined();
  });

  it('refuses absurdly long URLs', () => {
    expect(isCallbackUrl('tokendesk://cb?x=' + 'a'.repeat(10_000))).toBe(false);
  });
});

describe('CallbackRouter', () => {
  it('queues URLs that arrive before ready (macOS open-url) and routes them once a handler is set', async () => {
    const seen: string[] = [];
    const router = new CallbackRouter(() => undefined);
    expect(router.route(CALLBACK)).toBe(true);
    expect(router.route('https://evil.example/')).toBe(false);
    expect(seen).toEqual([]);
    router.setHandler(async (url) => seen.push(url));
    router.route(REVERSE);
    expect(seen).toEqual([CALLBACK, REVERSE]);
  });

  it('reports a failing completion instead of throwing', async () => {
    const errors: unknown[] = [];
    const router = new CallbackRouter((error) => errors.push(error));
    router.setHandler(async () => {
      throw new Error('state mismatch');
    });
    router.route(CALLBACK);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(errors).toHaveLength(1);
  });
});

/** A fake of the parts of `app` the registration uses, recording calls. */
function fakeApp(lock: boolean) {
  const listeners = new Map<string, (...args: unknown[]) => void>();
  const registered: unknown[][] = [];
  let quit = 0;
  const app = {
    requestSingleInstanceLock: () => lock,
    quit: () => {
      quit++;
    },
    setAsDefaultProtocolClient: (...args: unknown[]) => {
      registered.push(args);
      return true;
    },
    on: (event: string, listener: (...args: unknown[]) => void) => {
      listeners.set(event, listener);
      return app;
    },
  };
  return { app: app as unknown as ProtocolApp & Pick<App, 'on'>, listeners, registered, quits: () => quit };
}

describe('registerProtocolHandling', () => {
  it('quits a second instance without registering anything', () => {
    const fake = fakeApp(false);
    const result = registerProtocolHandling(fake.app, new CallbackRouter(() => undefined), { argv: [CALLBACK], defaultApp: false, execPath: '/x', onSecondInstance: () => undefined });
    expect(result.primary).toBe(false);
    expect(fake.quits()).toBe(1);
    expect(fake.registered).toEqual([]);
  });

  it('registers both schemes and routes second-instance argv, open-url and the first argv', () => {
    const fake = fakeApp(true);
    const seen: string[] = [];
    let focused = 0;
    const router = new CallbackRouter(() => undefined);
    router.setHandler(async (url) => seen.push(url));
    registerProtocolHandling(fake.app, router, { argv: ['/usr/bin/tokendesk', REVERSE], defaultApp: false, execPath: '/x', onSecondInstance: () => focused++ });
    expect(fake.registered).toEqual([['tokendesk'], ['app.tokendesk']]);
    expect(seen).toEqual([REVERSE]);

    fake.listeners.get('second-instance')!({}, ['/usr/bin/tokendesk', '--some-chromium-switch', CALLBACK], '/home');
    expect(seen).toEqual([REVERSE, CALLBACK]);
    expect(focused).toBe(1);

    let prevented = false;
    fake.listeners.get('open-url')!({ preventDefault: () => (prevented = true) }, 'tokendesk://cb?code=2');
    expect(prevented).toBe(true);
    expect(seen.at(-1)).toBe('tokendesk://cb?code=2');
  });

  it('names the app path when run unpackaged, so the OS does not start bare Electron', () => {
    const fake = fakeApp(true);
    registerProtocolHandling(fake.app, new CallbackRouter(() => undefined), { argv: [], defaultApp: true, execPath: '/e/electron', appPath: '/src/app', onSecondInstance: () => undefined });
    expect(fake.registered[0]).toEqual(['tokendesk', '/e/electron', ['/src/app']]);
  });
});
