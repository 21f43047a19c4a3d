/**
 * Typed errors of the core. Every error has a stable `code` (callers and tests
 * switch on it) and a message a non-developer can read. Messages never contain
 * a secret: constructors take only the facts they print, and callers must not
 * pass client secrets, passwords, keys or tokens into them.
 */
import type { ErrorKind } from '../../shared/types.js';

export type ErrorCode =
  // InputError
  | 'ERR_INPUT_SYNTAX' // the TOML/JSON text cannot be parsed
  | 'ERR_INPUT_FIELD' // a field has a wrong type or value
  | 'ERR_INPUT_MISSING' // a field the grant needs is missing
  | 'ERR_INPUT_UNKNOWN' // unknown preset, account name, option
  | 'ERR_INPUT_INSECURE_URL' // an endpoint is not https and not loopback
  | 'ERR_INPUT_USAGE' // command-line usage
  | 'ERR_INPUT_DUPLICATE' // an account name already exists
  | 'ERR_BUDGET_EXCEEDED' // the account's request budget would be exceeded
  // AuthServerError
  | 'ERR_AUTH_SERVER' // the authorization server answered with an OAuth error
  | 'ERR_AUTH_DENIED' // the user denied consent / callback carried ?error=
  | 'ERR_AUTH_STATE' // callback state does not match any pending flow
  | 'ERR_AUTH_EXPIRED' // flow or device code expired
  // TransportError
  | 'ERR_NETWORK' // connection refused, DNS, reset
  | 'ERR_TLS' // certificate problem
  | 'ERR_PROXY' // the proxy refused (407, 403), could not connect onwards, or cannot be reached
  | 'ERR_CLIENT_CERTIFICATE_UNSUPPORTED' // this host cannot present a client certificate (mutual TLS)
  | 'ERR_TIMEOUT'
  | 'ERR_REDIRECT' // the token endpoint answered 3xx
  | 'ERR_RESPONSE_TOO_LARGE'
  | 'ERR_RESPONSE_NOT_JSON'
  | 'ERR_RESPONSE_INVALID' // JSON, but not a token response (no access_token, ...)
  | 'ERR_HTTP_STATUS' // non-2xx without an OAuth error body
  | 'ERR_RATE_LIMITED' // 429 beyond the retry bound
  // ApiStatusError
  | 'ERR_API_STATUS' // an API answered `tokendesk request` with a status other than 2xx
  // VaultError
  | 'ERR_VAULT_LOCKED'
  | 'ERR_VAULT_PASSPHRASE'
  | 'ERR_VAULT_DAMAGED'
  | 'ERR_VAULT_NOT_FOUND'
  | 'ERR_VAULT_BUSY' // lock held by another process too long
  | 'ERR_VAULT_VERSION'
  | 'ERR_VAULT_KEY_SLOT'
  | 'ERR_VAULT_EXISTS' // create() refused: a vault (or its backup) is already in the folder
  | 'ERR_VAULT_WRITE' // the disk refused a save: full, over quota, read-only, no permission, file held by another program
  | 'ERR_BACKUP_PASSPHRASE' // a backup file's passphrase is not right
  | 'ERR_BACKUP_DAMAGED' // a backup file is damaged, truncated, or not a TokenDesk backup
  | 'ERR_BACKUP_VERSION' // a backup file was written by a newer TokenDesk
  | 'ERR_BACKUP_EXISTS' // `tokendesk backup FILE`: FILE is already there (never overwritten)
  | 'ERR_AGENT_RUNNING' // another agent already serves this vault
  | 'ERR_AGENT_ENDPOINT' // the agent's socket folder is not private, or the endpoint cannot be created
  | 'ERR_AGENT_KEY' // a client presented no key or the wrong one
  | 'ERR_AGENT_DENIED' // the user pressed Deny in the window (or did not answer)
  | 'ERR_AGENT_SIGN_IN' // the account needs a browser sign-in, which an agent request does not start
  | 'ERR_AGENT_CLIENT_CERTIFICATE' // `request` through the agent for an account with a client certificate, which never leaves TokenDesk
  | 'ERR_AGENT_PROTOCOL' // a message the other side cannot read (version, shape, size)
  | 'ERR_AGENT_INTERNAL' // the agent failed in a way it did not expect (details stay in the agent)
  // SystemError
  | 'ERR_CLIPBOARD' // the operating system refused the clipboard, or did not keep what was copied
  | 'ERR_SANDBOX' // the packaged app was started without Chromium's sandbox
  // Cancellation
  | 'ERR_CANCELLED';

/** Where in an input file a problem is. Lines and columns are 1-based. */
export interface InputLocation {
  file?: string;
  line?: number;
  column?: number;
  /** Dotted path of the field, e.g. `accounts.prod.client_id`. */
  field?: string;
}

export abstract class TokenDeskError extends Error {
  abstract readonly kind: ErrorKind;
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad file, bad setting, bad usage. CLI exit code 2. */
export class InputError extends TokenDeskError {
  readonly kind = 'input' as const;
  readonly location: InputLocation | undefined;
  constructor(code: ErrorCode, message: string, location?: InputLocation, options?: { cause?: unknown }) {
    super(code, withLocation(message, location), options);
    this.location = location;
  }
}

/** The authorization server said no. CLI exit code 3. */
export class AuthServerError extends TokenDeskError {
  readonly kind = 'auth_server' as const;
  /** The server's `error` value (or free text for Netrex-style errors). */
  readonly error: string;
  readonly errorDescription: string | undefined;
  readonly status: number | undefined;
  /**
   * The grant whose token request was refused (`refresh_token` for a
   * refresh), when a token request was: the same `invalid_grant` means a bad
   * password for one grant and a revoked key file for another.
   */
  readonly grant: string | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    details: { error: string; errorDescription?: string; status?: number; grant?: string },
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.error = details.error;
    this.errorDescription = details.errorDescription;
    this.status = details.status;
    this.grant = details.grant;
  }
}

/**
 * A change of one setting that would most likely make a failed request work,
 * offered to the user as one click ("Use https://…/token/ instead"). The
 * value is built from the account's own setting, never copied from a server.
 */
export interface ErrorFix {
  field: 'tokenUrl';
  value: string;
}

/** Network, TLS, timeout or protocol failure. CLI exit code 4. */
export class TransportError extends TokenDeskError {
  readonly kind = 'transport' as const;
  readonly status: number | undefined;
  /** For ERR_REDIRECT: the Location the server pointed at. */
  readonly location: string | undefined;
  /** For ERR_REDIRECT: the Location is the request's own address with a "/" added to its path (Django's APPEND_SLASH). */
  readonly trailingSlashOnly: boolean;
  /** A settings change that should make the request work (see ErrorFix). */
  readonly fix: ErrorFix | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    details: { status?: number; location?: string; trailingSlashOnly?: boolean; fix?: ErrorFix } = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.status = details.status;
    this.location = details.location;
    this.trailingSlashOnly = details.trailingSlashOnly ?? false;
    this.fix = details.fix;
  }
}

/**
 * An API (a resource server, not the authorization server) answered
 * `tokendesk request` with a status other than 2xx, a redirect included; its
 * body is the command's result all the same. CLI exit code 6.
 */
export class ApiStatusError extends TokenDeskError {
  readonly kind = 'transport' as const;
  readonly status: number;
  constructor(status: number, message: string) {
    super('ERR_API_STATUS', message);
    this.status = status;
  }
}

/** Vault locked, wrong passphrase, damaged or busy. CLI exit code 5. */
export class VaultError extends TokenDeskError {
  readonly kind = 'vault' as const;
}

/** The computer itself refused (the clipboard) or is set up so TokenDesk must not run (no sandbox). CLI exit code 1. */
export class SystemError extends TokenDeskError {
  readonly kind = 'system' as const;
}

/** The user (or a signal) cancelled a long operation. CLI exit code 130. */
export class CancelledError extends TokenDeskError {
  readonly kind = 'cancelled' as const;
  constructor(message = 'Cancelled.') {
    super('ERR_CANCELLED', message);
  }
}

function withLocation(message: string, location: InputLocation | undefined): string {
  if (!location) return message;
  const where: string[] = [];
  if (location.file) where.push(location.file);
  if (location.line !== undefined) {
    where.push(location.column !== undefined ? `line ${location.line}, column ${location.column}` : `line ${location.line}`);
  }
  const prefix = where.join(', ');
  const field = location.field ? ` (field "${location.field}")` : '';
  return prefix ? `${prefix}${field}: ${message}` : field ? `${location.field}: ${message}` : message;
}

export function isTokenDeskError(value: unknown): value is TokenDeskError {
  return value instanceof TokenDeskError;
}

/** CLI exit code for an error (SPEC 6). Unknown errors are internal failures (1). */
export function exitCodeFor(error: unknown): number {
  if (!(error instanceof TokenDeskError)) return 1;
  if (error instanceof ApiStatusError) return 6;
  switch (error.kind) {
    case 'input':
      return 2;
    case 'auth_server':
      return 3;
    case 'transport':
      return 4;
    case 'vault':
      return 5;
    case 'system':
      return 1;
    case 'cancelled':
      return 130;
  }
}
