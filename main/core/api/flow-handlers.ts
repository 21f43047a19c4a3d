/** `flows:*`: finishing, re-opening and cancelling a sign-in that waits for the user. */
import { InputError } from '../errors.js';
import type { ApiContext } from './context.js';
import type { HandlerGroup } from './handler.js';

type FlowChannel = 'flows:complete' | 'flows:open-browser' | 'flows:copy-code' | 'flows:cancel';

export function flowHandlers(ctx: ApiContext): HandlerGroup<FlowChannel> {
  return {
    // The address the browser ended on, pasted by the user (https and custom-scheme redirects).
    'flows:complete': async ({ callbackUrl }) => {
      await ctx.service().completeAuthorization(callbackUrl.trim());
      return {};
    },
    'flows:open-browser': async ({ name }) => {
      // Only a URL a flow produced itself: the renderer can never make us open an arbitrary address.
      const url = ctx.promptUrl(name);
      if (!url) throw new InputError('ERR_INPUT_UNKNOWN', 'There is no sign-in waiting for this account any more.');
      await ctx.deps.openExternal(url);
      return {};
    },
    // The code the flow itself showed, never text from the renderer; not a secret (RFC 8628 6.1), so it is not cleared.
    'flows:copy-code': async ({ name }) => {
      const code = ctx.pendingUserCode(name);
      if (!code) throw new InputError('ERR_INPUT_UNKNOWN', 'There is no device sign-in waiting for this account any more.');
      await ctx.deps.clipboard.copy(code, 0, name);
      return {};
    },
    'flows:cancel': async ({ name, flowId }) => {
      if (flowId) ctx.service().cancelAuthorization(flowId);
      ctx.abort(name);
      return {};
    },
  };
}
