/**
 * Per-account request budget. Myfox: "Since September 2019, personal
 * applications requesting too many tokens are deactivated automatically."
 * We count every network token request (grant or refresh) in a sliding window,
 * warn at 80 % and refuse before the limit would be crossed.
 */
import type { RequestBudget } from '../../../shared/account.js';
import { InputError } from '../errors.js';
import type { BudgetStatus } from './types.js';

export const BUDGET_WARNING_RATIO = 0.8;

export function requestsInWindow(requestTimes: number[], budget: RequestBudget, now: number): number[] {
  const since = now - budget.windowSeconds * 1000;
  return requestTimes.filter((time) => time > since);
}

export function budgetStatus(requestTimes: number[], budget: RequestBudget, now: number): BudgetStatus {
  const inWindow = requestsInWindow(requestTimes, budget, now);
  const used = inWindow.length;
  return {
    used,
    maxRequests: budget.maxRequests,
    windowSeconds: budget.windowSeconds,
    warning: used >= Math.ceil(budget.maxRequests * BUDGET_WARNING_RATIO),
    // Used up: the oldest request leaves the window then, and one more is possible.
    ...(used >= budget.maxRequests ? { nextAt: Math.min(...inWindow) + budget.windowSeconds * 1000 } : {}),
  };
}

/** Throws when one more request would exceed the budget; returns a warning line when close. */
export function checkBudget(accountName: string, requestTimes: number[], budget: RequestBudget | undefined, now: number): string | undefined {
  if (!budget) return undefined;
  const inWindow = requestsInWindow(requestTimes, budget, now);
  if (inWindow.length >= budget.maxRequests) {
    const oldest = Math.min(...inWindow);
    const freeAt = oldest + budget.windowSeconds * 1000;
    throw new InputError(
      'ERR_BUDGET_EXCEEDED',
      `"${accountName}" has used its ${budget.maxRequests} token requests for the last ${formatWindow(budget.windowSeconds)}. ` +
        `The provider may switch off applications that ask for too many tokens, so TokenDesk waits: the next request is possible in ${formatWait(freeAt - now)}. ` +
        'You can raise the budget in the account settings if the provider allows more.',
    );
  }
  const status = budgetStatus(requestTimes, budget, now);
  if (status.used + 1 >= Math.ceil(budget.maxRequests * BUDGET_WARNING_RATIO)) {
    return `"${accountName}" will have used ${status.used + 1} of its ${budget.maxRequests} token requests for the last ${formatWindow(budget.windowSeconds)}.`;
  }
  return undefined;
}

/**
 * How long until the next request, in words: a duration reads the same in
 * every time zone, where a clock time in UTC (the window and the command line
 * show this message alike) misleads everyone who is not in UTC.
 */
function formatWait(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const minuteText = (count: number) => `${count} minute${count === 1 ? '' : 's'}`;
  if (hours === 0) return minuteText(minutes);
  const hourText = `${hours} hour${hours === 1 ? '' : 's'}`;
  return rest === 0 ? hourText : `${hourText} ${minuteText(rest)}`;
}

function formatWindow(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? '24 hours' : `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? 'hour' : `${seconds / 3600} hours`;
  return `${seconds} seconds`;
}
