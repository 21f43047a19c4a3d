/**
 * Which vault a `tokendesk://` callback belongs to. The operating system
 * starts the app for a callback URL with its own environment, so a sign-in
 * begun by an instance on another vault folder (TOKENDESK_DATA_DIR) would
 * reach a fresh launch on the default vault: a second primary instance that
 * knows nothing of the sign-in. Each instance that shows a sign-in notes its
 * vault folder here; a launch that carries a callback URL and no
 * TOKENDESK_DATA_DIR opens that folder instead, so it meets the waiting
 * instance's single-instance lock and hands the URL over.
 *
 * The note holds a folder path only, in the user's own configuration folder.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findCallbackUrl } from './protocol-routing.js';
import { APP_NAME } from './data-folders.js';

const NOTE_FILE = 'callback-vault.txt';
/** Older notes are ignored: an authorization request does not wait longer than this. */
export const CALLBACK_NOTE_MAX_AGE_MS = 60 * 60 * 1000;

function notePath(appData: string): string {
  return path.join(appData, `${APP_NAME} Chromium`, NOTE_FILE);
}

/** Called when this instance shows a sign-in: callbacks from now on belong to `vaultFolder`. */
export function rememberCallbackVault(appData: string, vaultFolder: string, now: number): void {
  const file = notePath(appData);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify({ vault: vaultFolder, at: now }), { mode: 0o600 });
}

/**
 * The environment a launch should use: unchanged, or with TOKENDESK_DATA_DIR
 * set to the vault that is waiting for this launch's callback URL.
 */
export function environmentForCallback(argv: readonly string[], env: NodeJS.ProcessEnv, appData: string, now: number): NodeJS.ProcessEnv {
  if (env['TOKENDESK_DATA_DIR'] || !findCallbackUrl(argv)) return env;
  let note: unknown;
  try {
    note = JSON.parse(readFileSync(notePath(appData), 'utf8'));
  } catch {
    return env;
  }
  const { vault, at } = (note ?? {}) as { vault?: unknown; at?: unknown };
  if (typeof vault !== 'string' || !path.isAbsolute(vault) || typeof at !== 'number' || now - at > CALLBACK_NOTE_MAX_AGE_MS || at > now + 60_000) return env;
  return { ...env, TOKENDESK_DATA_DIR: vault };
}
