/**
 * The app's shared state: which screen is shown, the vault status, the account
 * list, flow prompts and the one-line notice. A class with private $state
 * fields and getters (svelte.dev style); screens call its methods.
 */
import type { AccountSummaryView, AgentApprovalEvent, AppEvent, AppSettings, IpcResponse } from '../../shared/ipc.js';
import { addDraft } from './add-draft.svelte.js';
import { call, onEvent } from './api.js';
import { describeError, type ErrorView } from './errors.js';
import { LongActions } from './long-action.svelte.js';
import { S } from './strings.js';

export type Screen =
  | { name: 'loading' }
  | { name: 'first-run' }
  | { name: 'unlock' }
  | { name: 'list' }
  | { name: 'add' }
  | { name: 'detail'; account: string }
  | { name: 'settings' };

export type AuthPrompt = Extract<AppEvent, { type: 'authorization-prompt' }>;
export type DevicePrompt = Extract<AppEvent, { type: 'device-code-prompt' }>;
export type AgentApproval = AgentApprovalEvent;
export type ApprovalAnswer = 'once' | 'session' | 'deny';
export type Notice = { tone: 'info' | 'success' | 'warning' | 'error'; text: string; id: number };
export type LockReason = NonNullable<Extract<AppEvent, { type: 'locked' }>['reason']>;

/** Input is reported to the main process at most this often (the auto-lock counts minutes). */
const ACTIVITY_REPORT_MS = 10_000;

export class AppState {
  #screen = $state<Screen>({ name: 'loading' });
  #status = $state.raw<IpcResponse<'app:status'> | undefined>(undefined);
  #accounts = $state.raw<AccountSummaryView[]>([]);
  #accountsLoaded = $state(false);
  #listError = $state.raw<ErrorView | undefined>(undefined);
  #authPrompt = $state.raw<AuthPrompt | undefined>(undefined);
  #devicePrompt = $state.raw<DevicePrompt | undefined>(undefined);
  #notice = $state.raw<Notice | undefined>(undefined);
  /** Questions from programs asking the app's agent; the main process shows one at a time. */
  #approvals = $state.raw<AgentApproval[]>([]);
  #agentWarningDismissed = $state(false);
  /** Locked while running (the Lock button, the tray), after it was open: the keychain then opens it again. */
  #lockedWhileRunning = $state(false);
  #settings = $state.raw<AppSettings>({ clipboardClearSeconds: 60, autoLockMinutes: 15 });
  /** Why the vault was locked while running (the unlock screen says it). */
  #lockReason = $state<LockReason | undefined>(undefined);
  /** Where the user was when the vault locked: shown again after unlocking. */
  #resumeScreen: Screen | undefined;
  #lastActivityReport = 0;
  #now = $state(Date.now());
  /** Bumped on every accounts-changed event so open screens can reload. */
  #revision = $state(0);
  #noticeCounter = 0;
  /** Screens shown so far, and at which one the notice was given: a notice outlives at most the one navigation its action made. */
  #navigations = $state(0);
  #noticeNavigation = $state(0);
  /** The accounts' network actions (running, cancel, failures): shared by the list and the detail page. */
  readonly actions = new LongActions(
    (text, tone) => this.notify(text, tone),
    // The list and the account's own page show the failure in an error box (see AccountList, AccountDetail).
    (account) => this.#screen.name === 'list' || (this.#screen.name === 'detail' && this.#screen.account === account),
  );

  get screen(): Screen {
    return this.#screen;
  }
  get status(): IpcResponse<'app:status'> | undefined {
    return this.#status;
  }
  get accounts(): AccountSummaryView[] {
    return this.#accounts;
  }
  get accountsLoaded(): boolean {
    return this.#accountsLoaded;
  }
  get listError(): ErrorView | undefined {
    return this.#listError;
  }
  get authPrompt(): AuthPrompt | undefined {
    return this.#authPrompt;
  }
  get devicePrompt(): DevicePrompt | undefined {
    return this.#devicePrompt;
  }
  get notice(): Notice | undefined {
    // "Saved" must not stay up on the next screen the user opens, next to what happens there.
    const notice = this.#notice;
    return notice && this.#navigations - this.#noticeNavigation <= 1 ? notice : undefined;
  }
  get lockedWhileRunning(): boolean {
    return this.#lockedWhileRunning;
  }
  get lockReason(): LockReason | undefined {
    return this.#lockReason;
  }
  get approval(): AgentApproval | undefined {
    return this.#approvals[0];
  }
  /** Why the command line cannot use this window, until the user dismisses it. */
  get agentWarning(): string | undefined {
    return this.#status?.vault === 'unlocked' && !this.#agentWarningDismissed ? this.#status.agentWarning : undefined;
  }
  get settings(): AppSettings {
    return this.#settings;
  }
  get now(): number {
    return this.#now;
  }
  get revision(): number {
    return this.#revision;
  }

  navigate(screen: Screen): void {
    // A screen with unsaved work (Add account) may ask first; it calls `leave` when the user agrees.
    if (screen.name !== this.#screen.name && this.#leaveGuard?.(() => (this.#screen = screen))) return;
    this.#screen = screen;
    this.#navigations++;
  }

  #leaveGuard: ((leave: () => void) => boolean) | undefined;

  /**
   * While registered, navigating away asks `guard` first: true means it
   * holds the navigation (and calls `leave` to go on). Returns the remover.
   */
  guardLeave(guard: (leave: () => void) => boolean): () => void {
    this.#leaveGuard = guard;
    return () => {
      if (this.#leaveGuard === guard) this.#leaveGuard = undefined;
    };
  }

  notify(text: string, tone: Notice['tone'] = 'success'): void {
    this.#notice = { text, tone, id: ++this.#noticeCounter };
    this.#noticeNavigation = this.#navigations;
  }

  dismissNotice(): void {
    this.#notice = undefined;
  }

  tick(): void {
    this.#now = Date.now();
  }

  /** Reads the vault status and picks the first screen. */
  async start(): Promise<void> {
    try {
      const status = await call('app:status', {});
      this.#status = status;
      if (status.vault === 'missing') this.#screen = { name: 'first-run' };
      else if (status.vault === 'locked') this.#screen = { name: 'unlock' };
      else await this.enter();
      // A question asked before this window existed (it was closed, or reloaded) is shown too.
      await this.loadApprovals();
    } catch (error) {
      this.#listError = describeError(error);
      this.#screen = { name: 'list' };
    }
  }

  /** After the vault is open: load settings and accounts, show the list. */
  async enter(): Promise<void> {
    this.#status = { vault: 'unlocked', keychain: this.#status?.keychain ?? 'unavailable' };
    this.#agentWarningDismissed = false;
    await this.refreshStatus();
    try {
      this.#settings = await call('settings:get', {});
    } catch {
      // Defaults stay; the settings screen shows the error if it persists.
    }
    await this.loadAccounts();
    this.#screen = this.#takeResumeScreen();
    this.#lockReason = undefined;
    // The next input is reported at once: the timer has just restarted in the main process anyway, and it must not wait for a throttle.
    this.#lastActivityReport = 0;
  }

  /** The screen the user was on when the vault locked, if it still makes sense (an account may be gone). */
  #takeResumeScreen(): Screen {
    const resume = this.#resumeScreen;
    this.#resumeScreen = undefined;
    if (!resume) return { name: 'list' };
    if (resume.name === 'detail') return this.#accounts.some((account) => account.name === resume.account) ? resume : { name: 'list' };
    return resume.name === 'add' || resume.name === 'settings' ? resume : { name: 'list' };
  }

  /**
   * The user pressed a key, clicked or scrolled: tells the main process (at
   * most every few seconds) so the auto-lock waits again. Only input counts:
   * the window's own reloads never call this (main/core/auto-lock.ts).
   */
  noteActivity(): void {
    if (this.#status?.vault !== 'unlocked') return;
    const now = Date.now();
    if (now - this.#lastActivityReport < ACTIVITY_REPORT_MS) return;
    this.#lastActivityReport = now;
    void call('app:activity', {}).catch(() => undefined);
  }

  /** Re-reads the status: whether a recovery passphrase is set, and what the opened vault must tell the user. */
  async refreshStatus(): Promise<void> {
    try {
      this.#status = await call('app:status', {});
    } catch {
      // The screen stays as it is; the next action reports the problem.
    }
  }

  /** The user has read the notice about the vault that was opened (from its backup, an older copy, an open folder). */
  dismissVaultNotice(): void {
    if (!this.#status) return;
    const { recovery: _recovery, rollback: _rollback, folderWarning: _folder, ...rest } = this.#status;
    this.#status = rest;
  }

  async loadAccounts(): Promise<void> {
    try {
      this.#accounts = await call('accounts:list', {});
      this.#listError = undefined;
    } catch (error) {
      this.#listError = describeError(error);
    } finally {
      this.#accountsLoaded = true;
    }
  }

  async loadApprovals(): Promise<void> {
    try {
      const pending = await call('agent:pending', {});
      for (const approval of pending) this.#addApproval(approval);
    } catch {
      // Nothing to show; the next question arrives as an event.
    }
  }

  /** The user's answer; the dialog closes at once (the main process confirms with agent-approval-closed). */
  async answerApproval(id: string, answer: ApprovalAnswer): Promise<void> {
    this.#removeApproval(id);
    try {
      await call('agent:answer', { id, answer });
    } catch {
      // No longer waiting (the program gave up, or the time ran out): it was denied already.
    }
  }

  dismissAgentWarning(): void {
    this.#agentWarningDismissed = true;
  }

  /** Locks the vault (the agent stops serving programs) and shows the unlock screen. */
  async lock(): Promise<void> {
    await call('app:lock', {});
    this.#showLocked('user');
  }

  #showLocked(reason: LockReason | undefined): void {
    // Locked twice (the button, then its event): the first one knows where the user was.
    if (this.#status?.vault === 'unlocked') {
      const screen = this.#screen;
      this.#resumeScreen = screen.name === 'detail' || screen.name === 'add' || screen.name === 'settings' ? screen : undefined;
      this.#lockReason = reason;
    }
    // The draft holds pasted secrets: a locked window keeps none (issue 13 item 2).
    addDraft.clear();
    this.#status = { vault: 'locked', keychain: this.#status?.keychain ?? 'unavailable' };
    this.#lockedWhileRunning = true;
    this.actions.reset();
    this.#accounts = [];
    this.#accountsLoaded = false;
    this.#approvals = [];
    this.#authPrompt = undefined;
    this.#devicePrompt = undefined;
    if (this.#screen.name !== 'unlock') this.#screen = { name: 'unlock' };
  }

  #addApproval(approval: AgentApproval): void {
    if (!this.#approvals.some((known) => known.id === approval.id)) this.#approvals = [...this.#approvals, approval];
  }

  #removeApproval(id: string): void {
    this.#approvals = this.#approvals.filter((approval) => approval.id !== id);
  }

  setSettings(settings: AppSettings): void {
    this.#settings = settings;
  }

  clearAuthPrompt(): void {
    this.#authPrompt = undefined;
  }

  clearDevicePrompt(): void {
    this.#devicePrompt = undefined;
  }

  /** Subscribes to main-process events; returns the unsubscribe function. */
  listen(): () => void {
    const stop = onEvent((event) => this.#handle(event));
    const input = (): void => this.noteActivity();
    const kinds = ['keydown', 'pointerdown', 'wheel'] as const;
    for (const kind of kinds) window.addEventListener(kind, input, { capture: true, passive: true });
    return () => {
      stop();
      for (const kind of kinds) window.removeEventListener(kind, input, { capture: true });
    };
  }

  #handle(event: AppEvent): void {
    switch (event.type) {
      case 'accounts-changed':
        this.#revision++;
        if (this.#status?.vault === 'unlocked') void this.loadAccounts();
        break;
      case 'authorization-prompt':
        this.#authPrompt = event;
        break;
      case 'device-code-prompt':
        this.#devicePrompt = event;
        break;
      case 'flow-ended':
        if (this.#authPrompt?.account === event.account) this.#authPrompt = undefined;
        if (this.#devicePrompt?.account === event.account) this.#devicePrompt = undefined;
        break;
      case 'warning':
        this.notify(event.message, 'warning');
        break;
      case 'clipboard':
        if (event.state === 'cleared') this.notify(S.clipboardCleared, 'info');
        break;
      case 'agent-approval':
        this.#addApproval(event);
        break;
      case 'agent-approval-closed':
        this.#removeApproval(event.id);
        break;
      case 'locked':
        this.#showLocked(event.reason);
        break;
      case 'progress':
        break;
    }
  }
}
