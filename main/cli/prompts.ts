/**
 * How the CLI shows an interactive sign-in: URL on stderr, browser, or a
 * pasted redirect. The URL, the user code and the verification address come
 * from a server or a file: they reach the terminal only through `say`, which
 * strips control characters.
 */
import type { AuthorizationFlows } from '../core/oauth/authorization-flows.js';
import type { AuthorizationPrompt, DeviceCodePrompt } from '../core/oauth/context.js';
import { openInBrowser, readLine, say, type Io } from './terminal.js';
import { localTimeOfDay } from './time-format.js';

export interface PromptOptions {
  io: Io;
  flows: AuthorizationFlows;
  openBrowser: boolean;
  signal: AbortSignal;
  /** Where a failure to complete from stdin is reported (rejects the pending flow). */
  onPasteError(error: unknown): void;
}

export function authorizationPromptHandler(options: PromptOptions): (prompt: AuthorizationPrompt) => void {
  return (prompt) => {
    const { io } = options;
    say(io, `Open this URL in your browser: ${prompt.url}`);
    if (options.openBrowser) void openInBrowser(prompt.url);
    if (prompt.listening) {
      say(io, 'Waiting for the browser to come back (press Ctrl+C to cancel)...');
      return;
    }
    say(io, `After signing in, your browser goes to ${prompt.redirectUri}. Paste that whole address here and press Enter:`);
    readLine(io, options.signal)
      .then((url) => options.flows.complete(url))
      .catch(options.onPasteError);
  };
}

export function deviceCodePromptHandler(io: Io, openBrowser: boolean): (prompt: DeviceCodePrompt) => void {
  return (prompt) => {
    say(io, `To sign in, open ${prompt.verificationUri} and enter the code: ${prompt.userCode}`);
    if (prompt.verificationUriComplete) say(io, `(or open ${prompt.verificationUriComplete})`);
    if (openBrowser) void openInBrowser(prompt.verificationUriComplete ?? prompt.verificationUri);
    const expiry = localTimeOfDay(prompt.expiresAt);
    say(io, `Waiting until the code is confirmed${expiry ? ` (it expires at ${expiry})` : ''}...`);
  };
}
