/**
 * `tokendesk agent`: the headless agent for servers, CI runners and
 * sessions without the desktop app. It unlocks the vault once, then serves
 * tokens to `tokendesk` commands (and anything speaking the protocol) until
 * Ctrl+C or SIGTERM, or until it has been idle for `--lock-after` minutes:
 * then it forgets the data key and every secret, removes its endpoint and
 * rendezvous file, and exits 0.
 */
import { createAgentBackend } from '../../core/agent/service.js';
import { startAgentServer, type AgentServerHandle } from '../../core/agent/server.js';
import type { CliContext } from '../context.js';
import { say } from '../terminal.js';
import { openSession } from '../open-session.js';

export interface AgentOptions {
  /** Minutes without a request before the agent locks and stops; 0: never. */
  lockAfterMinutes: number;
}

export const DEFAULT_LOCK_AFTER_MINUTES = 15;

export async function agentCommand(cli: CliContext, dataDir: string, options: AgentOptions): Promise<void> {
  const session = await openSession(cli, dataDir, { createIfMissing: false });
  let locked = false;
  const backend = createAgentBackend({ session: () => (locked ? undefined : session.accounts()) });
  let idleTimer: NodeJS.Timeout | undefined;
  let idleLocked!: () => void;
  const idle = new Promise<void>((resolve) => (idleLocked = resolve));
  const idleMs = options.lockAfterMinutes * 60_000;
  const restartIdleTimer = (): void => {
    if (idleMs === 0) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(idleLocked, idleMs);
  };
  let server: AgentServerHandle;
  try {
    server = await startAgentServer({
      dataDir: session.dataDir,
      kind: 'headless',
      backend,
      onRequest: restartIdleTimer,
      onUnexpectedError: (error) => {
        if (cli.io.env.TOKENDESK_DEBUG === '1') say(cli.io, error instanceof Error ? (error.stack ?? error.message) : String(error));
      },
    });
  } catch (error) {
    session.lock();
    throw error;
  }
  restartIdleTimer();
  const lockWords = idleMs === 0 ? 'It stays unlocked until it is stopped.' : `It locks itself after ${minutesText(options.lockAfterMinutes)} without a request.`;
  say(cli.io, `TokenDesk agent serving ${session.dataDir} (pid ${process.pid}). Commands such as "tokendesk token NAME" now get tokens without a passphrase. ${lockWords} Ctrl+C stops it.`);
  const stopped = new Promise<'signal'>((resolve) => {
    if (cli.signal.aborted) resolve('signal');
    cli.signal.addEventListener('abort', () => resolve('signal'), { once: true });
  });
  const why = await Promise.race([stopped, idle.then(() => 'idle' as const)]);
  clearTimeout(idleTimer);
  // Stop answering first, then save the hand-out history (server.stop flushes), then forget the key.
  await server.stop();
  locked = true;
  session.lock();
  say(cli.io, why === 'idle' ? `Locked after ${minutesText(options.lockAfterMinutes)} without a request; the agent stopped.` : 'The agent stopped; the vault is locked.');
}

function minutesText(minutes: number): string {
  if (minutes < 1) return `${Math.round(minutes * 60)} seconds`;
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** `--lock-after MINUTES`: a number from 0 (never) to 10080 (a week); decimals allowed (0.5 is 30 seconds). */
export function parseLockAfter(raw: string | undefined): number | undefined {
  if (raw === undefined) return DEFAULT_LOCK_AFTER_MINUTES;
  if (!/^\d+(\.\d+)?$/.test(raw)) return undefined;
  const minutes = Number(raw);
  return minutes <= 10_080 ? minutes : undefined;
}
