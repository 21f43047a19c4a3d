/** `agent:*`: the user's answers to what programs ask the app's agent (./agent-approvals.ts). */
import { InputError } from '../errors.js';
import type { ApiContext } from './context.js';
import type { HandlerGroup } from './handler.js';

type AgentChannel = 'agent:answer' | 'agent:pending';

export function agentHandlers({ deps }: ApiContext): HandlerGroup<AgentChannel> {
  return {
    'agent:answer': async ({ id, answer }) => {
      if (!deps.approvals) throw new InputError('ERR_INPUT_UNKNOWN', 'This request is no longer waiting: the program stopped asking, or it was answered already.');
      deps.approvals.answer(id, answer);
      return {};
    },
    'agent:pending': async () => deps.approvals?.pending() ?? [],
  };
}
