/**
 * The rendezvous file, `agent.json` beside the vault: which endpoint the
 * agent listens on and the random key every client must present. It has
 * mode 0600 in the vault's own folder, so a process that cannot read the
 * vault folder cannot ask the agent for anything.
 *
 * On the command line's fast path: node built-ins only.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const RENDEZVOUS_FILE = 'agent.json';
const MAX_RENDEZVOUS_BYTES = 16 * 1024;

export interface Rendezvous {
  v: 1;
  /** A UNIX socket path or a Windows named pipe (`\\.\pipe\...`). */
  endpoint: string;
  /** base64url of 32 random bytes. */
  key: string;
  pid: number;
  kind: 'app' | 'headless';
  /** Epoch ms. */
  startedAt: number;
}

export function rendezvousPath(dataDir: string): string {
  return join(dataDir, RENDEZVOUS_FILE);
}

/** A new 256-bit key, base64url (43 characters). */
export function newAgentKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The rendezvous file of `dataDir`, or undefined when there is none or it is
 * not one (a half-written or foreign file is the same as none: nobody to ask).
 */
export function readRendezvous(dataDir: string): Rendezvous | undefined {
  let raw: string;
  try {
    raw = readFileSync(rendezvousPath(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  if (raw.length > MAX_RENDEZVOUS_BYTES) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<Rendezvous>;
    const valid =
      value.v === 1 && typeof value.endpoint === 'string' && value.endpoint.length > 0 &&
      typeof value.key === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value.key) &&
      Number.isInteger(value.pid) && (value.kind === 'app' || value.kind === 'headless') && typeof value.startedAt === 'number';
    return valid ? (value as Rendezvous) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the file atomically with mode 0600: a client never reads half of it. */
export function writeRendezvous(dataDir: string, rendezvous: Rendezvous): void {
  const target = rendezvousPath(dataDir);
  const temporary = `${target}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  // 'wx': never write through a file (or a link) someone put there.
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(rendezvous)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, target);
}

/** Removes the file, but only while it still names this agent (a newer agent may have replaced it). */
export function removeRendezvous(dataDir: string, key: string): void {
  const current = readRendezvous(dataDir);
  if (current && current.key !== key) return;
  rmSync(rendezvousPath(dataDir), { force: true });
}
