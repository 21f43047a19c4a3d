/**
 * Auto-lock (issue 13 item 10) over the REAL core: AppSession on a temporary
 * data folder, the IPC handlers the window calls, the app's agent on a real
 * socket asked by the real client, the seed fixture server for tokens. Only
 * time is driven by hand (test/fixtures/manual-time.ts), through the Clock
 * and Scheduler ports auto-lock.ts takes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AgentUnavailableError, askAgent } from '../../../main/core/agent/client.js';
import { readRendezvous } from '../../../main/core/agent/rendezvous.js';
import { createApiHandlers } from '../../../main/core/api.js';
import { createAgentApprovals } from '../../../main/core/api/agent-approvals.js';
import { createSessionAutoLock } from '../../../main/core/api/lock-session.js';
import { createSessionAgent, unlockedAccounts, type SessionAgent } from '../../../main/core/api/session-agent.js';
import { AppSession } from '../../../main/core/app-session.js';
import type { AutoLock } from '../../../main/core/auto-lock.js';
import { createClipboardGuard } from '../../../main/core/clipboard-guard.js';
import type { CorePorts } from '../../../main/core/ports.js';
import type { AppEvent, IpcHandlers } from '../../../shared/ipc.js';
import { ManualTime } from '../../fixtures/manual-time.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';

const PASSPHRASE = 'unit-test passphrase';
const MINUTE = 60_000;
const caller = { pid: 4242, executable: '/usr/bin/curl' };

let provider: ProviderServer;
let dataDir: string;
let session: AppSession;
let events: AppEvent[];
let agent: SessionAgent;
let time: ManualTime;
let autoLock: AutoLock;
let api: IpcHandlers;
let certificateTransportsForgotten: number;
/** What the host's powerMonitor says: seconds since the last input anywhere on the computer. */
let systemIdleSeconds: number | undefined;

beforeAll(async () => {
  provider = await startProviderServer();
});
afterAll(() => provider.close());

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tokendesk-auto-lock-'));
  certificateTransportsForgotten = 0;
  systemIdleSeconds = undefined;
  const ports: CorePorts = {
    fetch: (input, init) => fetch(input, init),
    clock: { now: () => Date.now() },
    randomBytes: (n) => new Uint8Array(randomBytes(n)),
    forgetClientCertificates: async () => void certificateTransportsForgotten++,
  };
  session = new AppSession({ dataDir, ports });
  events = [];
  time = new ManualTime();
  const emit = (event: AppEvent): void => void events.push(event);
  const approvals = createAgentApprovals(emit);
  agent = createSessionAgent({ dataDir, session: () => unlockedAccounts(session), approvals });
  // Wired as main/electron/main.ts and the browser harness wire it.
  autoLock = createSessionAutoLock({ session, agent, emit, clock: time, scheduler: time, systemIdleSeconds: () => systemIdleSeconds ?? 0 });
  const guard = createClipboardGuard({ clipboard: { readText: () => '', writeText: () => undefined }, now: () => Date.now() });
  api = createApiHandlers({ session, clipboard: guard, ports, emit, openExternal: async () => undefined, approvals, agent, autoLock });
});

afterEach(async () => {
  autoLock.stop();
  await agent.onLocked();
  session.lock();
  await rm(dataDir, { recursive: true, force: true });
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never happened: ${what}`);
}

const lockEvents = (): AppEvent[] => events.filter((event) => event.type === 'locked');
async function vaultState(): Promise<string> {
  const status = await api['app:status']({});
  return status.ok ? status.value.vault : 'error';
}
/** Gives a lock the timer started the chance to finish (it stops the agent, which is asynchronous). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
}

async function createWithAccount(): Promise<void> {
  expect(await api['app:create']({ passphrase: PASSPHRASE })).toMatchObject({ ok: true });
  const text = `name = "myfiber"\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${provider.clients.myfiber.clientId}"\nclient_secret = "${provider.clients.myfiber.clientSecret}"\n`;
  expect(await api['accounts:import']({ text })).toMatchObject({ ok: true });
  // Scripts get the token without a question (so the test can ask as a script would, unattended).
  expect(await api['accounts:update']({ name: 'myfiber', patch: { agentApproval: false } })).toMatchObject({ ok: true });
}

describe('the idle lock', () => {
  it('locks the vault after 15 minutes without use by default, through the lock path (reason "idle")', async () => {
    await createWithAccount();
    expect(await api['settings:get']({})).toEqual({ ok: true, value: { clipboardClearSeconds: 60, autoLockMinutes: 15 } });
    expect(autoLock.deadline).toBe(time.now() + 15 * MINUTE);
    time.advance(15 * MINUTE - 1000);
    await settle();
    expect(await vaultState()).toBe('unlocked');
    time.advance(1000);
    await until(() => lockEvents().length === 1, 'the locked event');
    expect(lockEvents()).toEqual([{ type: 'locked', reason: 'idle' }]);
    expect(await vaultState()).toBe('locked');
    expect(autoLock.deadline).toBeUndefined();
  });

  it('what is forgotten: a locked session gives no token, to the window nor to a program; the agent stops; client-certificate transports close', async () => {
    await createWithAccount();
    expect((await askAgent(dataDir, { op: 'token', name: 'myfiber' }, { caller })).accessToken).toBeTruthy();
    expect(readRendezvous(dataDir)).toMatchObject({ kind: 'app' });
    time.advance(15 * MINUTE);
    await until(() => lockEvents().length === 1, 'the idle lock');
    expect(() => session.accounts()).toThrow(expect.objectContaining({ code: 'ERR_VAULT_LOCKED' }));
    expect(await api['tokens:copy']({ name: 'myfiber', what: 'token' })).toMatchObject({ ok: false, error: { code: 'ERR_VAULT_LOCKED' } });
    expect(await api['tokens:reveal']({ name: 'myfiber' })).toMatchObject({ ok: false, error: { code: 'ERR_VAULT_LOCKED' } });
    expect(readRendezvous(dataDir)).toBeUndefined();
    await expect(askAgent(dataDir, { op: 'token', name: 'myfiber' }, { caller })).rejects.toBeInstanceOf(AgentUnavailableError);
    expect(certificateTransportsForgotten).toBeGreaterThan(0);
    // The tray rebuilds from the locked session too.
    expect(events.at(-1)).toEqual({ type: 'accounts-changed' });
  });

  it('activity in the window (app:activity) postpones it: the idle time counts from the last input', async () => {
    await createWithAccount();
    time.advance(10 * MINUTE);
    expect(await api['app:activity']({})).toEqual({ ok: true, value: {} });
    expect(autoLock.deadline).toBe(time.now() + 15 * MINUTE);
    time.advance(14 * MINUTE);
    await settle();
    expect(await vaultState()).toBe('unlocked');
    time.advance(MINUTE);
    await until(() => lockEvents().length === 1, 'the idle lock');
    expect(await vaultState()).toBe('locked');
  });

  it('a program asking the agent every minute, and the window reloading after each hand-out, do not keep the vault open', async () => {
    await createWithAccount();
    for (let minute = 1; minute < 15; minute++) {
      time.advance(MINUTE);
      expect((await askAgent(dataDir, { op: 'token', name: 'myfiber' }, { caller })).accessToken).toBeTruthy();
      // What the window does by itself on the accounts-changed event that follows.
      expect((await api['accounts:list']({})).ok).toBe(true);
      expect((await api['accounts:get']({ name: 'myfiber' })).ok).toBe(true);
      expect((await api['app:status']({})).ok).toBe(true);
    }
    time.advance(MINUTE);
    await until(() => lockEvents().length === 1, 'the idle lock');
    await expect(askAgent(dataDir, { op: 'token', name: 'myfiber' }, { caller })).rejects.toBeInstanceOf(AgentUnavailableError);
  });

  it('input elsewhere on the computer does not keep it open (the larger idle time counts), and a long system idle time locks sooner', async () => {
    await createWithAccount();
    // The user types in other programs all the time: the system is never idle, TokenDesk is.
    systemIdleSeconds = 0;
    time.advance(15 * MINUTE);
    await until(() => lockEvents().length === 1, 'the idle lock while the computer is in use');

    expect(await api['app:unlock']({ passphrase: PASSPHRASE })).toMatchObject({ ok: true });
    time.advance(5 * MINUTE);
    // The computer reports 20 idle minutes (a report of window activity that was no input): the larger one wins at the next check.
    systemIdleSeconds = 20 * 60;
    expect(await api['app:activity']({})).toMatchObject({ ok: true });
    await until(() => lockEvents().length === 2, 'the lock on the system idle time');
    expect(lockEvents()[1]).toEqual({ type: 'locked', reason: 'idle' });
  });

  it('"never" (0) never locks, and leaves no timer behind', async () => {
    await createWithAccount();
    expect(await api['settings:set']({ autoLockMinutes: 0 })).toEqual({ ok: true, value: { clipboardClearSeconds: 60, autoLockMinutes: 0 } });
    expect(autoLock.deadline).toBeUndefined();
    expect(time.pendingCount).toBe(0);
    time.advance(7 * 24 * 60 * MINUTE);
    await settle();
    expect(await vaultState()).toBe('unlocked');
    expect(lockEvents()).toEqual([]);
  });

  it('a settings change re-arms from the moment of the change, and is kept in the vault for the next unlock', async () => {
    await createWithAccount();
    time.advance(10 * MINUTE);
    expect(await api['settings:set']({ autoLockMinutes: 60 })).toMatchObject({ ok: true, value: { autoLockMinutes: 60 } });
    time.advance(50 * MINUTE);
    await settle();
    expect(await vaultState()).toBe('unlocked');
    expect(await api['settings:set']({ autoLockMinutes: 1 })).toMatchObject({ ok: true, value: { autoLockMinutes: 1 } });
    time.advance(59_000);
    await settle();
    expect(await vaultState()).toBe('unlocked');
    time.advance(1000);
    await until(() => lockEvents().length === 1, 'the lock one minute after the change');

    expect(await api['app:unlock']({ passphrase: PASSPHRASE })).toMatchObject({ ok: true });
    expect(session.preferences().autoLockMinutes).toBe(1);
    expect(autoLock.deadline).toBe(time.now() + MINUTE);
  });

  it('refuses a setting that is not whole minutes from 0 to a week, and changes nothing', async () => {
    await createWithAccount();
    for (const autoLockMinutes of [-1, 1.5, 10_081]) {
      expect(await api['settings:set']({ autoLockMinutes })).toMatchObject({ ok: false, error: { kind: 'input' } });
    }
    expect(session.preferences().autoLockMinutes).toBe(15);
  });
});

describe('locking by hand and by the system', () => {
  it('the Lock button (app:lock) takes the same path with reason "user" and disarms the timer; unlocking arms it again', async () => {
    await createWithAccount();
    expect(await api['app:lock']({})).toEqual({ ok: true, value: {} });
    expect(lockEvents()).toEqual([{ type: 'locked', reason: 'user' }]);
    expect(autoLock.deadline).toBeUndefined();
    expect(time.pendingCount).toBe(0);
    expect(readRendezvous(dataDir)).toBeUndefined();
    expect(await api['app:unlock']({ passphrase: PASSPHRASE })).toMatchObject({ ok: true });
    expect(autoLock.deadline).toBe(time.now() + 15 * MINUTE);
  });

  it('a screen lock or sleep (lockNow) locks an unlocked vault, and does nothing while locked or before the vault exists', async () => {
    expect(await autoLock.lockNow('screen-locked')).toBe(false);
    expect(lockEvents()).toEqual([]);
    await createWithAccount();
    expect(await autoLock.lockNow('suspend')).toBe(true);
    expect(lockEvents()).toEqual([{ type: 'locked', reason: 'suspend' }]);
    expect(await vaultState()).toBe('locked');
    expect(await autoLock.lockNow('screen-locked')).toBe(false);
    expect(lockEvents()).toHaveLength(1);
  });
});
