import type { IpcChannel, IpcRequest, IpcResponse } from '../../../shared/ipc.js';

/** One channel's function before validation and error mapping are wrapped around it. */
export type Handler<C extends IpcChannel> = (request: IpcRequest<C>) => Promise<IpcResponse<C>>;

/** The handlers of a group of channels (`'accounts:*'`, ...). */
export type HandlerGroup<K extends IpcChannel> = { [C in K]: Handler<C> };
