/**
 * main/electron/power-lock.ts over the powerMonitor fake written from
 * electron.d.ts (test/fixtures/electron/power-monitor.ts) and the real
 * AutoLock of main/core, with time driven by hand (issue 13 item 10:
 * the vault locks when the screen locks and when the computer sleeps).
 */
import { describe, expect, it } from 'vitest';
import { AutoLock, type LockReason } from '../../../main/core/auto-lock.js';
import { SCREEN_POLL_MS, watchPowerEvents, type PowerMonitorPort } from '../../../main/electron/power-lock.js';
import { FakePowerMonitor } from '../../fixtures/electron/power-monitor.js';
import { ManualTime } from '../../fixtures/manual-time.js';

const MINUTE = 60_000;

/** setInterval on the hand-driven scheduler. */
function every(time: ManualTime) {
  return (ms: number, callback: () => void): (() => void) => {
    let cancel = (): void => undefined;
    const tick = (): void => {
      cancel = time.schedule(tick, ms);
      callback();
    };
    cancel = time.schedule(tick, ms);
    return () => cancel();
  };
}

function setup(platform: NodeJS.Platform) {
  const time = new ManualTime();
  /** The wall clock; it moves with `time` unless the computer sleeps (Node's timers then stand still, the wall clock does not). */
  let slept = 0;
  const wall = { now: () => time.now() + slept };
  const powerMonitor = new FakePowerMonitor(platform, wall.now);
  const locks: LockReason[] = [];
  let unlocked = true;
  const autoLock = new AutoLock({
    clock: wall,
    scheduler: time,
    idleMinutes: () => (unlocked ? 15 : undefined),
    systemIdleSeconds: () => powerMonitor.getSystemIdleTime(),
    lock: async (reason) => {
      locks.push(reason);
      unlocked = false;
    },
  });
  autoLock.start();
  // electron.d.ts types `on` as returning PowerMonitor itself; the fake returns the fake.
  const stop = watchPowerEvents({ powerMonitor: powerMonitor as unknown as PowerMonitorPort, autoLock, every: every(time) });
  return {
    time,
    powerMonitor,
    locks,
    stop,
    unlock: () => {
      unlocked = true;
      autoLock.start();
    },
    sleepFor: (ms: number) => void (slept += ms),
  };
}

describe('the screen lock locks the vault', () => {
  for (const platform of ['darwin', 'win32'] as const) {
    it(`on ${platform}: at once, on powerMonitor's 'lock-screen' event`, async () => {
      const { powerMonitor, locks } = setup(platform);
      powerMonitor.lockScreen();
      await Promise.resolve();
      expect(locks).toEqual(['screen-locked']);
    });
  }

  it("on Linux, which has no 'lock-screen' event: within a poll of getSystemIdleState() answering 'locked'", async () => {
    const { time, powerMonitor, locks } = setup('linux');
    powerMonitor.lockScreen();
    await Promise.resolve();
    expect(locks).toEqual([]);
    time.advance(SCREEN_POLL_MS);
    await Promise.resolve();
    expect(locks).toEqual(['screen-locked']);
    // Still locked at the next polls: nothing more happens while the vault is locked.
    time.advance(3 * SCREEN_POLL_MS);
    await Promise.resolve();
    expect(locks).toEqual(['screen-locked']);
  });

  it('on macOS, switching to another user (user-did-resign-active) locks too', async () => {
    const { powerMonitor, locks } = setup('darwin');
    powerMonitor.emit('user-did-resign-active');
    await Promise.resolve();
    expect(locks).toEqual(['screen-locked']);
  });
});

describe('sleep locks the vault', () => {
  for (const platform of ['linux', 'darwin', 'win32'] as const) {
    it(`on ${platform}: on 'suspend'`, async () => {
      const { powerMonitor, locks, unlock } = setup(platform);
      powerMonitor.sleep();
      await Promise.resolve();
      expect(locks).toEqual(['suspend']);
      unlock();
      powerMonitor.sleep();
      await Promise.resolve();
      expect(locks).toEqual(['suspend', 'suspend']);
    });
  }

  it("a sleep whose 'suspend' never came (a lid closed in a hurry) still counts: on 'resume' the wall clock says the idle time has passed", async () => {
    const { powerMonitor, locks, sleepFor } = setup('linux');
    sleepFor(20 * MINUTE);
    expect(locks).toEqual([]);
    powerMonitor.wake();
    await Promise.resolve();
    expect(locks).toEqual(['idle']);
  });

  it('stop() removes every listener and ends the poll', () => {
    const { time, powerMonitor, stop } = setup('linux');
    stop();
    for (const event of ['lock-screen', 'user-did-resign-active', 'suspend', 'resume']) expect(powerMonitor.listenerCount(event)).toBe(0);
    // Only the idle timer is left.
    expect(time.pendingCount).toBe(1);
    time.advance(10 * SCREEN_POLL_MS);
    expect(time.pendingCount).toBe(1);
  });
});
