/**
 * The agent's wire protocol: one JSON object per line, each way.
 *
 * A request carries the protocol version, an id the answer repeats, the key
 * from the rendezvous file (so only a process that can read the data folder
 * may ask), the caller as the client reports it, and the operation.
 * An answer carries either the result or an error (kind, code, message:
 * the same facts a TokenDeskError holds, never a secret).
 *
 * This module is on the command line's fast path (`tokendesk token NAME`
 * answered by the agent), so it imports nothing: the checks below are
 * hand-written schemas, used by the agent on every request and by the
 * client on every answer.
 */
import type { TokenSet } from '../../../shared/account.js';
import type { ErrorKind } from '../../../shared/types.js';

export const AGENT_PROTOCOL_VERSION = 1;
/** One message, either way. An import carries a credentials file: 1 MiB is far more than any. */
export const MAX_AGENT_MESSAGE_BYTES = 1024 * 1024;
/** Longest account name or file name accepted on the wire (the vault's own limits are lower). */
const MAX_NAME_CHARS = 1000;

export const AGENT_OPERATIONS = ['status', 'list', 'token', 'import', 'remove', 'revoke'] as const;
export type AgentOperation = (typeof AGENT_OPERATIONS)[number];

/** Who asks, as the client itself reports it: the agent cannot check it, and says so wherever it shows it. */
export interface AgentCaller {
  pid: number;
  executable: string;
  parentPid?: number;
  parentExecutable?: string;
}

export type AgentRequestBody =
  | { op: 'status' }
  | { op: 'list' }
  | { op: 'token'; name: string; force?: boolean; minValiditySeconds?: number }
  | { op: 'import'; text: string; fileName: string; baseDir: string }
  | { op: 'remove'; name: string }
  | { op: 'revoke'; name: string };

export type AgentRequest = AgentRequestBody & { v: typeof AGENT_PROTOCOL_VERSION; id: number; key: string; caller: AgentCaller };

/** The only token data that ever leaves the agent: no refresh token, no ID token, no secret. */
export interface HandedToken {
  accessToken: string;
  tokenType: string;
  expiresAt?: number;
  scope?: string;
  obtainedAt: number;
  hasRefreshToken: boolean;
  /**
   * true: the account presents a client certificate (mutual TLS), which never
   * leaves TokenDesk. An API that binds its tokens to the certificate
   * (RFC 8705 3) refuses this token on a connection without it, so
   * `tokendesk request` refuses to send it from a token the agent handed out.
   */
  clientCertificate?: true;
}

/** What of a token set leaves TokenDesk (to the agent's clients, to `run` and `request`): never the refresh or ID token. */
export function handedToken(tokens: TokenSet, account: { clientCertificate?: unknown } = {}): HandedToken {
  return {
    ...(account.clientCertificate ? { clientCertificate: true as const } : {}),
    accessToken: tokens.accessToken,
    tokenType: tokens.tokenType,
    ...(tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt } : {}),
    ...(tokens.scope !== undefined ? { scope: tokens.scope } : {}),
    obtainedAt: tokens.obtainedAt,
    hasRefreshToken: Boolean(tokens.refreshToken),
  };
}

/** `list`: what `tokendesk list --json` prints, per account. */
export interface AgentAccountRow {
  name: string;
  preset?: string;
  grant: string;
  status: string;
  expiresAt?: number;
  hasRefreshToken: boolean;
}

export interface AgentStatus {
  kind: 'app' | 'headless';
  pid: number;
  /** The vault folder the agent serves, as it resolved it. */
  dataDir: string;
}

export interface AgentResults {
  status: AgentStatus;
  list: AgentAccountRow[];
  token: HandedToken;
  import: { names: string[] };
  remove: Record<string, never>;
  revoke: { revokedAtServer: boolean };
}

export interface AgentErrorBody {
  kind: ErrorKind;
  code: string;
  message: string;
}

export type AgentResponse =
  | { v: typeof AGENT_PROTOCOL_VERSION; id: number; ok: true; result: unknown }
  | { v: typeof AGENT_PROTOCOL_VERSION; id: number; ok: false; error: AgentErrorBody };

/** What is wrong with a message, in words for the other side's error. */
export class AgentProtocolProblem extends Error {}

const ERROR_KIND_NAMES: readonly string[] = ['input', 'auth_server', 'transport', 'vault', 'system', 'cancelled'];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function problem(message: string): never {
  throw new AgentProtocolProblem(message);
}

function text(value: unknown, field: string, max = MAX_NAME_CHARS): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) problem(`"${field}" must be a text of 1 to ${max} characters.`);
  return value;
}

function wholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) problem(`"${field}" must be a whole number from ${min} to ${max}.`);
  return value;
}

function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') problem(`"${field}" must be true or false.`);
  return value;
}

function onlyKeys(value: Json, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problem(`${where} has an unknown field "${key.slice(0, 40)}".`);
}

function parseCaller(value: unknown): AgentCaller {
  if (!isObject(value)) problem('"caller" must be an object.');
  onlyKeys(value, ['pid', 'executable', 'parentPid', 'parentExecutable'], '"caller"');
  const caller: AgentCaller = { pid: wholeNumber(value.pid, 'caller.pid', 0, 2 ** 31), executable: text(value.executable, 'caller.executable', 4096) };
  if (value.parentPid !== undefined) caller.parentPid = wholeNumber(value.parentPid, 'caller.parentPid', 0, 2 ** 31);
  if (value.parentExecutable !== undefined) caller.parentExecutable = text(value.parentExecutable, 'caller.parentExecutable', 4096);
  return caller;
}

const COMMON_KEYS = ['v', 'id', 'key', 'caller', 'op'] as const;

/** The agent's check of one request line (already JSON-parsed). */
export function parseAgentRequest(value: unknown): AgentRequest {
  if (!isObject(value)) problem('A request must be a JSON object.');
  if (value.v !== AGENT_PROTOCOL_VERSION) problem(`This agent speaks protocol version ${AGENT_PROTOCOL_VERSION}; update the command line or the app so both are the same version.`);
  const id = wholeNumber(value.id, 'id', 0, Number.MAX_SAFE_INTEGER);
  const key = text(value.key, 'key', 100);
  const caller = parseCaller(value.caller);
  const head = { v: AGENT_PROTOCOL_VERSION, id, key, caller } as const;
  switch (value.op) {
    case 'status':
    case 'list':
      onlyKeys(value, COMMON_KEYS, 'The request');
      return { ...head, op: value.op };
    case 'token': {
      onlyKeys(value, [...COMMON_KEYS, 'name', 'force', 'minValiditySeconds'], 'The request');
      const request: AgentRequest = { ...head, op: 'token', name: text(value.name, 'name') };
      const force = optionalBoolean(value.force, 'force');
      if (force !== undefined) request.force = force;
      if (value.minValiditySeconds !== undefined) request.minValiditySeconds = wholeNumber(value.minValiditySeconds, 'minValiditySeconds', 0, 86_400);
      return request;
    }
    case 'import':
      onlyKeys(value, [...COMMON_KEYS, 'text', 'fileName', 'baseDir'], 'The request');
      return { ...head, op: 'import', text: text(value.text, 'text', MAX_AGENT_MESSAGE_BYTES), fileName: text(value.fileName, 'fileName', 4096), baseDir: text(value.baseDir, 'baseDir', 4096) };
    case 'remove':
    case 'revoke':
      onlyKeys(value, [...COMMON_KEYS, 'name'], 'The request');
      return { ...head, op: value.op, name: text(value.name, 'name') };
    default:
      return problem(`Unknown operation "${String(value.op).slice(0, 40)}".`);
  }
}

/** The client's check of one answer line: its envelope, then the result of the operation it asked for. */
export function parseAgentResponse<Op extends AgentOperation>(value: unknown, op: Op, id: number): { ok: true; result: AgentResults[Op] } | { ok: false; error: AgentErrorBody } {
  if (!isObject(value)) problem('The agent sent something that is not a JSON object.');
  if (value.v !== AGENT_PROTOCOL_VERSION) problem(`The agent speaks another protocol version (${String(value.v).slice(0, 20)}); update the command line or the app so both are the same version.`);
  if (value.id !== id) problem('The agent answered another request.');
  if (value.ok === false) {
    const error = value.error;
    if (!isObject(error) || typeof error.kind !== 'string' || !ERROR_KIND_NAMES.includes(error.kind)) problem('The agent sent an error without a known kind.');
    return { ok: false, error: { kind: error.kind as ErrorKind, code: text(error.code, 'error.code', 100), message: text(error.message, 'error.message', 10_000) } };
  }
  if (value.ok !== true) problem('The agent sent an answer that is neither a result nor an error.');
  return { ok: true, result: parseResult(op, value.result) as AgentResults[Op] };
}

function optionalTime(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) problem(`"${field}" must be a time in milliseconds.`);
  return value;
}

function parseHandedToken(value: unknown): HandedToken {
  if (!isObject(value)) problem('The token answer is not an object.');
  onlyKeys(value, ['accessToken', 'tokenType', 'expiresAt', 'scope', 'obtainedAt', 'hasRefreshToken', 'clientCertificate'], 'The token answer');
  const token: HandedToken = {
    accessToken: text(value.accessToken, 'accessToken', MAX_AGENT_MESSAGE_BYTES),
    tokenType: text(value.tokenType, 'tokenType', 100),
    obtainedAt: optionalTime(value.obtainedAt, 'obtainedAt') ?? problem('"obtainedAt" is missing.'),
    hasRefreshToken: optionalBoolean(value.hasRefreshToken, 'hasRefreshToken') ?? problem('"hasRefreshToken" is missing.'),
  };
  const expiresAt = optionalTime(value.expiresAt, 'expiresAt');
  if (expiresAt !== undefined) token.expiresAt = expiresAt;
  if (value.scope !== undefined) token.scope = typeof value.scope === 'string' ? value.scope : problem('"scope" must be a text.');
  if (value.clientCertificate !== undefined) {
    if (value.clientCertificate !== true) problem('"clientCertificate" must be true when given.');
    token.clientCertificate = true;
  }
  return token;
}

function parseAccountRow(value: unknown): AgentAccountRow {
  if (!isObject(value)) problem('An account row is not an object.');
  const row: AgentAccountRow = {
    name: text(value.name, 'name'),
    grant: text(value.grant, 'grant', 100),
    status: text(value.status, 'status', 100),
    hasRefreshToken: optionalBoolean(value.hasRefreshToken, 'hasRefreshToken') ?? false,
  };
  if (value.preset !== undefined) row.preset = text(value.preset, 'preset', 100);
  const expiresAt = optionalTime(value.expiresAt, 'expiresAt');
  if (expiresAt !== undefined) row.expiresAt = expiresAt;
  return row;
}

function parseResult(op: AgentOperation, value: unknown): unknown {
  switch (op) {
    case 'status': {
      if (!isObject(value) || (value.kind !== 'app' && value.kind !== 'headless')) problem('The status answer is not valid.');
      return { kind: value.kind, pid: wholeNumber(value.pid, 'pid', 0, 2 ** 31), dataDir: text(value.dataDir, 'dataDir', 4096) } satisfies AgentStatus;
    }
    case 'list':
      if (!Array.isArray(value)) problem('The list answer is not a list.');
      return value.map(parseAccountRow);
    case 'token':
      return parseHandedToken(value);
    case 'import': {
      if (!isObject(value) || !Array.isArray(value.names)) problem('The import answer is not valid.');
      return { names: value.names.map((name) => text(name, 'names[]')) };
    }
    case 'remove':
      return {};
    case 'revoke':
      if (!isObject(value) || typeof value.revokedAtServer !== 'boolean') problem('The revoke answer is not valid.');
      return { revokedAtServer: value.revokedAtServer };
  }
}

/** Reassembles newline-delimited messages from socket chunks, refusing one longer than the cap. */
export class LineReader {
  #buffered = '';
  /** Returns the complete lines in `chunk`; throws AgentProtocolProblem past the cap. */
  push(chunk: string): string[] {
    this.#buffered += chunk;
    const lines = this.#buffered.split('\n');
    this.#buffered = lines.pop() ?? '';
    // Characters, not bytes: a cap on UTF-16 units bounds the bytes to 3x, still small.
    if (this.#buffered.length > MAX_AGENT_MESSAGE_BYTES || lines.some((line) => line.length > MAX_AGENT_MESSAGE_BYTES)) {
      problem(`A message is longer than ${MAX_AGENT_MESSAGE_BYTES / 1024 / 1024} MiB.`);
    }
    return lines.filter((line) => line.length > 0);
  }
}
