/**
 * The network actions of each account (Copy, Refresh, Reveal, Test API call,
 * Revoke) while they run and after they failed: one per account at a time,
 * never a lock over the whole window, so a slow vendor never keeps another
 * account's Copy waiting (SPEC 7). Kept in the app state, not in a screen:
 * the list and the detail page show the same running action and the same
 * failure, and a failure is still told (as a notice) when the user has moved
 * on to another screen.
 */
import { call } from './api.js';
import { describeError, type ErrorView } from './errors.js';
import { S } from './strings.js';

export type ActionKind = 'copy' | 'header' | 'reveal' | 'refresh' | 'test' | 'revoke';

export interface RunningAction {
  account: string;
  kind: ActionKind;
  /** Epoch ms (the renderer's clock), for the elapsed time. */
  startedAt: number;
  /** Cancel was pressed; the main process is stopping it. */
  cancelling: boolean;
}

export interface ActionFailure {
  account: string;
  kind: ActionKind;
  error: ErrorView;
  at: number;
}

const CANCEL_ATTEMPTS = 3;
const CANCEL_RETRY_MS = 700;

export type Notify = (text: string, tone: 'info' | 'success' | 'warning' | 'error') => void;

export class LongActions {
  #running = $state.raw<ReadonlyMap<string, RunningAction>>(new Map());
  #failures = $state.raw<ReadonlyMap<string, ActionFailure>>(new Map());
  readonly #notify: Notify;
  readonly #shownOnScreen: (account: string) => boolean;
  readonly #now: () => number;

  /** `shownOnScreen`: whether the screen now open shows this account's failure itself (its error box): the notice then only points there. */
  constructor(notify: Notify, shownOnScreen: (account: string) => boolean, now: () => number = Date.now) {
    this.#notify = notify;
    this.#shownOnScreen = shownOnScreen;
    this.#now = now;
  }

  /** What runs for `account`, if anything. */
  running(account: string): RunningAction | undefined {
    return this.#running.get(account);
  }

  /** The last running action started (Escape on the list cancels this one). */
  get latest(): RunningAction | undefined {
    let latest: RunningAction | undefined;
    for (const action of this.#running.values()) if (!latest || action.startedAt >= latest.startedAt) latest = action;
    return latest;
  }

  /** Why the last action of `account` failed, until another one starts or the account is edited. */
  failure(account: string): ActionFailure | undefined {
    return this.#failures.get(account);
  }

  /** The newest failure of any account (the list shows it above the table). */
  get latestFailure(): ActionFailure | undefined {
    let latest: ActionFailure | undefined;
    for (const failure of this.#failures.values()) if (!latest || failure.at >= latest.at) latest = failure;
    return latest;
  }

  /**
   * Runs `work` as the action of `account`, unless one runs for it already
   * (then nothing happens and the result is undefined). Success: `work` says
   * so itself (its notice). Failure: kept for the screens and told as a
   * notice wherever the user is; a Cancel is no failure, only a plain notice.
   */
  async run<T>(account: string, kind: ActionKind, work: () => Promise<T>): Promise<T | undefined> {
    if (this.#running.has(account)) return undefined;
    this.#running = withEntry(this.#running, account, { account, kind, startedAt: this.#now(), cancelling: false });
    this.clearFailure(account);
    try {
      return await work();
    } catch (error) {
      const view = describeError(error);
      if (view.code === 'ERR_CANCELLED') {
        this.#notify(S.progress.cancelled(account), 'info');
      } else {
        this.#failures = withEntry(this.#failures, account, { account, kind, error: view, at: this.#now() });
        this.#notify(this.#shownOnScreen(account) ? S.progress.failedSeeAbove(account) : S.progress.failed(account, view.what), 'error');
      }
      return undefined;
    } finally {
      this.#running = without(this.#running, account);
    }
  }

  /** Asks the main process to stop what runs for `account` (token request, sign-in wait, revoke, API test). */
  async cancel(account: string): Promise<void> {
    const action = this.#running.get(account);
    if (!action || action.cancelling) return;
    this.#running = withEntry(this.#running, account, { ...action, cancelling: true });
    // Asked again while the same action still runs: a Cancel pressed at once can overtake the request it cancels on its way to the main process.
    for (let attempt = 0; attempt < CANCEL_ATTEMPTS && this.#running.get(account)?.startedAt === action.startedAt; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, CANCEL_RETRY_MS));
      if (this.#running.get(account)?.startedAt !== action.startedAt) break;
      try {
        await call('flows:cancel', { name: account });
      } catch {
        // Nothing runs any more in the main process: the action ends by itself.
      }
    }
  }

  /** A save, an edit or a success elsewhere made the last failure of `account` history. */
  clearFailure(account: string): void {
    if (this.#failures.has(account)) this.#failures = without(this.#failures, account);
  }

  /** The vault was locked: nothing of the accounts stays on screen. */
  reset(): void {
    this.#failures = new Map();
  }
}

function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V): ReadonlyMap<string, V> {
  return new Map(map).set(key, value);
}

function without<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}
