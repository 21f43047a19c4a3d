import { describe, expect, it } from 'vitest';
import type { IpcRendererEvent } from 'electron';
import { IPC_CHANNELS, IPC_EVENT_CHANNEL, type AppEvent } from '../../../shared/ipc.js';
import { buildTokenDeskApi, type PreloadIpc } from '../../../main/preload/api.js';

type Listener = (event: IpcRendererEvent, ...args: unknown[]) => void;

function fakeIpcRenderer() {
  const invoked: unknown[][] = [];
  const listeners = new Map<string, Set<Listener>>();
  const ipc = {
    invoke: async (...args: unknown[]) => {
      invoked.push(args);
      return { ok: true, value: {} };
    },
    on: (channel: string, listener: Listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
      return ipc;
    },
    removeListener: (channel: string, listener: Listener) => {
      listeners.get(channel)?.delete(listener);
      return ipc;
    },
  };
  return { ipc: ipc as unknown as PreloadIpc, invoked, listeners };
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
      ['tokens:copy', { name: 'myfiber production', what: 'token' }],
      ['accounts:list', {}],
    ]);
  });

  it('delivers events without the raw IpcRendererEvent, and unsubscribes', () => {
    const { ipc, listeners } = fakeIpcRenderer();
    const api = buildTokenDeskApi(ipc);
    const received: unknown[][] = [];
    const off = api.onEvent((...args) => received.push(args));
    const rawEvent = { sender: { invoke: () => undefined } } as unknown as IpcRendererEvent;
    const payload: AppEvent = { type: 'accounts-changed' };
    for (const listener of listeners.get(IPC_EVENT_CHANNEL)!) listener(rawEvent, payload);
    expect(received).toEqual([[payload]]);
    off();
    expect(listeners.get(IPC_EVENT_CHANNEL)!.size).toBe(0);
  });
});
