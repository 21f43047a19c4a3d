import { describe, expect, it } from 'vitest';
import type { TimerPort } from '../../../main/core/clipboard-guard.js';
import { createDesktopClipboardGuard, createNotifier, isNativeWayland } from '../../../main/electron/clipboard.js';
import { createFakeClipboard } from '../../fixtures/electron/clipboard.js';

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

describe('desktop clipboard guard (over an Electron 45 clipboard)', () => {
  it('copies, then clears after the delay when the clipboard still holds the token', async () => {
    const fake = createFakeClipboard();
    const { timers, scheduled, fireAll } = manualTimers();
    const notes: string[] = [];
    const guard = createDesktopClipboardGuard({ clipboard: fake.clipboard, notify: (title, body) => notes.push(`${title}: ${body}`), now: () => 1000, timers });
    expect(await guard.copy(TOKEN, 60_000, 'myfiber production')).toEqual({ clearsAt: 61_000 });
    expect(fake.systemText()).toBe(TOKEN);
    expect([...scheduled.values()].map((timer) => timer.ms)).toEqual([60_000]);
    fireAll();
    await guard.settled();
    expect(fake.systemText()).toBe('');
    expect(notes).toEqual(['Clipboard cleared: The token for myfiber production was removed from the clipboard.']);
  });

  it('leaves the clipboard alone when the user copied something else meanwhile', async () => {
    const fake = createFakeClipboard();
    const { timers, fireAll } = manualTimers();
    const notes: string[] = [];
    const guard = createDesktopClipboardGuard({ clipboard: fake.clipboard, notify: (title) => notes.push(title), now: () => 0, timers });
    await guard.copy(TOKEN, 60_000, 'a');
    await fake.clipboard.writeText('the user’s own text');
    fireAll();
    await guard.settled();
    expect(fake.systemText()).toBe('the user’s own text');
    expect(notes).toEqual([]);
  });

  it('a newer copy replaces the older timer, and flush clears at once on quit, even a copy still being written', async () => {
    const fake = createFakeClipboard();
    const { timers, scheduled } = manualTimers();
    const guard = createDesktopClipboardGuard({ clipboard: fake.clipboard, notify: () => undefined, now: () => 0, timers });
    void guard.copy('first', 60_000, 'a');
    void guard.copy('Authorization: Bearer second', 60_000, 'b');
    guard.flush();
    await guard.settled();
    expect(scheduled.size).toBe(0);
    expect(fake.writes).toEqual(['first', 'Authorization: Bearer second']);
    expect(fake.systemText()).toBe('');
  });

  it('a clipboard the OS refuses: the copy rejects, nothing is scheduled', async () => {
    const fake = createFakeClipboard();
    fake.refuse = true;
    const { timers, scheduled } = manualTimers();
    const guard = createDesktopClipboardGuard({ clipboard: fake.clipboard, notify: () => undefined, now: () => 0, timers });
    await expect(guard.copy(TOKEN, 60_000, 'a')).rejects.toMatchObject({ code: 'ERR_CLIPBOARD' });
    expect(scheduled.size).toBe(0);
  });

  it('on native Wayland the clear notice says what TokenDesk did, not what the clipboard holds', async () => {
    const fake = createFakeClipboard();
    fake.waylandUnfocused = true;
    const { timers, fireAll } = manualTimers();
    const notes: string[] = [];
    const guard = createDesktopClipboardGuard({ clipboard: fake.clipboard, notify: (title, body) => notes.push(`${title}: ${body}`), now: () => 0, timers, wayland: true });
    await guard.copy(TOKEN, 60_000, 'a');
    // Chromium's cache answers the read-back, although nothing reached the compositor.
    expect(fake.systemText()).toBe('');
    fireAll();
    await guard.settled();
    expect(notes).toEqual(['Copied token withdrawn: TokenDesk withdrew its copy of the token for a from the clipboard.']);
  });

  it('clears through real timers too', async () => {
    const fake = createFakeClipboard();
    const guard = createDesktopClipboardGuard({ clipboard: fake.clipboard, notify: () => undefined, now: () => Date.now() });
    await guard.copy(TOKEN, 20, 'a');
    expect(fake.systemText()).toBe(TOKEN);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await guard.settled();
    expect(fake.systemText()).toBe('');
  });
});

describe('isNativeWayland', () => {
  it('is true on a Wayland session unless Electron was told to use X11, and never off Linux', () => {
    expect(isNativeWayland('linux', { XDG_SESSION_TYPE: 'wayland' }, '')).toBe(true);
    expect(isNativeWayland('linux', { XDG_SESSION_TYPE: 'wayland' }, 'x11')).toBe(false);
    expect(isNativeWayland('linux', { XDG_SESSION_TYPE: 'x11' }, '')).toBe(false);
    expect(isNativeWayland('linux', {}, 'wayland')).toBe(true);
    expect(isNativeWayland('darwin', { XDG_SESSION_TYPE: 'wayland' }, '')).toBe(false);
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
