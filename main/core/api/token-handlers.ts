/** `tokens:*`: copy (in the main process), refresh, inspect offline, reveal on request, revoke, test call. */
import type { ApiContext } from './context.js';
import type { HandlerGroup } from './handler.js';
import { inspectToken } from './inspect-token.js';
import { testApiCall } from './test-api-call.js';
import { CancelledError, InputError } from '../errors.js';
import { authorizationHeaderValue } from '../oauth/authorization-header.js';

type TokenChannel = 'tokens:copy' | 'tokens:refresh' | 'tokens:inspect' | 'tokens:reveal' | 'tokens:revoke' | 'tokens:test-api';

export function tokenHandlers(ctx: ApiContext): HandlerGroup<TokenChannel> {
  const { deps, service, accountsChanged, obtainToken, cancellable } = ctx;
  // Every network handler runs inside `cancellable` from its first line, so a Cancel that
  // arrives before the request itself has started (the window shows progress at once) still stops it.
  return {
    'tokens:copy': ({ name, what, force }) =>
      cancellable(name, async (signal) => {
        const tokens = await obtainToken(name, force ?? false);
        // Cancelled while the token arrived: it is stored, but nothing lands on the clipboard.
        throwIfCancelled(signal);
        const text = what === 'header' ? `Authorization: ${authorizationHeaderValue(tokens)}` : tokens.accessToken;
        const { clipboardClearSeconds } = deps.session.preferences();
        const { clearsAt } = await deps.clipboard.copy(text, clipboardClearSeconds * 1000, name);
        deps.emit({ type: 'clipboard', state: 'copied', account: name });
        return { ...(tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt } : {}), ...(clearsAt !== undefined ? { clearsAt } : {}) };
      }),
    'tokens:refresh': ({ name, force }) =>
      cancellable(name, async (signal) => {
        const before = await service().cachedToken(name);
        throwIfCancelled(signal);
        const tokens = await obtainToken(name, force ?? true);
        // What the window may claim: a token other than the one stored before (not a static token, not the same one given back).
        const newToken = tokens.accessToken !== before?.accessToken;
        return { ...(tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt } : {}), newToken };
      }),
    'tokens:inspect': async ({ name }) => {
      const tokens = await service().cachedToken(name);
      return tokens ? inspectToken(tokens) : null;
    },
    // The only channel that sends a token to the renderer, and only when the user clicked Reveal.
    'tokens:reveal': ({ name }) =>
      cancellable(name, async (signal) => {
        const tokens = await obtainToken(name, false);
        throwIfCancelled(signal);
        return { accessToken: tokens.accessToken, tokenType: tokens.tokenType };
      }),
    'tokens:revoke': async ({ name }) => {
      try {
        return await cancellable(name, (signal) => service().revoke(name, { signal }));
      } finally {
        // A failed or cancelled revoke wrote its history row too.
        accountsChanged();
      }
    },
    'tokens:test-api': ({ name }) =>
      cancellable(name, async (signal) => {
        const { apiUrl } = await service().getSettings(name);
        if (!apiUrl) throw new InputError('ERR_INPUT_MISSING', 'This account has no test address (api_url). Add one in Edit to try the token against the API.');
        throwIfCancelled(signal);
        const tokens = await obtainToken(name, false);
        // The account's client certificate, if any, is presented to the API as well (RFC 8705 3: certificate-bound tokens).
        return testApiCall(service().portsFor(name), apiUrl, tokens, signal);
      }),
  };
}

function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new CancelledError();
}
