/**
 * Registers the handler table of main/core/api.ts on `ipcMain`. Every call is
 * checked twice before a handler runs: the sender must be our window's main
 * frame showing our own `app://` page, and the payload must match the
 * channel's request schema. Responses are parsed with the response schema too,
 * which drops any field the contract does not name (a secret cannot slip out
 * through an extra property).
 */
import * as v from 'valibot';
import type { IpcMain, IpcMainInvokeEvent, WebContents, WebFrameMain } from 'electron';
import {
  AppEventSchema,
  IPC_CONTRACT,
  IPC_EVENT_CHANNEL,
  IpcErrorSchema,
  type AppEvent,
  type IpcChannel,
  type IpcError,
  type IpcHandlers,
  type IpcResult,
} from '../../shared/ipc.js';
import { APP_ORIGIN } from './app-protocol.js';
import { toIpcError } from '../core/api/ipc-error.js';

export type SenderCheck = (frame: WebFrameMain | null) => boolean;
type AnyHandler = (request: unknown) => Promise<IpcResult<unknown>>;

function failure(kind: IpcError['kind'], code: string, message: string): IpcResult<never> {
  return { ok: false, error: { kind, code, message } };
}


/**
 * The answer for one IPC call, exported so tests can drive it without Electron.
 * Never throws: Electron would pass only the bare message to the renderer.
 */
export async function handleIpcCall(channel: IpcChannel, handler: AnyHandler, isTrustedSender: SenderCheck, event: Pick<IpcMainInvokeEvent, 'senderFrame'>, payload: unknown): Promise<IpcResult<unknown>> {
  if (!isTrustedSender(event.senderFrame)) {
    return failure('input', 'ERR_IPC_SENDER', 'This request did not come from the TokenDesk window and was refused.');
  }
  const contract = IPC_CONTRACT[channel];
  const request = v.safeParse(contract.request, payload);
  if (!request.success) {
    const issue = request.issues[0];
    const where = issue ? v.getDotPath(issue) : null;
    return failure('input', 'ERR_IPC_INVALID', `The request to ${channel} is malformed${where ? ` at "${where}"` : ''}.`);
  }
  let result: IpcResult<unknown>;
  try {
    result = await handler(request.output);
  } catch (error) {
    return { ok: false, error: toIpcError(error) };
  }
  if (!result.ok) {
    const error = v.safeParse(IpcErrorSchema, result.error);
    return error.success ? { ok: false, error: error.output } : failure('internal', 'ERR_INTERNAL', 'TokenDesk produced an unreadable error.');
  }
  const response = v.safeParse(contract.response, result.value);
  if (!response.success) return failure('internal', 'ERR_IPC_RESPONSE', `TokenDesk produced an invalid answer for ${channel}.`);
  return { ok: true, value: response.output };
}

/**
 * Registers one `ipcMain.handle` per channel of the contract.
 * Returns a function that removes them again.
 */
export function registerIpcHandlers(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, handlers: IpcHandlers, isTrustedSender: SenderCheck): () => void {
  const channels = Object.keys(IPC_CONTRACT) as IpcChannel[];
  for (const channel of channels) {
    const handler = handlers[channel] as AnyHandler;
    ipcMain.handle(channel, (event, payload: unknown) => handleIpcCall(channel, handler, isTrustedSender, event, payload));
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/**
 * Trusts only the main frame of our window, and only while it shows our own
 * `app://` page: not a subframe, not another window, not a page it was
 * navigated to (navigation is denied anyway; this is the second lock).
 */
export function createTrustedSenderCheck(getMainFrame: () => Pick<WebFrameMain, 'processId' | 'routingId'> | undefined): SenderCheck {
  return (frame) => {
    const main = getMainFrame();
    if (!frame || !main) return false;
    const same = frame === main || (frame.processId === main.processId && frame.routingId === main.routingId);
    return same && frame.parent === null && frame.url.startsWith(APP_ORIGIN + '/');
  };
}

/** Sends a main-to-renderer event after checking it against its schema. */
export function sendAppEvent(webContents: Pick<WebContents, 'send' | 'isDestroyed'> | undefined, event: AppEvent): void {
  if (!webContents || webContents.isDestroyed()) return;
  webContents.send(IPC_EVENT_CHANNEL, v.parse(AppEventSchema, event));
}
