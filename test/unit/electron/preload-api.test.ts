import { describe, expect, it } from 'vitest';
import { IPC_CHANNELS, IPC_EVENT_CHANNEL, type AppEvent } from '../../../shared/ipc.js';
import { buildTokenDeskApi } from '../../../main/preload/api.js';
import { createFakeIpc, type FakeFrame } from '../../fixtures/electron/ipc.js';

const ourFrame: FakeFrame = { processId: 4, routingId: 1, url: 'app://tokendesk/index.html', parent: null };

/** Electron's ipcRenderer over a main process that answers every channel (test/fixtures/electron/ipc.ts). */
function fakeIpcRenderer() {
  const ipc = createFakeIpc({ frame: ourFrame });
  for (const channel of IPC_CHANNELS) ipc.ipcMain.handle(channel, () => ({ ok: true, value: {} }));
  return { ipc: ipc.ipcRenderer, invoked: ipc.invoked, listeners: ipc.listeners, sendToRenderer: ipc.sendToRenderer };
}

describe('buildTokenDeskApi', () => {
  it('exposes one method per contract channel plus onEvent, and nothing generic', () => {
    const api = buildTokenDeskApi(fakeIpcRenderer().ipc);
    expect(Object.keys(api).sort()).toEqual([...IPC_CHANNELS, 'onEvent'].sort());
    expect(api).not.toHaveProperty('invoke');
    expect(api).not.toHaveProperty('send');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('each method invokes its own channel with the request', async () => {
    const { ipc, invoked } = fakeIpcRenderer();
    const api = buildTokenDeskApi(ipc);
    await api['tokens:copy']({ name: 'myfiber production', what: 'token' });
    await api['accounts:list']({});
    expect(invoked).toEqual([
      { channel: 'tokens:copy', args: [{ name: 'myfiber production', what: 'token' }] },
      { channel: 'accounts:list', args: [{}] },
    ]);
  });

  it('delivers events without the raw IpcRendererEvent, and unsubscribes', () => {
    const { ipc, listeners, sendToRenderer } = fakeIpcRenderer();
    const api = buildTokenDeskApi(ipc);
    const received: unknown[][] = [];
    const off = api.onEvent((...args) => received.push(args));
    const payload: AppEvent = { type: 'accounts-changed' };
    // Electron hands listeners an IpcRendererEvent whose `sender` is ipcRenderer itself: the page must never see it.
    sendToRenderer(IPC_EVENT_CHANNEL, payload);
    expect(received).toEqual([[payload]]);
    off();
    expect(listeners.get(IPC_EVENT_CHANNEL)!.size).toBe(0);
  });
});
