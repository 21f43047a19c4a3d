/**
 * Asking a running agent: read the rendezvous file, connect to its endpoint,
 * send one request line, read one answer line.
 *
 * This is the command line's fast path (`tokendesk token NAME` answered by
 * the agent must start about as fast as `node -e 0`), so it loads node
 * built-ins, the protocol and the error classes, nothing else.
 */
import { readlinkSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { TokenDeskError, type ErrorCode } from '../errors.js';
import type { ErrorKind } from '../../../shared/types.js';
import {
  AGENT_PROTOCOL_VERSION,
  AgentProtocolProblem,
  LineReader,
  parseAgentResponse,
  type AgentCaller,
  type AgentOperation,
  type AgentRequestBody,
  type AgentResults,
} from './protocol.js';
import { readRendezvous } from './rendezvous.js';

/** No agent answers for this vault (no rendezvous file, nobody listening, a dead agent's leftovers). */
export class AgentUnavailableError extends Error {
  constructor(readonly reason: 'none' | 'not-listening' | 'no-answer') {
    super(`No TokenDesk agent answers for this vault (${reason}).`);
    this.name = 'AgentUnavailableError';
  }
}

/**
 * True when nobody can serve the request: no agent answers, or the one that
 * answered is locking right now. The caller then opens the vault itself.
 */
export function meansNoAgent(error: unknown): boolean {
  return error instanceof AgentUnavailableError || (error instanceof AgentReportedError && error.code === 'ERR_VAULT_LOCKED');
}

/** An error the agent reported: same kind, code and message as on its side, so exit codes match. */
export class AgentReportedError extends TokenDeskError {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, code: string, message: string) {
    super(code as ErrorCode, message);
    this.kind = kind;
  }
}

/** The calling process, as the agent's history and approval dialog show it (reported by us, not checked by the agent). */
export function currentCaller(): AgentCaller {
  const caller: AgentCaller = { pid: process.pid, executable: process.execPath };
  if (process.ppid > 0) {
    caller.parentPid = process.ppid;
    // Linux tells whose child we are; elsewhere the pid alone.
    if (process.platform === 'linux') {
      try {
        caller.parentExecutable = readlinkSync(`/proc/${process.ppid}/exe`);
      } catch {
        // Not readable (another user's process, a hardened /proc): leave it out.
      }
    }
  }
  return caller;
}

export interface AskOptions {
  /** For the whole exchange. Token requests may wait for the user (approval) and a vendor: minutes, not seconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
  caller?: AgentCaller;
}

const CONNECT_TIMEOUT_MS = 2_000;
let nextId = 1;

/**
 * Sends one request to the agent serving `dataDir` and returns its result.
 * Throws AgentUnavailableError when no agent answers (the caller may then
 * open the vault itself), AgentReportedError for what the agent refused.
 */
export function askAgent<Op extends AgentOperation>(
  dataDir: string,
  body: Extract<AgentRequestBody, { op: Op }>,
  options: AskOptions = {},
): Promise<AgentResults[Op]> {
  const rendezvous = readRendezvous(dataDir);
  if (!rendezvous) return Promise.reject(new AgentUnavailableError('none'));
  const id = nextId++;
  const line = `${JSON.stringify({ ...body, v: AGENT_PROTOCOL_VERSION, id, key: rendezvous.key, caller: options.caller ?? currentCaller() })}\n`;
  return exchange(rendezvous.endpoint, line, body.op, id, options);
}

function exchange<Op extends AgentOperation>(endpoint: string, line: string, op: Op, id: number, options: AskOptions): Promise<AgentResults[Op]> {
  return new Promise((resolve, reject) => {
    let answered = false;
    let connected = false;
    const socket: Socket = createConnection(endpoint);
    const reader = new LineReader();
    const finish = (outcome: () => void): void => {
      if (answered) return;
      answered = true;
      clearTimeout(connectTimer);
      clearTimeout(overallTimer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      outcome();
    };
    const connectTimer = setTimeout(() => finish(() => reject(new AgentUnavailableError('no-answer'))), CONNECT_TIMEOUT_MS);
    const overallTimer = setTimeout(
      () => finish(() => reject(new AgentReportedError('transport', 'ERR_TIMEOUT', 'The TokenDesk agent did not answer in time.'))),
      options.timeoutMs ?? 180_000,
    );
    const onAbort = (): void => finish(() => reject(new AgentReportedError('cancelled', 'ERR_CANCELLED', 'Cancelled.')));
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      connected = true;
      clearTimeout(connectTimer);
      socket.write(line);
    });
    socket.on('data', (chunk: string) => {
      try {
        const [first] = reader.push(chunk);
        if (first === undefined) return;
        const answer = parseAgentResponse(JSON.parse(first), op, id);
        finish(() => (answer.ok ? resolve(answer.result) : reject(new AgentReportedError(answer.error.kind, answer.error.code, answer.error.message))));
      } catch (error) {
        const detail = error instanceof AgentProtocolProblem ? error.message : 'Its answer is not JSON.';
        finish(() => reject(new AgentReportedError('transport', 'ERR_AGENT_PROTOCOL', `The TokenDesk agent sent an answer this command line cannot read: ${detail}`)));
      }
    });
    // Nobody listening (ENOENT, ECONNREFUSED: an agent that was killed) or gone before answering: no agent.
    socket.once('error', () => finish(() => reject(new AgentUnavailableError(connected ? 'no-answer' : 'not-listening'))));
    socket.once('close', () => finish(() => reject(new AgentUnavailableError(connected ? 'no-answer' : 'not-listening'))));
  });
}
