import { describe, expect, it } from 'vitest';
import type { WebFrameMain } from 'electron';
import { IPC_CHANNELS, IPC_EVENT_CHANNEL, type IpcChannel, type IpcHandlers } from '../../../shared/ipc.js';
import { VaultError } from '../../../main/core/errors.js';
import { createTrustedSenderCheck, registerIpcHandlers, sendAppEvent } from '../../../main/electron/ipc.js';
import { buildTokenDeskApi } from '../../../main/preload/api.js';
import { createFakeIpc, type FakeFrame } from '../../fixtures/electron/ipc.js';

function frame(props: { processId: number; routingId: number; url: string; parent?: unknown }): WebFrameMain {
  return { parent: null, ...props } as unknown as WebFrameMain;
}

const ourFrame = frame({ processId: 4, routingId: 1, url: 'app://tokendesk/index.html' });

/** A handler table whose every handler records its call. */
function recordingHandlers() {
  const calls: Array<{ channel: string; request: unknown }> = [];
  const handlers = Object.fromEntries(
    IPC_CHANNELS.map((channel) => [
      channel,
      async (request: unknown) => {
        calls.push({ channel, request });
        if (channel === 'tokens:copy') return { ok: true, value: { expiresAt: 5, clearsAt: 9, accessToken: 'LEAKED-SECRET' } };
        if (channel === 'accounts:remove') throw new VaultError('ERR_VAULT_LOCKED', 'The vault is locked.');
        if (channel === 'accounts:rename') throw new Error('boom with client_secret=hunter2');
        return { ok: true, value: {} };
      },
    ]),
  ) as unknown as IpcHandlers;
  return { calls, handlers };
}

function setup() {
  const ipc = createFakeIpc({ frame: ourFrame as unknown as FakeFrame });
  const { calls, handlers } = recordingHandlers();
  const unregister = registerIpcHandlers(ipc.ipcMain, handlers, createTrustedSenderCheck(() => ourFrame));
  const invoke = (channel: IpcChannel, payload: unknown, sender: WebFrameMain | null = ourFrame) => ipc.invokeFrom(sender as unknown as FakeFrame | null, channel, payload);
  return { calls, invoke, listeners: ipc.handlers, unregister, ipc };
}

describe('registerIpcHandlers', () => {
  it('registers exactly the channels of the contract, and removes them again', () => {
    const { listeners, unregister } = setup();
    expect([...listeners.keys()].sort()).toEqual([...IPC_CHANNELS].sort());
    unregister();
    expect(listeners.size).toBe(0);
  });

  it('passes a valid call through and strips fields the response schema does not name', async () => {
    const { calls, invoke } = setup();
    const result = await invoke('tokens:copy', { name: 'myfiber production', what: 'header' });
    expect(calls).toEqual([{ channel: 'tokens:copy', request: { name: 'myfiber production', what: 'header' } }]);
    expect(result).toEqual({ ok: true, value: { expiresAt: 5, clearsAt: 9 } });
  });

  it('refuses a malformed payload without calling the handler', async () => {
    const { calls, invoke } = setup();
    for (const payload of [undefined, null, 'tokens', { name: 'a', what: 'password' }, { name: '', what: 'token' }, { name: 'a', what: 'token', extra: 1 }, { name: 42, what: 'token' }]) {
      const result = await invoke('tokens:copy', payload);
      expect(result).toMatchObject({ ok: false, error: { kind: 'input', code: 'ERR_IPC_INVALID' } });
    }
    expect(calls).toEqual([]);
  });

  it('refuses a foreign sender without calling the handler', async () => {
    const { calls, invoke } = setup();
    const foreign = [
      null,
      frame({ processId: 9, routingId: 1, url: 'app://tokendesk/index.html' }), // another window
      frame({ processId: 4, routingId: 1, url: 'https://evil.example/' }), // our frame, navigated away
      frame({ processId: 4, routingId: 7, url: 'app://tokendesk/index.html' }), // a subframe
      frame({ processId: 4, routingId: 1, url: 'app://tokendesk/x', parent: ourFrame }),
    ];
    for (const sender of foreign) {
      expect(await invoke('accounts:list', {}, sender)).toMatchObject({ ok: false, error: { code: 'ERR_IPC_SENDER' } });
    }
    expect(calls).toEqual([]);
  });

  it('turns thrown errors into results; unknown errors get a generic message', async () => {
    const { invoke } = setup();
    expect(await invoke('accounts:remove', { name: 'a' })).toEqual({ ok: false, error: { kind: 'vault', code: 'ERR_VAULT_LOCKED', message: 'The vault is locked.' } });
    const unknown = await invoke('accounts:rename', { name: 'a', newName: 'b' });
    expect(unknown).toMatchObject({ ok: false, error: { kind: 'internal', code: 'ERR_INTERNAL' } });
    expect(JSON.stringify(unknown)).not.toContain('hunter2');
  });

  it('refuses a response that does not match its schema', async () => {
    const { invoke } = setup();
    // accounts:list must answer an array; the recording handler answers {}.
    expect(await invoke('accounts:list', {})).toMatchObject({ ok: false, error: { code: 'ERR_IPC_RESPONSE' } });
  });
});

describe('preload to main, through Electron-like IPC', () => {
  it("the window's API reaches the handlers as a structured clone and gets the checked answer", async () => {
    const { ipc, calls } = setup();
    const api = buildTokenDeskApi(ipc.ipcRenderer);
    expect(await api['tokens:copy']({ name: 'myfiber production', what: 'token' })).toEqual({ ok: true, value: { expiresAt: 5, clearsAt: 9 } });
    expect(calls).toEqual([{ channel: 'tokens:copy', request: { name: 'myfiber production', what: 'token' } }]);
  });

  it('a request that cannot be cloned (a function) fails in the renderer, as in Electron, and never reaches a handler', async () => {
    const { ipc, calls } = setup();
    const api = buildTokenDeskApi(ipc.ipcRenderer);
    await expect(api['accounts:list']({ sneaky: () => 1 } as never)).rejects.toThrow();
    expect(calls).toEqual([]);
  });
});

describe('sendAppEvent', () => {
  it('sends schema-checked events on the event channel, and nothing to a destroyed window', () => {
    const sent: unknown[][] = [];
    let destroyed = false;
    const contents = { send: (...args: unknown[]) => sent.push(args), isDestroyed: () => destroyed };
    sendAppEvent(contents, { type: 'clipboard', state: 'copied', account: 'a' });
    expect(sent).toEqual([[IPC_EVENT_CHANNEL, { type: 'clipboard', state: 'copied', account: 'a' }]]);
    expect(() => sendAppEvent(contents, { type: 'nonsense' } as never)).toThrow();
    destroyed = true;
    sendAppEvent(contents, { type: 'accounts-changed' });
    expect(sent).toHaveLength(1);
  });
});
