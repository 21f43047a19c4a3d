/** What every CLI command receives. */
import type { CorePorts } from '../core/ports.js';
import type { Io } from './terminal.js';

export interface CliContext {
  io: Io;
  ports: CorePorts;
  /** Aborted on Ctrl+C / SIGTERM: long operations stop and the CLI exits 130. */
  signal: AbortSignal;
}
