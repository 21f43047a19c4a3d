/**
 * The desktop app as an agent: while its vault is unlocked it serves the
 * command line over the agent endpoint (main/core/agent), asking the user in
 * the window before it hands anything out (./agent-approvals.ts).
 *
 * Started at every unlock (the keychain at start, app:unlock, app:create)
 * with a new backend, so "Allow until TokenDesk locks" answers end with the
 * vault; stopped on lock and on quit. A start that fails (another agent, a
 * `tokendesk agent`, serves this vault already) never stops the app: the
 * reason is kept for the window to show.
 *
 * Plain Node, shared by the Electron shell and the browser test harness.
 */
import type { AccountService } from '../accounts/account-service.js';
import type { AppSession } from '../app-session.js';
import { startAgentServer, type AgentServerHandle } from '../agent/server.js';
import { createAgentBackend } from '../agent/service.js';
import { isTokenDeskError } from '../errors.js';
import type { AgentApprovals } from './agent-approvals.js';

/** A start that takes longer than this is given up (and stopped when it ends): the window must not wait on it. */
const START_TIMEOUT_MS = 10_000;

export interface SessionAgent {
  /** Starts serving (no-op while serving). Never throws: a failure becomes `warning()`. */
  onUnlocked(): Promise<void>;
  /** Denies every waiting question and stops serving. Never throws. */
  onLocked(): Promise<void>;
  /** Why the unlocked app does not serve the command line (the reason only: the window says what it means); undefined when it does (or is locked). */
  warning(): string | undefined;
  /** The endpoint served now, if any. */
  endpoint(): string | undefined;
}

export interface SessionAgentOptions {
  dataDir: string;
  /** The unlocked vault's account service; undefined while locked. */
  session: () => AccountService | undefined;
  approvals: Pick<AgentApprovals, 'approve' | 'cancelAll'>;
  /** Replaceable in tests; the real agent server otherwise. */
  startServer?: typeof startAgentServer;
  startTimeoutMs?: number;
}

export function createSessionAgent(options: SessionAgentOptions): SessionAgent {
  const startServer = options.startServer ?? startAgentServer;
  const startTimeoutMs = options.startTimeoutMs ?? START_TIMEOUT_MS;
  let handle: AgentServerHandle | undefined;
  let warning: string | undefined;
  // Unlock and lock may follow each other faster than a start or stop ends: one at a time, in order.
  let queue: Promise<void> = Promise.resolve();

  function enqueue(step: () => Promise<void>): Promise<void> {
    const next = queue.then(step, step);
    queue = next.catch(() => undefined);
    return next;
  }

  async function start(): Promise<void> {
    if (handle) return;
    const starting = startServer({
      dataDir: options.dataDir,
      kind: 'app',
      backend: createAgentBackend({ session: options.session, approve: options.approvals.approve }),
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      starting.then(
        (started) => ({ started }),
        (error: unknown) => ({ error }),
      ),
      new Promise<{ late: true }>((resolve) => (timer = setTimeout(() => resolve({ late: true }), startTimeoutMs))),
    ]).finally(() => clearTimeout(timer));
    if ('started' in outcome) {
      handle = outcome.started;
      warning = undefined;
      return;
    }
    if ('late' in outcome) {
      warning = 'Its agent did not start in time. Lock TokenDesk and open it again to try once more.';
      // Whatever it becomes, it is not ours to serve any more.
      void starting.then((late) => late.stop()).catch(() => undefined);
      return;
    }
    warning = isTokenDeskError(outcome.error) ? outcome.error.message : 'Its agent could not start. Lock TokenDesk and open it again to try once more.';
  }

  async function stop(): Promise<void> {
    options.approvals.cancelAll();
    warning = undefined;
    const current = handle;
    handle = undefined;
    try {
      await current?.stop();
    } catch {
      // The endpoint is gone with the process at the latest; a stale one is cleaned up by the next agent.
    }
  }

  return {
    onUnlocked: () => enqueue(start),
    onLocked: () => enqueue(stop),
    warning: () => warning,
    endpoint: () => handle?.endpoint,
  };
}

/** The session's account service while unlocked, undefined while locked (what the agent backend asks for each request). */
export function unlockedAccounts(session: Pick<AppSession, 'accounts'>): AccountService | undefined {
  try {
    return session.accounts();
  } catch (error) {
    if (isTokenDeskError(error) && error.code === 'ERR_VAULT_LOCKED') return undefined;
    throw error;
  }
}
