import { describe, expect, it } from 'vitest';
import { createClipboardGuard, type TimerPort } from '../../../main/core/clipboard-guard.js';

/** A manual timer queue: the test decides when time passes. */
function manualTimers(): TimerPort & { runAll(): void; pending(): number } {
  let next = 0;
  const queue = new Map<number, () => void>();
  return {
    setTimeout: (callback) => {
      queue.set(++next, callback);
      return next;
    },
    clearTimeout: (handle) => void queue.delete(handle as number),
    runAll() {
      const callbacks = [...queue.values()];
      queue.clear();
      for (const callback of callbacks) callback();
    },
    pending: () => queue.size,
  };
}

function setup() {
  let text = '';
  const cleared: string[] = [];
  const timers = manualTimers();
  const clipboard = { readText: () => text, writeText: (value: string) => void (text = value) };
  const guard = createClipboardGuard({ clipboard, now: () => 1_000, timers, onCleared: (label) => cleared.push(label) });
  return { guard, timers, clipboard, cleared, read: () => text };
}

describe('clipboard guard', () => {
  it('clears the token after the delay when the clipboard still holds it', () => {
    const { guard, timers, read, cleared } = setup();
    expect(guard.copy('token-1', 60_000, 'acct')).toEqual({ clearsAt: 61_000 });
    expect(read()).toBe('token-1');
    timers.runAll();
    expect(read()).toBe('');
    expect(cleared).toEqual(['acct']);
  });

  it('leaves the clipboard alone when the user copied something else meanwhile', () => {
    const { guard, timers, clipboard, read, cleared } = setup();
    guard.copy('token-1', 60_000);
    clipboard.writeText('the user’s own text');
    timers.runAll();
    expect(read()).toBe('the user’s own text');
    expect(cleared).toEqual([]);
  });

  it('a newer copy replaces the pending clear of the older one', () => {
    const { guard, timers, read } = setup();
    guard.copy('token-1', 60_000);
    guard.copy('token-2', 60_000);
    expect(timers.pending()).toBe(1);
    timers.runAll();
    expect(read()).toBe('');
  });

  it('never clears when the delay is 0', () => {
    const { guard, timers, read } = setup();
    expect(guard.copy('token-1', 0)).toEqual({});
    expect(timers.pending()).toBe(0);
    expect(read()).toBe('token-1');
  });

  it('flush clears at once (app quit) only if the clipboard is still ours', () => {
    const { guard, read, timers } = setup();
    guard.copy('token-1', 60_000);
    guard.flush();
    expect(read()).toBe('');
    expect(timers.pending()).toBe(0);
  });
});
