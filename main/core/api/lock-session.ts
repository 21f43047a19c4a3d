/**
 * The one way the vault locks while the app runs: the window's Lock button
 * (`app:lock`), the tray's "Lock TokenDesk", the idle timer, the screen lock
 * and sleep (main/core/auto-lock.ts) all end here.
 */
import type { AppEvent } from '../../../shared/ipc.js';
import { AutoLock, sessionIdleMinutes, type LockReason, type Scheduler } from '../auto-lock.js';
import type { Clock } from '../ports.js';
import type { SessionPort } from './context.js';
import type { SessionAgent } from './session-agent.js';

export interface LockSessionDeps {
  session: Pick<SessionPort, 'lock'>;
  agent?: Pick<SessionAgent, 'onLocked'>;
  autoLock?: Pick<AutoLock, 'stop'>;
  emit(event: AppEvent): void;
}

export async function lockSession(deps: LockSessionDeps, reason: LockReason): Promise<void> {
  deps.autoLock?.stop();
  // The agent first: no program may be handed anything while the vault is closing.
  await deps.agent?.onLocked();
  // Forgets the data key, the account service (every secret and token), pending sign-ins and client-certificate transports.
  deps.session.lock();
  deps.emit({ type: 'locked', reason });
  // The tray (and any other listener) rebuilds from the now locked session.
  deps.emit({ type: 'accounts-changed' });
}

export interface SessionAutoLockOptions extends LockSessionDeps {
  session: Pick<SessionPort, 'lock' | 'preferences'>;
  clock: Clock;
  scheduler?: Scheduler;
  /** Electron powerMonitor.getSystemIdleTime() in the app; none in the harness. */
  systemIdleSeconds?: () => number;
}

/**
 * The auto-lock of a running app (the Electron shell and the browser
 * harness build it the same way): the session's own idle setting, and
 * every automatic lock through `lockSession`. Pass the result as
 * `ApiDeps.autoLock`, so unlock, settings and `app:activity` drive it.
 */
export function createSessionAutoLock(options: SessionAutoLockOptions): AutoLock {
  const autoLock: AutoLock = new AutoLock({
    clock: options.clock,
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
    ...(options.systemIdleSeconds ? { systemIdleSeconds: options.systemIdleSeconds } : {}),
    idleMinutes: sessionIdleMinutes(options.session),
    lock: (reason) => lockSession({ session: options.session, emit: options.emit, autoLock, ...(options.agent ? { agent: options.agent } : {}) }, reason),
  });
  return autoLock;
}
