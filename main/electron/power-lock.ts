/**
 * The screen lock and sleep lock the vault (SPEC 4), through Electron's
 * `powerMonitor` (electron.d.ts, Electron 45, interface PowerMonitor):
 * - 'lock-screen' ("Emitted when the system is about to lock the screen",
 *   @platform darwin,win32) and 'user-did-resign-active' ("Emitted when a
 *   login session is deactivated", @platform darwin: fast user switching);
 * - 'suspend' ("Emitted when the system is suspending", every platform);
 * - Linux has no screen-lock event, so the state is read every few seconds
 *   with `getSystemIdleState(idleThreshold)`, whose answer is 'locked' "on
 *   supported systems only";
 * - 'resume', and each poll, re-check the idle time: Node's timers may not
 *   count the time the computer slept, the wall clock does.
 * `getSystemIdleTime()` ("Idle time in seconds") feeds the idle rule of
 * main/core/auto-lock.ts; main.ts passes it there.
 */
import type { PowerMonitor } from 'electron';
import type { AutoLock } from '../core/auto-lock.js';

export type PowerMonitorPort = Pick<PowerMonitor, 'on' | 'removeListener' | 'getSystemIdleState'>;

/** Often enough that a locked screen locks the vault within seconds; one cheap call each time. */
export const SCREEN_POLL_MS = 5_000;
/** getSystemIdleState's threshold (seconds); only its 'locked' answer is used here. */
const IDLE_THRESHOLD_SECONDS = 60;

export interface PowerLockOptions {
  powerMonitor: PowerMonitorPort;
  autoLock: Pick<AutoLock, 'lockNow' | 'check'>;
  /** setInterval in the app; the returned function stops it. */
  every?(ms: number, callback: () => void): () => void;
  pollMs?: number;
}

const systemEvery = (ms: number, callback: () => void): (() => void) => {
  const timer = setInterval(callback, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/** Starts watching; the returned function stops (listeners removed, poll ended). */
export function watchPowerEvents(options: PowerLockOptions): () => void {
  const { powerMonitor, autoLock } = options;
  const onScreenLocked = (): void => void autoLock.lockNow('screen-locked');
  const onSuspend = (): void => void autoLock.lockNow('suspend');
  const onResume = (): void => autoLock.check();
  powerMonitor.on('lock-screen', onScreenLocked);
  powerMonitor.on('user-did-resign-active', onScreenLocked);
  powerMonitor.on('suspend', onSuspend);
  powerMonitor.on('resume', onResume);
  const stopPolling = (options.every ?? systemEvery)(options.pollMs ?? SCREEN_POLL_MS, () => {
    let state: ReturnType<PowerMonitorPort['getSystemIdleState']>;
    try {
      state = powerMonitor.getSystemIdleState(IDLE_THRESHOLD_SECONDS);
    } catch {
      state = 'unknown';
    }
    if (state === 'locked') onScreenLocked();
    else autoLock.check();
  });
  return () => {
    stopPolling();
    powerMonitor.removeListener('lock-screen', onScreenLocked);
    powerMonitor.removeListener('user-did-resign-active', onScreenLocked);
    powerMonitor.removeListener('suspend', onSuspend);
    powerMonitor.removeListener('resume', onResume);
  };
}
