import type { IpcError } from '../../../shared/ipc.js';
import { AuthServerError, InputError, TokenDeskError, TransportError } from '../errors.js';

/**
 * Maps any thrown value to what may cross IPC. Only TokenDeskError messages
 * are trusted to be secret-free; anything else gets a generic text, because a
 * raw message (a library's, the OS's) may quote anything.
 */
export function toIpcError(error: unknown): IpcError {
  if (error instanceof TokenDeskError) {
    const base: IpcError = { kind: error.kind, code: error.code, message: error.message };
    if (error instanceof AuthServerError) {
      base.serverError = error.error;
      if (error.errorDescription) base.serverErrorDescription = error.errorDescription;
      if (error.grant) base.grant = error.grant;
    }
    if (error instanceof InputError && error.location) {
      if (error.location.line !== undefined) base.line = error.location.line;
      if (error.location.column !== undefined) base.column = error.location.column;
    }
    if (error instanceof TransportError && error.fix) base.fix = { ...error.fix };
    return base;
  }
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return { kind: 'cancelled', code: 'ERR_CANCELLED', message: 'Cancelled.' };
  }
  return { kind: 'internal', code: 'ERR_INTERNAL', message: 'Something went wrong inside TokenDesk. Try again; if it keeps happening, restart the app.' };
}
