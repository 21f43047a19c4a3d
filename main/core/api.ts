/**
 * The IPC handler table: one function per channel of shared/ipc.ts, grouped
 * by feature under ./api/ (app, accounts, tokens, flows, agent). The Electron shell
 * wires it to `ipcMain.handle`, the browser test harness to HTTP; both get the
 * same validation, error mapping and secret discipline from here.
 *
 * Every handler validates its request against the contract, catches every
 * error and answers `{ ok: false, error }` (an error thrown in
 * `ipcMain.handle` would reach the renderer as a bare message).
 */
import type { IpcChannel, IpcHandlers, IpcResult } from '../../shared/ipc.js';
import { parseIpcRequest } from '../../shared/ipc.js';
import { accountHandlers } from './api/account-handlers.js';
import { agentHandlers } from './api/agent-handlers.js';
import { appHandlers } from './api/app-handlers.js';
import { backupHandlers } from './api/backup-handlers.js';
import { createApiContext, type ApiDeps } from './api/context.js';
import { flowHandlers } from './api/flow-handlers.js';
import type { HandlerGroup } from './api/handler.js';
import { toIpcError } from './api/ipc-error.js';
import { passphraseHandlers } from './api/passphrase-handlers.js';
import { tokenHandlers } from './api/token-handlers.js';

export type { ApiDeps, ImporterPort, SessionPort } from './api/context.js';
export { inspectToken } from './api/inspect-token.js';
export { toIpcError } from './api/ipc-error.js';

/** Builds the handler table. One instance per window (or harness). */
export function createApiHandlers(deps: ApiDeps): IpcHandlers {
  const ctx = createApiContext(deps);
  // The type demands every channel of the contract: a missing handler does not compile.
  const table: HandlerGroup<IpcChannel> = { ...appHandlers(ctx), ...accountHandlers(ctx), ...tokenHandlers(ctx), ...flowHandlers(ctx), ...agentHandlers(ctx), ...backupHandlers(ctx), ...passphraseHandlers() };

  const handlers = {} as Record<IpcChannel, (request: unknown) => Promise<IpcResult<unknown>>>;
  for (const channel of Object.keys(table) as IpcChannel[]) {
    const handler = table[channel] as (request: unknown) => Promise<unknown>;
    handlers[channel] = async (request) => {
      const parsed = parseIpcRequest(channel, request);
      if (!parsed.ok) return parsed;
      try {
        return { ok: true, value: await handler(parsed.value) };
      } catch (error) {
        return { ok: false, error: toIpcError(error) };
      }
    };
  }
  return handlers as unknown as IpcHandlers;
}
