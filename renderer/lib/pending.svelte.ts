/**
 * The state of one async action behind a button: busy while it runs, what
 * went wrong (in plain words) after. One place for the try/catch/finally every
 * form needs, so no form forgets to reset `busy` or to explain a failure.
 */
import { describeError, type ErrorView } from './errors.js';

export class Pending {
  #busy = $state(false);
  #error = $state.raw<ErrorView | undefined>();

  get busy(): boolean {
    return this.#busy;
  }

  get error(): ErrorView | undefined {
    return this.#error;
  }

  /** Runs `action` unless one is already running; a failure becomes `error`. True when it succeeded. */
  async run(action: () => Promise<unknown>): Promise<boolean> {
    if (this.#busy) return false;
    this.#busy = true;
    this.#error = undefined;
    try {
      await action();
      return true;
    } catch (error) {
      this.#error = describeError(error);
      return false;
    } finally {
      this.#busy = false;
    }
  }

  clear(): void {
    this.#error = undefined;
  }
}
