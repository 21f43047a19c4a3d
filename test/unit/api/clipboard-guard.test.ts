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
  it('clears the token after the delay when the clipboard still holds it', async () => {
    const { guard, timers, read, cleared } = setup();
    expect(await guard.copy('token-1', 60_000, 'acct')).toEqual({ clearsAt: 61_000 });
    await guard.settled();
    expect(read()).toBe('token-1');
    timers.runAll();
    await guard.settled();
    expect(read()).toBe('');
    expect(cleared).toEqual(['acct']);
  });

  it('leaves the clipboard alone when the user copied something else meanwhile', async () => {
    const { guard, timers, clipboard, read, cleared } = setup();
    await guard.copy('token-1', 60_000);
    expect(read()).toBe('token-1');
    clipboard.writeText('the user’s own text');
    timers.runAll();
    await guard.settled();
    expect(read()).toBe('the user’s own text');
    expect(cleared).toEqual([]);
  });

  it('a newer copy replaces the pending clear of the older one', async () => {
    const { guard, timers, read, cleared } = setup();
    void guard.copy('token-1', 60_000, 'one');
    void guard.copy('token-2', 60_000, 'two');
    await guard.settled();
    expect(timers.pending()).toBe(1);
    expect(read()).toBe('token-2');
    timers.runAll();
    await guard.settled();
    expect(read()).toBe('');
    expect(cleared).toEqual(['two']);
  });

  it('never clears when the delay is 0', async () => {
    const { guard, timers, read } = setup();
    expect(await guard.copy('token-1', 0)).toEqual({});
    expect(timers.pending()).toBe(0);
    await guard.settled();
    expect(read()).toBe('token-1');
  });

  it('flush clears at once (app quit) only if the clipboard is still ours', async () => {
    const { guard, read, timers, clipboard } = setup();
    void guard.copy('token-1', 60_000);
    guard.flush();
    await guard.settled();
    expect(read()).toBe('');
    expect(timers.pending()).toBe(0);
    await guard.copy('token-2', 60_000);
    clipboard.writeText('mine');
    guard.flush();
    await guard.settled();
    expect(read()).toBe('mine');
  });

  it('works the same over an asynchronous clipboard (Electron 45), in order', async () => {
    let text = '';
    const log: string[] = [];
    const slow = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const clipboard = {
      readText: async () => (await slow(5), text),
      writeText: async (value: string) => {
        await slow(value ? 10 : 1);
        text = value;
        log.push(`write:${value}`);
      },
    };
    const timers = manualTimers();
    const guard = createClipboardGuard({ clipboard, now: () => 0, timers, onCopied: (label, clearsAt) => log.push(`copied:${label}:${clearsAt}`) });
    void guard.copy('token-1', 1_000, 'a');
    guard.flush(); // the clear must wait for the slower write before it, or the token would stay
    await guard.settled();
    expect(text).toBe('');
    expect(log).toEqual(['write:token-1', 'copied:a:1000', 'write:']);
  });

  it('reports a copy only once it happened: a refused write rejects, schedules no clear and claims nothing', async () => {
    const timers = manualTimers();
    const copied: string[] = [];
    const refusing = { readText: () => '', writeText: () => Promise.reject(new Error('OpenClipboard failed')) };
    const guard = createClipboardGuard({ clipboard: refusing, now: () => 0, timers, onCopied: (label) => copied.push(label) });
    await expect(guard.copy('token-1', 60_000, 'a')).rejects.toMatchObject({ code: 'ERR_CLIPBOARD', kind: 'system' });
    expect(timers.pending()).toBe(0);
    expect(copied).toEqual([]);
  });

  it('a write the clipboard did not keep (read back differs) is a failure too', async () => {
    const dropping = { readText: () => 'what was there before', writeText: () => undefined };
    const guard = createClipboardGuard({ clipboard: dropping, now: () => 0, timers: manualTimers() });
    const error = await guard.copy('token-1', 60_000, 'a').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_CLIPBOARD' });
    expect(String((error as Error).message)).not.toContain('token-1');
  });

  it('a failed copy leaves the pending clear of the token still on the clipboard', async () => {
    let text = '';
    let refuse = false;
    const timers = manualTimers();
    const clipboard = {
      readText: () => text,
      writeText: (value: string) => {
        if (refuse) throw new Error('held by another program');
        text = value;
      },
    };
    const guard = createClipboardGuard({ clipboard, now: () => 0, timers });
    await guard.copy('token-1', 60_000, 'a');
    refuse = true;
    await expect(guard.copy('token-2', 60_000, 'b')).rejects.toMatchObject({ code: 'ERR_CLIPBOARD' });
    refuse = false;
    expect(timers.pending()).toBe(1);
    timers.runAll();
    await guard.settled();
    expect(text).toBe('');
  });
});
