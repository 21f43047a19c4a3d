import { describe, expect, it } from 'vitest';
import type { TimerPort } from '../../../main/core/clipboard-guard.js';
import { createDesktopClipboardGuard, createNotifier } from '../../../main/electron/clipboard.js';

/** An asynchronous clipboard like Electron 45's, holding one string. */
function fakeClipboard() {
  const state = { text: '', writes: [] as string[] };
  return {
    state,
    clipboard: {
      writeText: async (text: string) => {
        state.text = text;
        state.writes.push(text);
      },
      readText: async () => state.text,
      clear: () => {
        state.text = '';
      },
    },
  };
}

/** Manual timers: the test decides when the delay has passed. */
function manualTimers() {
  const scheduled = new Map<number, { callback: () => void; ms: number }>();
  let next = 1;
  const timers: TimerPort = {
    setTimeout: (callback, ms) => {
      scheduled.set(next, { callback, ms });
      return next++;
    },
    clearTimeout: (handle) => scheduled.delete(handle as number),
  };
  const fireAll = () => {
    const due = [...scheduled.values()];
    scheduled.clear();
    for (const timer of due) timer.callback();
  };
  return { timers, scheduled, fireAll };
}

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.payload.signature';

describe('desktop clipboard guard', () => {
  it('copies, then clears after the delay when the clipboard still holds the token', async () => {
    const { state, clipboard } = fakeClipboard();
    const { timers, scheduled, fireAll } = manualTimers();
    const notes: string[] = [];
    const guard = createDesktopClipboardGuard({ clipboard, notify: (title, body) => notes.push(`${title}: ${body}`), now: () => 1000, timers });
    expect(guard.copy(TOKEN, 60_000, 'myfiber production')).toEqual({ clearsAt: 61_000 });
    await guard.settled();
    expect(state.text).toBe(TOKEN);
    expect([...scheduled.values()].map((timer) => timer.ms)).toEqual([60_000]);
    fireAll();
    await guard.settled();
    expect(state.text).toBe('');
    expect(notes).toEqual([
      'Token copied: The token for myfiber production is on the clipboard. It will be cleared in 60 seconds.',
      'Clipboard cleared: The token for myfiber production was removed from the clipboard.',
    ]);
    expect(notes.join('\n')).not.toContain(TOKEN);
  });

  it('leaves the clipboard alone when the user copied something else meanwhile', async () => {
    const { state, clipboard } = fakeClipboard();
    const { timers, fireAll } = manualTimers();
    const notes: string[] = [];
    const guard = createDesktopClipboardGuard({ clipboard, notify: (title) => notes.push(title), now: () => 0, timers });
    guard.copy(TOKEN, 60_000, 'a');
    await guard.settled();
    state.text = 'the user’s own text';
    fireAll();
    await guard.settled();
    expect(state.text).toBe('the user’s own text');
    expect(notes).toEqual(['Token copied']);
  });

  it('a newer copy replaces the older timer, and flush clears at once on quit', async () => {
    const { state, clipboard } = fakeClipboard();
    const { timers, scheduled } = manualTimers();
    const guard = createDesktopClipboardGuard({ clipboard, notify: () => undefined, now: () => 0, timers });
    guard.copy('first', 60_000, 'a');
    guard.copy('Authorization: Bearer second', 60_000, 'b');
    expect(scheduled.size).toBe(1);
    guard.flush();
    await guard.settled();
    expect(scheduled.size).toBe(0);
    expect(state.writes).toEqual(['first', 'Authorization: Bearer second']);
    expect(state.text).toBe('');
  });

  it('never schedules a clear when the delay is 0', async () => {
    const { state, clipboard } = fakeClipboard();
    const { timers, scheduled } = manualTimers();
    const guard = createDesktopClipboardGuard({ clipboard, notify: () => undefined, now: () => 0, timers });
    expect(guard.copy(TOKEN, 0, 'a')).toEqual({});
    await guard.settled();
    expect(scheduled.size).toBe(0);
    expect(state.text).toBe(TOKEN);
  });

  it('clears through real timers too', async () => {
    const { state, clipboard } = fakeClipboard();
    const guard = createDesktopClipboardGuard({ clipboard, notify: () => undefined, now: () => Date.now() });
    guard.copy(TOKEN, 20, 'a');
    await guard.settled();
    expect(state.text).toBe(TOKEN);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await guard.settled();
    expect(state.text).toBe('');
  });
});

describe('createNotifier', () => {
  it('shows a silent notification, or nothing where unsupported', () => {
    const shown: unknown[] = [];
    class FakeNotification {
      static supported = true;
      static isSupported() {
        return FakeNotification.supported;
      }
      constructor(readonly options: unknown) {}
      show() {
        shown.push(this.options);
      }
    }
    const notify = createNotifier(FakeNotification);
    notify('Token copied', 'body');
    FakeNotification.supported = false;
    notify('Token copied', 'body');
    expect(shown).toEqual([{ title: 'Token copied', body: 'body', silent: true }]);
  });
});
