/**
 * The app session's agent (issue 11 items 3 and 7: "the app session's agent
 * served and stopped on lock"): the real agent server on a real socket for a
 * temporary vault, asked by the real client, started and stopped through the
 * IPC handlers the window calls (app:create, app:unlock, app:lock).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AgentUnavailableError, askAgent } from '../../../main/core/agent/client.js';
import { readRendezvous } from '../../../main/core/agent/rendezvous.js';
import { startAgentServer, type AgentServerHandle } from '../../../main/core/agent/server.js';
import { createAgentBackend } from '../../../main/core/agent/service.js';
import { createApiHandlers } from '../../../main/core/api.js';
import { createAgentApprovals, type AgentApprovals } from '../../../main/core/api/agent-approvals.js';
import { createSessionAgent, unlockedAccounts, type SessionAgent } from '../../../main/core/api/session-agent.js';
import { AppSession } from '../../../main/core/app-session.js';
import { createClipboardGuard } from '../../../main/core/clipboard-guard.js';
import type { CorePorts } from '../../../main/core/ports.js';
import type { AppEvent, IpcHandlers } from '../../../shared/ipc.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';

const PASSPHRASE = 'unit-test passphrase';
const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: { now: () => Date.now() }, randomBytes: (n) => new Uint8Array(randomBytes(n)) };
const caller = { pid: 4242, executable: '/usr/bin/curl', parentExecutable: '/usr/bin/bash' };

let provider: ProviderServer;
let dataDir: string;
let session: AppSession;
let events: AppEvent[];
let approvals: AgentApprovals;
let agent: SessionAgent;
let api: IpcHandlers;

beforeAll(async () => {
  provider = await startProviderServer();
});
afterAll(() => provider.close());

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tokendesk-session-agent-'));
  session = new AppSession({ dataDir, ports });
  events = [];
  approvals = createAgentApprovals((event) => events.push(event));
  agent = createSessionAgent({ dataDir, session: () => unlockedAccounts(session), approvals });
  const guard = createClipboardGuard({ clipboard: { readText: () => '', writeText: () => undefined }, now: () => Date.now() });
  api = createApiHandlers({ session, clipboard: guard, ports, emit: (event) => events.push(event), openExternal: async () => undefined, approvals, agent });
});
afterEach(async () => {
  await agent.onLocked();
  session.lock();
  await rm(dataDir, { recursive: true, force: true });
});

async function importMyfiber(name = 'myfiber'): Promise<void> {
  const text = `name = "${name}"\npreset = "myfiber"\nbase_url = "${provider.url}/myfiber"\nclient_id = "${provider.clients.myfiber.clientId}"\nclient_secret = "${provider.clients.myfiber.clientSecret}"\n`;
  expect(await api['accounts:import']({ text })).toMatchObject({ ok: true });
}

/** Waits (bounded) for the window to be asked, and returns the question's id. */
async function question(): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const asked = events.filter((event) => event.type === 'agent-approval').at(-1);
    if (asked?.type === 'agent-approval' && approvals.pending().some((pending) => pending.id === asked.id)) return asked.id;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the window was never asked');
}

describe('the app session is an agent while unlocked', () => {
  it('serves from app:create on, as the app kind; a token needs the window’s answer', async () => {
    expect(readRendezvous(dataDir)).toBeUndefined();
    expect(await api['app:create']({ passphrase: PASSPHRASE })).toMatchObject({ ok: true });
    expect(readRendezvous(dataDir)).toMatchObject({ kind: 'app', pid: process.pid });
    expect(await askAgent(dataDir, { op: 'status' }, { caller })).toMatchObject({ kind: 'app', pid: process.pid });
    await importMyfiber();

    const token = askAgent(dataDir, { op: 'token', name: 'myfiber' }, { caller });
    const id = await question();
    expect(events).toContainEqual(expect.objectContaining({ type: 'agent-approval', id, account: 'myfiber', operation: 'token', caller }));
    expect(await api['agent:answer']({ id, answer: 'once' })).toEqual({ ok: true, value: {} });
    const handed = await token;
    expect(provider.isAccessTokenActive('myfiber', handed.accessToken)).toBe(true);
    expect(handed).not.toHaveProperty('refreshToken');
  });

  it('app:lock stops serving (the rendezvous file goes) and denies the question waiting; app:unlock serves again with the answers forgotten', async () => {
    await api['app:create']({ passphrase: PASSPHRASE });
    await importMyfiber();
    const waiting = askAgent(dataDir, { op: 'token', name: 'myfiber' }, { caller });
    const id = await question();
    expect(await api['app:lock']({})).toEqual({ ok: true, value: {} });
    await expect(waiting).rejects.toThrow();
    expect(events).toContainEqual({ type: 'agent-approval-closed', id });
    expect(readRendezvous(dataDir)).toBeUndefined();
    expect(agent.endpoint()).toBeUndefined();
    await expect(askAgent(dataDir, { op: 'status' }, { caller })).rejects.toBeInstanceOf(AgentUnavailableError);

    expect(await api['app:unlock']({ passphrase: PASSPHRASE })).toMatchObject({ ok: true });
    expect(readRendezvous(dataDir)).toMatchObject({ kind: 'app' });
    // "Allow until TokenDesk locks", then a lock: the next request is asked again.
    const first = askAgent(dataDir, { op: 'token', name: 'myfiber' }, { caller });
    await api['agent:answer']({ id: await question(), answer: 'session' });
    await first;
    const unasked = await askAgent(dataDir, { op: 'token', name: 'myfiber' }, { caller });
    expect(unasked.accessToken).toBeTruthy();
    await api['app:lock']({});
    await api['app:unlock']({ passphrase: PASSPHRASE });
    const askedAgain = askAgent(dataDir, { op: 'token', name: 'myfiber' }, { caller });
    const again = await question();
    await api['agent:answer']({ id: again, answer: 'deny' });
    await expect(askedAgain).rejects.toMatchObject({ code: 'ERR_AGENT_DENIED', message: expect.stringContaining('denied in the TokenDesk window') });
  });

  it('an account with asking switched off is handed out without a question; removing it is still asked', async () => {
    await api['app:create']({ passphrase: PASSPHRASE });
    await importMyfiber();
    await api['accounts:update']({ name: 'myfiber', patch: { agentApproval: false } });
    const before = events.length;
    const handed = await askAgent(dataDir, { op: 'token', name: 'myfiber' }, { caller });
    expect(provider.isAccessTokenActive('myfiber', handed.accessToken)).toBe(true);
    expect(events.slice(before).filter((event) => event.type === 'agent-approval')).toEqual([]);
    const removal = askAgent(dataDir, { op: 'remove', name: 'myfiber' }, { caller });
    const id = await question();
    expect(approvals.pending()[0]).toMatchObject({ operation: 'remove', account: 'myfiber' });
    await api['agent:answer']({ id, answer: 'deny' });
    await expect(removal).rejects.toMatchObject({ code: 'ERR_AGENT_DENIED' });
    expect(await api['accounts:list']({})).toMatchObject({ ok: true, value: [{ name: 'myfiber' }] });
  });

  it('another agent serving the vault (a tokendesk agent) does not stop the app: the window is told why the command line cannot use it', async () => {
    await api['app:create']({ passphrase: PASSPHRASE });
    await agent.onLocked();
    const other = new AppSession({ dataDir, ports });
    await other.unlock(PASSPHRASE);
    let headless: AgentServerHandle | undefined = await startAgentServer({ dataDir, kind: 'headless', backend: createAgentBackend({ session: () => other.accounts() }) });
    try {
      await agent.onUnlocked();
      expect(agent.endpoint()).toBeUndefined();
      const status = await api['app:status']({});
      expect(status).toMatchObject({ ok: true, value: { vault: 'unlocked', agentWarning: expect.stringContaining(String(process.pid)) } });
      // The app itself works on.
      await importMyfiber();
      // Once the other agent is gone, the next unlock serves.
      await headless.stop();
      headless = undefined;
      await api['app:lock']({});
      await api['app:unlock']({ passphrase: PASSPHRASE });
      expect(agent.endpoint()).toBeDefined();
      expect(await api['app:status']({})).not.toMatchObject({ value: { agentWarning: expect.anything() } });
    } finally {
      await headless?.stop();
      other.lock();
    }
  });

  it('a start that never ends is given up in time and the app goes on', async () => {
    await api['app:create']({ passphrase: PASSPHRASE });
    await agent.onLocked();
    const stuck = createSessionAgent({ dataDir, session: () => unlockedAccounts(session), approvals, startServer: () => new Promise(() => undefined), startTimeoutMs: 50 });
    const started = Date.now();
    await stuck.onUnlocked();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(stuck.warning()).toContain('did not start in time');
    await stuck.onLocked();
  });

  it('a lock right after an unlock wins, whatever order the starts and stops end in', async () => {
    await api['app:create']({ passphrase: PASSPHRASE });
    const steps = [agent.onLocked(), agent.onUnlocked(), agent.onLocked()];
    await Promise.all(steps);
    expect(agent.endpoint()).toBeUndefined();
    expect(readRendezvous(dataDir)).toBeUndefined();
  });
});
