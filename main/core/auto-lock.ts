/**
 * Auto-lock (SPEC 4): the unlocked vault locks itself after an idle time, as
 * KeePassXC and 1Password do. The host (the Electron shell, the browser
 * harness) adds the screen lock and sleep (main/electron/power-lock.ts);
 * the Lock button and the tray's "Lock TokenDesk" come through here too, so
 * every lock takes the one path the host passes as `lock` (the api's
 * `lockSession`: the agent stops, AppSession.lock() forgets the data key,
 * the account service with every secret, pending sign-ins and the
 * client-certificate transports, and the window gets the `locked` event).
 *
 * The rule: the vault locks once the user has been away for the configured
 * minutes, where "away" is the LARGER of
 * - the time since the last user activity in TokenDesk: input in the window
 *   (the renderer reports key presses and clicks over `app:activity`) and the
 *   user's tray clicks, and
 * - the system idle time (Electron `powerMonitor.getSystemIdleTime()`, seconds
 *   since the last input anywhere on the computer), when the host has one.
 * So it locks when no window or tray activity happened for that time OR
 * the computer was idle that long, whichever comes first (the system idle
 * time is a second opinion: it can only shorten the wait, never keep the
 * vault open).
 *
 * What is NOT activity, on purpose: the command line's requests through the
 * agent, and the requests the window makes by itself (it reloads the list
 * and the open account whenever a program got a token). A script that asks
 * for a token every minute must not keep the vault open for ever; that is
 * why activity is the user's input, not "any IPC request" (a request the user
 * causes always follows a key press or a click, which is reported).
 *
 * Plain Node with an injected clock and scheduler, so tests drive time.
 */
import type { Clock } from './ports.js';

/** Why the vault locked; the unlock screen says it in words. */
export type LockReason = 'user' | 'idle' | 'screen-locked' | 'suspend';

/** The idle-time choices the settings offer, in minutes; 0 = never. */
export const AUTO_LOCK_CHOICES = [1, 5, 15, 30, 60, 240, 0] as const;
export const DEFAULT_AUTO_LOCK_MINUTES = 15;

/** One-shot timers (setTimeout in the app; a hand-driven one in tests). */
export interface Scheduler {
  /** Runs `callback` once, about `ms` from now; the returned function cancels it. */
  schedule(callback: () => void, ms: number): () => void;
}

/** setTimeout, unref'd (an armed auto-lock must not keep a CLI or test process alive). */
export const systemScheduler: Scheduler = {
  schedule(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

/** Node's setTimeout fires at once beyond 2^31-1 ms: longer waits are cut into steps (each step re-checks). */
const MAX_TIMER_MS = 2_147_483_647;

export interface AutoLockOptions {
  clock: Clock;
  scheduler?: Scheduler;
  /**
   * The configured idle minutes while the vault is unlocked (0 = never);
   * undefined while it is locked or missing (then there is nothing to lock).
   */
  idleMinutes(): number | undefined;
  /** Seconds since the last input anywhere on the computer (Electron powerMonitor), if the host knows it. */
  systemIdleSeconds?(): number;
  /** The one lock path. Must not throw for an already locked vault. */
  lock(reason: LockReason): Promise<void>;
}

export class AutoLock {
  readonly #options: AutoLockOptions;
  readonly #scheduler: Scheduler;
  #lastActivity: number;
  #cancel: (() => void) | undefined;
  #deadline: number | undefined;
  #locking: Promise<boolean> | undefined;

  constructor(options: AutoLockOptions) {
    this.#options = options;
    this.#scheduler = options.scheduler ?? systemScheduler;
    this.#lastActivity = options.clock.now();
  }

  /** When the idle lock will happen (epoch ms) if nothing happens meanwhile; undefined when it is not armed. */
  get deadline(): number | undefined {
    return this.#deadline;
  }

  /**
   * (Re)starts the idle timer from the settings: after an unlock, a new
   * vault, a settings change. An unlock is activity (the user just typed).
   */
  start(): void {
    this.#lastActivity = this.#options.clock.now();
    this.check();
  }

  /** The user did something in the window or the tray: the idle time starts again. */
  noteActivity(): void {
    this.#lastActivity = this.#options.clock.now();
    if (this.#deadline !== undefined) this.check();
  }

  /**
   * Re-evaluates now (the timer, a resume from sleep, a poll): locks when
   * the user has been away long enough, otherwise arms the timer for the
   * earliest moment that can be true.
   */
  check(): void {
    this.#disarm();
    const minutes = this.#idleMinutes();
    if (minutes === undefined || minutes <= 0) return;
    const limitMs = minutes * 60_000;
    const now = this.#options.clock.now();
    const idleMs = Math.max(now - this.#lastActivity, this.#systemIdleMs());
    if (idleMs >= limitMs) {
      void this.lockNow('idle');
      return;
    }
    // Neither idle time can reach the limit before this: the app's only grows by the clock, the system's resets on input.
    const wait = Math.min(limitMs - idleMs, MAX_TIMER_MS);
    this.#deadline = now + limitMs - idleMs;
    this.#cancel = this.#scheduler.schedule(() => {
      this.#cancel = undefined;
      this.check();
    }, wait);
  }

  /**
   * Locks now. The user's own lock always runs the lock path; the automatic
   * ones (idle, screen, sleep) only while the vault is unlocked, so a screen
   * lock during the first run or while locked changes nothing. Resolves
   * true when it locked; never rejects.
   */
  lockNow(reason: LockReason): Promise<boolean> {
    this.#disarm();
    // A lock under way (the agent takes a moment to stop) is the one a poll or a second event joins.
    if (this.#locking) return this.#locking;
    if (reason !== 'user' && this.#idleMinutes() === undefined) return Promise.resolve(false);
    // Never rejects: the callers are events and timers; a lock that failed is tried again by the next check or poll.
    const settle = (locked: boolean): boolean => {
      // Cleared before anyone sees the result: an unlock right after must be lockable again.
      if (this.#locking === locking) this.#locking = undefined;
      return locked;
    };
    const locking: Promise<boolean> = this.#options.lock(reason).then(
      () => settle(true),
      () => settle(false),
    );
    this.#locking = locking;
    return locking;
  }

  /** Disarms the timer (the vault locked by another path, the app quits). */
  stop(): void {
    this.#disarm();
  }

  #disarm(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#deadline = undefined;
  }

  #idleMinutes(): number | undefined {
    try {
      return this.#options.idleMinutes();
    } catch {
      return undefined;
    }
  }

  #systemIdleMs(): number {
    try {
      const seconds = this.#options.systemIdleSeconds?.() ?? 0;
      return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
    } catch {
      return 0;
    }
  }
}

/** The idle minutes of an AppSession-like source: its preference while unlocked, undefined while locked. */
export function sessionIdleMinutes(session: { preferences(): { autoLockMinutes: number } }): () => number | undefined {
  return () => {
    try {
      return session.preferences().autoLockMinutes;
    } catch {
      return undefined;
    }
  };
}
