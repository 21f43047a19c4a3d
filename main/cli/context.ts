/** What every CLI command receives. */
import type { CorePorts } from '../core/ports.js';
import type { Io } from './terminal.js';

export interface CliContext {
  io: Io;
  ports: CorePorts;
  /** Aborted on Ctrl+C / SIGTERM: long operations stop and the CLI exits 130. */
  signal: AbortSignal;
  /** Per-request timeout from TOKENDESK_TIMEOUT_MS; default 30 s (SPEC 3). */
  timeoutMs?: number;
  /**
   * While a child process runs (`tokendesk run`): SIGINT, SIGTERM, SIGHUP and
   * SIGQUIT go to `handler` instead of cancelling the CLI, until the returned
   * function is called. Undefined when the CLI handles no signals (in-process tests).
   */
  forwardSignals?(handler: (signal: NodeJS.Signals) => void): () => void;
}
