/**
 * The approval queue behind the app's agent: one question in the window at
 * a time, answered, timed out, withdrawn by the program, or denied on lock.
 */
import { describe, expect, it } from 'vitest';
import { createAgentApprovals } from '../../../main/core/api/agent-approvals.js';
import type { ApprovalRequest } from '../../../main/core/agent/service.js';
import type { AppEvent } from '../../../shared/ipc.js';

const curl: ApprovalRequest = { account: 'myfiber', operation: 'token', caller: { pid: 4242, executable: '/usr/bin/curl', parentPid: 10, parentExecutable: '/usr/bin/bash' } };
const python: ApprovalRequest = { account: 'myfiber', operation: 'token', caller: { pid: 4343, executable: '/usr/bin/python3' } };

function setup(timeoutMs = 60_000) {
  const events: AppEvent[] = [];
  const approvals = createAgentApprovals((event) => events.push(event), { timeoutMs, now: () => 1_000 });
  const shown = () => events.filter((event) => event.type === 'agent-approval');
  const closed = () => events.filter((event) => event.type === 'agent-approval-closed').map((event) => (event as { id: string }).id);
  return { events, approvals, shown, closed };
}

const never = () => new AbortController().signal;

describe('createAgentApprovals', () => {
  it('asks the window (account, operation, the caller as reported) and resolves with its answer, then closes the dialog', async () => {
    const { approvals, shown, closed } = setup();
    const answer = approvals.approve(curl, never());
    expect(shown()).toEqual([
      {
        type: 'agent-approval',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        account: 'myfiber',
        operation: 'token',
        caller: { pid: 4242, executable: '/usr/bin/curl', parentExecutable: '/usr/bin/bash' },
        expiresAt: 61_000,
      },
    ]);
    const id = (shown()[0] as { id: string }).id;
    expect(approvals.pending()).toEqual(shown());
    approvals.answer(id, 'once');
    await expect(answer).resolves.toBe('once');
    expect(closed()).toEqual([id]);
    expect(approvals.pending()).toEqual([]);
  });

  it('shows one question at a time, in arrival order', async () => {
    const { approvals, shown } = setup();
    const first = approvals.approve(curl, never());
    const second = approvals.approve({ ...python, operation: 'remove' }, never());
    expect(shown()).toHaveLength(1);
    approvals.answer((shown()[0] as { id: string }).id, 'deny');
    await expect(first).resolves.toBe('deny');
    expect(shown()).toHaveLength(2);
    expect(shown()[1]).toMatchObject({ operation: 'remove', caller: { executable: '/usr/bin/python3' } });
    approvals.answer((shown()[1] as { id: string }).id, 'once');
    await expect(second).resolves.toBe('once');
  });

  it('"Allow until TokenDesk locks" also answers the same question queued behind it, and nothing else', async () => {
    const { approvals, shown } = setup();
    const first = approvals.approve(curl, never());
    const same = approvals.approve({ ...curl, caller: { ...curl.caller, pid: 5000 } }, never());
    const otherProgram = approvals.approve(python, never());
    const otherAccount = approvals.approve({ ...curl, account: 'netrex' }, never());
    approvals.answer((shown()[0] as { id: string }).id, 'session');
    await expect(first).resolves.toBe('session');
    await expect(same).resolves.toBe('session');
    // The next dialog is the other program's: the same program's second request was not shown.
    expect(shown()).toHaveLength(2);
    expect(shown()[1]).toMatchObject({ caller: { executable: '/usr/bin/python3' } });
    approvals.cancelAll();
    await expect(otherProgram).resolves.toBe('deny');
    await expect(otherAccount).resolves.toBe('deny');
  });

  it('denies a question nobody answers in time, and closes its dialog', async () => {
    const { approvals, shown, closed } = setup(30);
    const started = Date.now();
    await expect(approvals.approve(curl, never())).resolves.toBe('deny');
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(closed()).toEqual([(shown()[0] as { id: string }).id]);
    expect(() => approvals.answer((shown()[0] as { id: string }).id, 'once')).toThrow(expect.objectContaining({ code: 'ERR_INPUT_UNKNOWN' }));
  });

  it('the time limit runs from when the question is shown, not while it waits behind another', async () => {
    const { approvals, shown } = setup(80);
    const first = approvals.approve(curl, never());
    const second = approvals.approve(python, never());
    await new Promise((resolve) => setTimeout(resolve, 50));
    approvals.answer((shown()[0] as { id: string }).id, 'once');
    await first;
    await new Promise((resolve) => setTimeout(resolve, 50));
    // 100 ms after it was asked, 50 ms after it was shown: still waiting.
    approvals.answer((shown()[1] as { id: string }).id, 'once');
    await expect(second).resolves.toBe('once');
  });

  it('a program that stops waiting withdraws its question: denied, its dialog closed, the next one shown', async () => {
    const { approvals, shown, closed } = setup();
    const controller = new AbortController();
    const first = approvals.approve(curl, controller.signal);
    const queuedController = new AbortController();
    const queued = approvals.approve({ ...curl, account: 'queued' }, queuedController.signal);
    const last = approvals.approve(python, never());
    // A queued question that is withdrawn was never shown: no dialog to close.
    queuedController.abort();
    await expect(queued).resolves.toBe('deny');
    expect(closed()).toEqual([]);
    controller.abort();
    await expect(first).resolves.toBe('deny');
    expect(closed()).toEqual([(shown()[0] as { id: string }).id]);
    expect(shown()).toHaveLength(2);
    expect(shown()[1]).toMatchObject({ caller: { executable: '/usr/bin/python3' } });
    approvals.answer((shown()[1] as { id: string }).id, 'once');
    await expect(last).resolves.toBe('once');
  });

  it('a program that already stopped waiting is denied without a question', async () => {
    const { approvals, events } = setup();
    const controller = new AbortController();
    controller.abort();
    await expect(approvals.approve(curl, controller.signal)).resolves.toBe('deny');
    expect(events).toEqual([]);
  });

  it('locking denies every waiting question and closes the dialog shown', async () => {
    const { approvals, shown, closed } = setup();
    const answers = [approvals.approve(curl, never()), approvals.approve(python, never())];
    approvals.cancelAll();
    await expect(Promise.all(answers)).resolves.toEqual(['deny', 'deny']);
    expect(closed()).toEqual([(shown()[0] as { id: string }).id]);
    expect(shown()).toHaveLength(1);
    expect(approvals.pending()).toEqual([]);
  });

  it('refuses an answer to a question that is not shown (an id guessed or queued)', async () => {
    const { approvals, shown } = setup();
    void approvals.approve(curl, never());
    void approvals.approve(python, never());
    expect(() => approvals.answer('not-an-id', 'once')).toThrow(expect.objectContaining({ code: 'ERR_INPUT_UNKNOWN' }));
    expect(shown()).toHaveLength(1);
    approvals.cancelAll();
  });

  it('shortens an absurdly long reported executable for the dialog', async () => {
    const { approvals, shown } = setup();
    void approvals.approve({ ...curl, caller: { pid: 1, executable: `/x/${'a'.repeat(5000)}` } }, never());
    const caller = (shown()[0] as { caller: { executable: string } }).caller;
    expect(caller.executable.length).toBeLessThanOrEqual(1001);
    approvals.cancelAll();
  });
});
