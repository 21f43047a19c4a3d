/**
 * The renderer's only door to the main process: `window.tokendesk` (the
 * preload API of shared/ipc.ts). Results `{ ok: false }` become a thrown
 * ApiError, so screens write plain try/catch.
 */
import type { AppEvent, IpcChannel, IpcError, IpcRequest, IpcResponse, TokenDeskApi } from '../../shared/ipc.js';

declare global {
  interface Window {
    tokendesk?: TokenDeskApi;
  }
}

export class ApiError extends Error {
  readonly kind: IpcError['kind'];
  readonly code: string;
  readonly serverError: string | undefined;
  readonly serverErrorDescription: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** The grant whose token request the server refused (IpcError.grant). */
  readonly grant: string | undefined;
  /** A one-click change that should make the request work (IpcError.fix). */
  readonly fix: IpcError['fix'];
  constructor(error: IpcError) {
    super(error.message);
    this.name = 'ApiError';
    this.kind = error.kind;
    this.code = error.code;
    this.serverError = error.serverError;
    this.serverErrorDescription = error.serverErrorDescription;
    this.line = error.line;
    this.column = error.column;
    this.grant = error.grant;
    this.fix = error.fix;
  }
}

function bridge(): TokenDeskApi {
  const api = window.tokendesk;
  if (!api) throw new ApiError({ kind: 'internal', code: 'ERR_NO_BRIDGE', message: 'The TokenDesk bridge is missing.' });
  return api;
}

/** Calls one channel; throws ApiError when the main process answers `{ ok: false }`. */
export async function call<C extends IpcChannel>(channel: C, request: IpcRequest<C>): Promise<IpcResponse<C>> {
  const method = bridge()[channel] as (request: IpcRequest<C>) => Promise<{ ok: true; value: IpcResponse<C> } | { ok: false; error: IpcError }>;
  let result: Awaited<ReturnType<typeof method>>;
  try {
    result = await method(request);
  } catch {
    throw new ApiError({ kind: 'internal', code: 'ERR_BRIDGE', message: 'The request did not reach TokenDesk.' });
  }
  if (!result.ok) throw new ApiError(result.error);
  return result.value;
}

export function onEvent(listener: (event: AppEvent) => void): () => void {
  return window.tokendesk ? window.tokendesk.onEvent(listener) : () => undefined;
}

export function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError({ kind: 'internal', code: 'ERR_INTERNAL', message: 'Unexpected error.' });
}
