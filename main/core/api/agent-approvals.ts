/**
 * The desktop app's answer to "may this program have it?": the agent's
 * `Approver`, turned into questions in the window.
 *
 * One question at a time: requests wait in arrival order and the window
 * shows only the oldest one (its `agent-approval` event); the next is shown
 * when it is answered. A dialog stacked on a dialog would let a program that
 * asks in a loop bury the one the user meant to read.
 *
 * A question is denied when nobody answers within the time limit (counted
 * from when it is shown), when the program stops waiting (`signal`), and when
 * the vault locks (`cancelAll`); each time the window is told to close it
 * (`agent-approval-closed`). "Allow until TokenDesk locks" also answers the
 * questions queued behind it from the same program for the same account and
 * operation, which the agent remembers from then on anyway: the user is not
 * asked the same thing twice in a row.
 *
 * Nothing here is remembered across answers: the agent's backend keeps the
 * "until TokenDesk locks" answers, and drops them with the vault.
 */
import { randomUUID } from 'node:crypto';
import type { AgentApprovalEvent, AppEvent } from '../../../shared/ipc.js';
import type { ApprovalAnswer, ApprovalRequest, Approver } from '../agent/service.js';
import { InputError } from '../errors.js';

export const APPROVAL_TIMEOUT_MS = 2 * 60_000;
/** A reported executable is shown, not trusted: a program could report a novel. */
const MAX_SHOWN_PATH = 1000;

export interface AgentApprovals {
  /** The agent asks; resolves with the user's answer, or 'deny'. */
  approve: Approver;
  /** The window's answer to the question `id` (throws InputError when it is no longer waiting). */
  answer(id: string, answer: ApprovalAnswer): void;
  /** The question the window shows now, if any (for a window opened after its event). */
  pending(): AgentApprovalEvent[];
  /** Denies every waiting question (the vault locks, the app quits). */
  cancelAll(): void;
}

export interface AgentApprovalOptions {
  timeoutMs?: number;
  now?: () => number;
}

interface Question {
  id: string;
  request: ApprovalRequest;
  shown: AgentApprovalEvent | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  finish(answer: ApprovalAnswer): void;
}

export function createAgentApprovals(emit: (event: AppEvent) => void, options: AgentApprovalOptions = {}): AgentApprovals {
  const timeoutMs = options.timeoutMs ?? APPROVAL_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const queue: Question[] = [];

  function showNext(): void {
    const head = queue[0];
    if (!head || head.shown) return;
    const { account, operation, caller } = head.request;
    head.shown = {
      type: 'agent-approval',
      id: head.id,
      account,
      operation,
      caller: {
        pid: caller.pid,
        executable: shorten(caller.executable),
        ...(caller.parentExecutable !== undefined ? { parentExecutable: shorten(caller.parentExecutable) } : {}),
      },
      expiresAt: now() + timeoutMs,
    };
    head.timer = setTimeout(() => settle(head, 'deny'), timeoutMs);
    emit(head.shown);
  }

  function settle(question: Question, answer: ApprovalAnswer): void {
    const index = queue.indexOf(question);
    if (index < 0) return;
    queue.splice(index, 1);
    clearTimeout(question.timer);
    if (question.shown) emit({ type: 'agent-approval-closed', id: question.id });
    question.finish(answer);
  }

  const approve: Approver = (request, signal) =>
    new Promise<ApprovalAnswer>((resolve) => {
      if (signal.aborted) return resolve('deny');
      const question: Question = {
        id: randomUUID(),
        request,
        shown: undefined,
        timer: undefined,
        finish: (answer) => {
          signal.removeEventListener('abort', onAbort);
          resolve(answer);
        },
      };
      const onAbort = (): void => {
        settle(question, 'deny');
        showNext();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queue.push(question);
      showNext();
    });

  return {
    approve,
    answer(id, answer) {
      const question = queue.find((candidate) => candidate.id === id && candidate.shown);
      if (!question) throw new InputError('ERR_INPUT_UNKNOWN', 'This request is no longer waiting: the program stopped asking, or it was answered already.');
      settle(question, answer);
      if (answer === 'session') {
        for (const queued of queue.filter((candidate) => sameQuestion(candidate.request, question.request))) settle(queued, 'session');
      }
      showNext();
    },
    pending: () => (queue[0]?.shown ? [queue[0].shown] : []),
    cancelAll() {
      for (const question of [...queue]) settle(question, 'deny');
    },
  };
}

/** What "Allow until TokenDesk locks" covers: the same program (and its parent) asking the same thing of the same account. */
function sameQuestion(a: ApprovalRequest, b: ApprovalRequest): boolean {
  return (
    a.account === b.account &&
    a.operation === b.operation &&
    a.caller.executable === b.caller.executable &&
    a.caller.parentExecutable === b.caller.parentExecutable
  );
}

function shorten(path: string): string {
  return path.length > MAX_SHOWN_PATH ? `${path.slice(0, MAX_SHOWN_PATH)}…` : path;
}
