/**
 * Builds `window.tokendesk`: one method per channel of the IPC contract and
 * `onEvent`. Nothing generic: no `invoke(channel)`, no `send`, and a listener
 * never sees the raw IpcRendererEvent (whose `sender` would hand the page the
 * ipcRenderer itself).
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import { IPC_CHANNELS, IPC_EVENT_CHANNEL, type AppEvent, type IpcChannel, type TokenDeskApi } from '../../shared/ipc.js';

export type PreloadIpc = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

export function buildTokenDeskApi(ipcRenderer: PreloadIpc, channels: readonly IpcChannel[] = IPC_CHANNELS): TokenDeskApi {
  const api: Record<string, unknown> = {};
  for (const channel of channels) {
    // Each method is bound to its own channel: the page cannot choose one.
    api[channel] = (request: unknown) => ipcRenderer.invoke(channel, request);
  }
  api['onEvent'] = (listener: (event: AppEvent) => void): (() => void) => {
    const forward = (_event: IpcRendererEvent, payload: AppEvent) => listener(payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward);
    };
  };
  return Object.freeze(api) as TokenDeskApi;
}
