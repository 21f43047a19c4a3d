/**
 * A start that fails must end the process. `app.whenReady().then(start,
 * onRejected)` never sees a rejection of `start` itself: Electron then shows
 * "A JavaScript error occurred in the main process" and stays alive holding
 * the single-instance lock, so every later launch is forwarded to a process
 * with no window. Here every failure, before or after `ready`, is told in
 * plain words and the process exits.
 */
import type { App, Dialog } from 'electron';
import { isTokenDeskError } from '../core/errors.js';

export interface StartFailureOutput {
  showErrorBox: Dialog['showErrorBox'];
  /** Where the technical detail goes (stderr); never shown in the dialog. */
  log(line: string): void;
}

export const START_FAILURE_TITLE = 'TokenDesk could not start';

/** The dialog text: our errors carry a readable message; anything else is named, not quoted. */
export function describeStartFailure(error: unknown): string {
  const what = isTokenDeskError(error)
    ? error.message
    : `TokenDesk ran into an internal problem while starting (${error instanceof Error ? error.name : typeof error}).`;
  // Starting again will not help when the way it was started is the problem (the sandbox refusal says what to do).
  const next = isTokenDeskError(error) && error.code === 'ERR_SANDBOX' ? '' : ' Start it again; if this keeps happening, run "tokendesk list" in a terminal to check that the vault opens.';
  return `${what}\n\nTokenDesk will close now.${next}`;
}

/** Reports a failed start and exits with status 1 (which releases the single-instance lock). */
export function failStart(app: Pick<App, 'exit'>, output: StartFailureOutput, error: unknown): void {
  try {
    output.log(`TokenDesk could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    output.showErrorBox(START_FAILURE_TITLE, describeStartFailure(error));
  } finally {
    app.exit(1);
  }
}

/** Runs `start` once Electron is ready; any rejection, of `whenReady` or of `start`, ends in failStart. */
export async function startWhenReady(app: Pick<App, 'whenReady' | 'exit'>, start: () => Promise<void>, output: StartFailureOutput): Promise<void> {
  try {
    await app.whenReady();
    await start();
  } catch (error) {
    failStart(app, output, error);
  }
}
