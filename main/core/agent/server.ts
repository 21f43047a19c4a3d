/**
 * The agent's endpoint: listens on the vault's socket (or named pipe),
 * checks the key and the shape of every request, hands it to the backend
 * and writes one answer line per request.
 *
 * Who can ask: on Linux and macOS, only this user can open the socket
 * (0600 in a 0700 folder); on every system, only a process that read the
 * key from the rendezvous file in the vault folder (0600). Windows' named
 * pipe is open to other local users by its default ACL, so there the key is
 * the whole protection.
 */
import { timingSafeEqual } from 'node:crypto';
import { chmodSync, lstatSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { isTokenDeskError, VaultError } from '../errors.js';
import { AgentUnavailableError, askAgent } from './client.js';
import { agentEndpoint, hostEndpointEnvironment, prepareSocketFolder, type EndpointEnvironment } from './endpoint.js';
import {
  AGENT_PROTOCOL_VERSION,
  AgentProtocolProblem,
  LineReader,
  parseAgentRequest,
  type AgentErrorBody,
  type AgentRequest,
  type AgentStatus,
} from './protocol.js';
import { newAgentKey, readRendezvous, removeRendezvous, writeRendezvous, type Rendezvous } from './rendezvous.js';

/** What answers the requests (service.ts). `status` is answered by the server itself. */
export interface AgentBackend {
  /** `signal` aborts when the client hangs up (an approval dialog then closes). */
  handle(request: Exclude<AgentRequest, { op: 'status' }>, signal: AbortSignal): Promise<unknown>;
  /** Called when the server stops: last chance to save what is pending (hand-out history). */
  close?(): Promise<void>;
}

export interface AgentServerOptions {
  dataDir: string;
  kind: 'app' | 'headless';
  backend: AgentBackend;
  /** A connection that sends nothing for this long (and waits for no answer) is closed. */
  connectionTimeoutMs?: number;
  /** Every request, after its key was checked (the headless agent's idle timer). */
  onRequest?(request: AgentRequest): void;
  /** A failure that is not a TokenDeskError: the client hears a generic line, the host may log this (never a secret in our errors, but a stack). */
  onUnexpectedError?(error: unknown): void;
  host?: EndpointEnvironment;
}

export interface AgentServerHandle {
  endpoint: string;
  pid: number;
  /** Closes the endpoint and every connection, removes the socket and the rendezvous file (while still ours). */
  stop(): Promise<void>;
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
const KIND_WORDS = { app: 'the TokenDesk app', headless: 'tokendesk agent' } as const;

export async function startAgentServer(options: AgentServerOptions): Promise<AgentServerHandle> {
  const host = options.host ?? hostEndpointEnvironment();
  await refuseIfServed(options.dataDir);
  const endpoint = agentEndpoint(options.dataDir, host);
  const posix = host.platform !== 'win32';
  if (posix) {
    prepareSocketFolder(endpoint.slice(0, endpoint.lastIndexOf('/')), host.uid);
    removeDeadSocket(endpoint);
  }
  const key = newAgentKey();
  const keyBytes = Buffer.from(key);
  const status: AgentStatus = { kind: options.kind, pid: process.pid, dataDir: options.dataDir };
  const sockets = new Set<Socket>();
  const server = createServer((socket) => serveConnection(socket, { ...options, keyBytes, status }, sockets));
  await listen(server, endpoint);
  // The folder is 0700 already; the socket itself is 0600 too, in case the folder is ever opened up.
  if (posix) chmodSync(endpoint, 0o600);
  const rendezvous: Rendezvous = { v: 1, endpoint, key, pid: process.pid, kind: options.kind, startedAt: Date.now() };
  try {
    writeRendezvous(options.dataDir, rendezvous);
  } catch (error) {
    server.close();
    throw new VaultError('ERR_AGENT_ENDPOINT', `The agent could not write ${options.dataDir}/agent.json, so no command could find it (${codeOf(error)}).`);
  }
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    pid: process.pid,
    stop: () =>
      (stopped ??= (async () => {
        removeRendezvous(options.dataDir, key);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
        if (posix) rmSync(endpoint, { force: true });
        await options.backend.close?.();
      })()),
  };
}

/** Another live agent for this vault: refuse, naming it. A dead one's rendezvous file: forget it. */
async function refuseIfServed(dataDir: string): Promise<void> {
  const existing = readRendezvous(dataDir);
  if (!existing) return;
  try {
    const status = await askAgent(dataDir, { op: 'status' }, { timeoutMs: 2_000 });
    throw new VaultError(
      'ERR_AGENT_RUNNING',
      `Another TokenDesk agent already serves this vault: ${KIND_WORDS[status.kind]} (pid ${status.pid}). Commands already get tokens from it; stop it first to start another.`,
    );
  } catch (error) {
    if (!(error instanceof AgentUnavailableError)) {
      if (isTokenDeskError(error) && error.code === 'ERR_AGENT_RUNNING') throw error;
      // It answered, but not as an agent of ours should (another version): still someone serving.
      throw new VaultError('ERR_AGENT_RUNNING', `Another TokenDesk agent (pid ${existing.pid}) answers for this vault. Stop it first to start another.`);
    }
    removeRendezvous(dataDir, existing.key);
  }
}

/** A socket file left by an agent that was killed (nobody answered its rendezvous): removed before listening. */
function removeDeadSocket(endpoint: string): void {
  try {
    if (lstatSync(endpoint).isSocket()) rmSync(endpoint, { force: true });
  } catch {
    // Nothing there.
  }
}

function listen(server: Server, endpoint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
          ? new VaultError('ERR_AGENT_RUNNING', 'Another TokenDesk agent already listens for this vault. Stop it first to start another.')
          : new VaultError('ERR_AGENT_ENDPOINT', `The agent could not listen on ${endpoint} (${codeOf(error)}).`),
      ),
    );
    server.listen(endpoint, () => resolve());
  });
}

interface ConnectionContext extends AgentServerOptions {
  keyBytes: Buffer;
  status: AgentStatus;
}

function serveConnection(socket: Socket, ctx: ConnectionContext, sockets: Set<Socket>): void {
  sockets.add(socket);
  const hangUp = new AbortController();
  const reader = new LineReader();
  let pending = 0;
  socket.setEncoding('utf8');
  socket.setTimeout(ctx.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS);
  // Idle and waiting for nothing: close. While an answer is being prepared (an approval, a vendor), keep it open.
  socket.on('timeout', () => {
    if (pending === 0) socket.destroy();
  });
  socket.once('close', () => {
    sockets.delete(socket);
    hangUp.abort();
  });
  socket.on('error', () => undefined);
  const send = (id: number, body: { ok: true; result: unknown } | { ok: false; error: AgentErrorBody }): void => {
    if (!socket.destroyed) socket.write(`${JSON.stringify({ v: AGENT_PROTOCOL_VERSION, id, ...body })}\n`);
  };
  socket.on('data', (chunk: string) => {
    let lines: string[];
    try {
      lines = reader.push(chunk);
    } catch (error) {
      send(0, { ok: false, error: protocolError(error) });
      socket.end();
      return;
    }
    for (const line of lines) {
      let request: AgentRequest;
      try {
        request = parseAgentRequest(JSON.parse(line));
      } catch (error) {
        // Nothing of a malformed request is trusted, its id included.
        send(idOf(line), { ok: false, error: protocolError(error) });
        socket.end();
        return;
      }
      if (!keyMatches(request.key, ctx.keyBytes)) {
        send(request.id, { ok: false, error: { kind: 'vault', code: 'ERR_AGENT_KEY', message: 'The agent refused the request: it did not carry the key from this vault\'s agent.json.' } });
        socket.end();
        return;
      }
      ctx.onRequest?.(request);
      if (request.op === 'status') {
        send(request.id, { ok: true, result: ctx.status });
        continue;
      }
      pending++;
      ctx.backend
        .handle(request, hangUp.signal)
        .then(
          (result) => send(request.id, { ok: true, result }),
          (error: unknown) => {
            if (!isTokenDeskError(error)) ctx.onUnexpectedError?.(error);
            send(request.id, { ok: false, error: errorBody(error) });
          },
        )
        .finally(() => pending--);
    }
  });
}

function keyMatches(given: string, expected: Buffer): boolean {
  const bytes = Buffer.from(given);
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

function idOf(line: string): number {
  try {
    const id = (JSON.parse(line) as { id?: unknown }).id;
    return typeof id === 'number' && Number.isSafeInteger(id) ? id : 0;
  } catch {
    return 0;
  }
}

function protocolError(error: unknown): AgentErrorBody {
  const detail = error instanceof AgentProtocolProblem ? error.message : 'It is not JSON.';
  return { kind: 'input', code: 'ERR_AGENT_PROTOCOL', message: `The agent cannot read this request: ${detail}` };
}

/** What a failure says to the client: a TokenDeskError's own facts (never a secret), else a generic line. */
function errorBody(error: unknown): AgentErrorBody {
  if (isTokenDeskError(error)) return { kind: error.kind, code: error.code, message: error.message };
  return { kind: 'system', code: 'ERR_AGENT_INTERNAL', message: 'The TokenDesk agent failed unexpectedly; see its own output for details.' };
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
}
