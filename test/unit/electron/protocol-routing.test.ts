import { describe, expect, it } from 'vitest';
import { CallbackRouter, findCallbackUrl, isCallbackUrl, registerProtocolHandling } from '../../../main/electron/protocol-routing.js';
import { asElectronApp, FakeApp, FakeMachine } from '../../fixtures/electron/app.js';

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

const machine = () => new FakeMachine('/home/user', '/home/user/.config');

describe('registerProtocolHandling', () => {
  it('quits a second instance without registering anything; its argv goes to the first', () => {
    const computer = machine();
    const first = new FakeApp({ machine: computer, argv: ['/usr/bin/tokendesk'] });
    const seen: string[] = [];
    const router = new CallbackRouter(() => undefined);
    router.setHandler(async (url) => seen.push(url));
    registerProtocolHandling(asElectronApp(first), router, { argv: first.argv, defaultApp: false, execPath: '/x', onSecondInstance: () => undefined });
    computer.protocolClients.clear();

    const second = new FakeApp({ machine: computer, argv: ['/usr/bin/tokendesk', CALLBACK] });
    const result = registerProtocolHandling(asElectronApp(second), new CallbackRouter(() => undefined), { argv: second.argv, defaultApp: false, execPath: '/x', onSecondInstance: () => undefined });
    expect(result.primary).toBe(false);
    expect(second.quitCalls).toBe(1);
    expect(computer.protocolClients.size).toBe(0);
    expect(seen).toEqual([CALLBACK]);
  });

  it('registers both schemes and routes second-instance argv, open-url and the first argv', () => {
    const computer = machine();
    const app = new FakeApp({ machine: computer, argv: ['/usr/bin/tokendesk', REVERSE] });
    const seen: string[] = [];
    let focused = 0;
    const router = new CallbackRouter(() => undefined);
    router.setHandler(async (url) => seen.push(url));
    registerProtocolHandling(asElectronApp(app), router, { argv: app.argv, defaultApp: false, execPath: '/x', onSecondInstance: () => focused++ });
    expect([...computer.protocolClients]).toEqual([
      ['tokendesk', {}],
      ['app.tokendesk', {}],
    ]);
    expect(seen).toEqual([REVERSE]);

    // Chromium puts its own switches before ours.
    new FakeApp({ machine: computer, argv: ['/usr/bin/tokendesk', '--some-chromium-switch', CALLBACK] }).requestSingleInstanceLock();
    expect(seen).toEqual([REVERSE, CALLBACK]);
    expect(focused).toBe(1);

    let prevented = false;
    app.emit('open-url', { preventDefault: () => (prevented = true) }, 'tokendesk://cb?code=2');
    expect(prevented).toBe(true);
    expect(seen.at(-1)).toBe('tokendesk://cb?code=2');
  });

  it('names the app path when run unpackaged, so the OS does not start bare Electron', () => {
    const computer = machine();
    const app = new FakeApp({ machine: computer });
    registerProtocolHandling(asElectronApp(app), new CallbackRouter(() => undefined), { argv: [], defaultApp: true, execPath: '/e/electron', appPath: '/src/app', onSecondInstance: () => undefined });
    expect(computer.protocolClients.get('tokendesk')).toEqual({ execPath: '/e/electron', args: ['/src/app'] });
  });
});
