import { TokenDeskError } from '../../main/core/errors.js';

/** The `code` of the TokenDeskError a promise rejects with; undefined when it resolves, the text of any other error. */
export async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error instanceof TokenDeskError ? error.code : String(error);
  }
}
