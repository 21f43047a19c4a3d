/**
 * Where an agent listens: a UNIX domain socket in a private folder (Linux,
 * macOS), a named pipe on Windows. One endpoint per user and vault folder.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VaultError } from '../errors.js';

/** 16 hex characters of the vault folder's real path: short enough for the 104-byte socket path limit of macOS. */
function vaultHash(dataDir: string, extra = ''): string {
  let real = dataDir;
  try {
    real = realpathSync(dataDir);
  } catch {
    // Not created yet: the path as given.
  }
  return createHash('sha256').update(`${extra}\0${real}`).digest('hex').slice(0, 16);
}

export interface EndpointEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** process.getuid(), on POSIX. */
  uid?: number;
  /** The user name, on Windows (named pipes live in one namespace for all users). */
  userName?: string;
  tmpdir?: string;
}

export function hostEndpointEnvironment(): EndpointEnvironment {
  return {
    platform: process.platform,
    env: process.env,
    ...(process.getuid ? { uid: process.getuid() } : {}),
    userName: process.env.USERNAME ?? process.env.USER ?? '',
  };
}

/**
 * The folder of a user's agent sockets: `$XDG_RUNTIME_DIR/tokendesk` (a
 * per-user folder the system cleans at log-out) when it is set and belongs
 * to this user, else `<tmpdir>/tokendesk-<uid>`.
 */
export function socketFolder(host: EndpointEnvironment): string {
  const runtime = host.env.XDG_RUNTIME_DIR;
  if (runtime && runtime.startsWith('/') && ownedPrivately(runtime, host.uid)) return join(runtime, 'tokendesk');
  return join(host.tmpdir ?? tmpdir(), `tokendesk-${host.uid ?? 'user'}`);
}

/** The endpoint the agent for `dataDir` listens on. */
export function agentEndpoint(dataDir: string, host: EndpointEnvironment = hostEndpointEnvironment()): string {
  if (host.platform === 'win32') return `\\\\.\\pipe\\tokendesk-${vaultHash(dataDir, host.userName ?? '')}`;
  return join(socketFolder(host), `agent-${vaultHash(dataDir)}.sock`);
}

/**
 * Creates the socket folder with mode 0700, or checks the one there: it must
 * be a real folder (not a link), belong to this user and be closed to
 * everyone else, or another user could put a socket of theirs in its place.
 */
export function prepareSocketFolder(folder: string, uid: number | undefined): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const stat = lstatSync(folder);
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o077) !== 0) {
    throw new VaultError(
      'ERR_AGENT_ENDPOINT',
      `The agent's folder ${folder} is not a private folder of this user (it must be a folder, yours, mode 0700). Remove it, or set XDG_RUNTIME_DIR to a private folder, and start the agent again.`,
    );
  }
}

function ownedPrivately(folder: string, uid: number | undefined): boolean {
  try {
    const stat = lstatSync(folder);
    return stat.isDirectory() && (uid === undefined || stat.uid === uid) && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}
