/**
 * The token source that opens the vault in this process with its
 * passphrase (TOKENDESK_PASSPHRASE or the prompt), lazily at the first
 * request, and shows sign-in prompts, progress and warnings on stderr.
 */
import type { AppSession } from '../core/app-session.js';
import type { CorePorts } from '../core/ports.js';
import type { CliContext } from './context.js';
import { openSession } from './open-session.js';
import { authorizationPromptHandler, deviceCodePromptHandler } from './prompts.js';
import { say } from './terminal.js';
import { handedToken, type HandedToken, type TokenRequest, type TokenSource } from './token-source.js';

export function openDirectTokenSource(cli: CliContext, dataDir: string): TokenSource {
  let opening: Promise<AppSession> | undefined;
  let closed = false;
  return {
    async getToken(request: TokenRequest): Promise<HandedToken> {
      if (closed) throw new Error('this token source is closed');
      opening ??= openSession(cli, dataDir, { createIfMissing: false });
      const session = await opening;
      let pasteFailure: unknown;
      try {
        const tokens = await session.accounts().getToken(request.name, {
          force: request.force,
          minValiditySeconds: request.minValiditySeconds,
          signal: cli.signal,
          onAuthorizationPrompt: authorizationPromptHandler({
            io: cli.io,
            flows: session.flows,
            openBrowser: request.openBrowser,
            signal: cli.signal,
            onPasteError: (error) => {
              pasteFailure = error;
              session.flows.cancelAll();
            },
          }),
          onDeviceCodePrompt: deviceCodePromptHandler(cli.io, request.openBrowser),
          onProgress: (message) => say(cli.io, message),
          onWarning: (message) => say(cli.io, `Warning: ${message}`),
        });
        return handedToken(tokens, { clientCertificate: (await session.accounts().getSettings(request.name)).clientCertificate });
      } catch (error) {
        throw pasteFailure ?? error;
      }
    },
    async portsFor(name: string): Promise<CorePorts> {
      if (closed || !opening) throw new Error('this token source has no open vault');
      return (await opening).accounts().portsFor(name);
    },
    close(): void {
      if (closed) return;
      closed = true;
      // A session still opening is locked once open; lock() also ends a sign-in listener still waiting.
      opening?.then((session) => session.lock(), () => undefined);
    },
  };
}
