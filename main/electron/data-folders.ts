/**
 * Two folders, never one: the vault folder (vault.json, its backup and lock
 * files: what the CLI opens and what the README tells users to copy) and
 * Chromium's own profile (caches, Local Storage, cookies, the
 * single-instance lock), which Electron would otherwise put in the same place.
 *
 * Electron keeps `userData` for the ProcessSingleton, Crashpad and logs
 * (electron/electron shell/browser/api/electron_api_app.cc
 * RequestSingleInstanceLock: "base::PathService::Get(chrome::DIR_USER_DATA")
 * and `sessionData` for everything a Session writes (shell/common/
 * electron_paths.cc: DIR_SESSION_DATA defaults to DIR_USER_DATA). Both point
 * at the Chromium folder, which is derived from the vault folder: one
 * Chromium folder per vault folder means one primary instance per vault.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { App } from 'electron';
import { VaultError } from '../core/errors.js';

export const APP_NAME = 'TokenDesk';

export interface DataFolders {
  /** Absolute, symlinks resolved: the folder AppSession and the CLI open. */
  vault: string;
  /** Chromium's profile for this vault: userData and sessionData. Outside the vault folder. */
  chromium: string;
  /** The vault is the default one (no TOKENDESK_DATA_DIR, or one naming the default folder). */
  isDefaultVault: boolean;
}

export interface DataFolderInputs {
  env: NodeJS.ProcessEnv;
  /** `app.getPath('appData')`: Linux $XDG_CONFIG_HOME or ~/.config, macOS ~/Library/Application Support, Windows %APPDATA%. */
  appData: string;
  /** Where a relative TOKENDESK_DATA_DIR is resolved from (the CLI reads it the same way). */
  cwd: string;
  platform: NodeJS.Platform;
}

/** Creates a folder only its owner can enter (like the vault does), and says which one failed. */
function ensureFolder(folder: string, what: string): string {
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    return realpathSync.native(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new VaultError('ERR_VAULT_WRITE', `TokenDesk could not create its ${what} ${folder} (${code}). Check that the folder can be written, or set TOKENDESK_DATA_DIR to one that can.`, { cause: error });
  }
}

/**
 * Resolves and creates both folders. Pure apart from creating them, so the
 * composition root can call it before `app.setPath` (which throws on a
 * relative or missing folder: "Path must be absolute").
 */
export function resolveDataFolders(inputs: DataFolderInputs): DataFolders {
  const defaultVault = path.join(inputs.appData, APP_NAME);
  const requested = inputs.env['TOKENDESK_DATA_DIR'] ? path.resolve(inputs.cwd, inputs.env['TOKENDESK_DATA_DIR']) : defaultVault;
  const vault = ensureFolder(requested, 'data folder');
  let isDefaultVault = requested === defaultVault;
  if (!isDefaultVault) {
    try {
      isDefaultVault = realpathSync.native(defaultVault) === vault;
    } catch {
      // The default folder does not exist, so this is not it.
    }
  }
  // Windows and macOS folders are case-insensitive: one vault, one key.
  const identity = inputs.platform === 'win32' || inputs.platform === 'darwin' ? vault.toLowerCase() : vault;
  const key = isDefaultVault ? 'default' : createHash('sha256').update(identity).digest('hex').slice(0, 16);
  const chromium = ensureFolder(path.join(inputs.appData, `${APP_NAME} Chromium`, key), 'browser data folder');
  return { vault, chromium, isDefaultVault };
}

/** Points Electron's folders at Chromium's; must run before `ready` (electron.d.ts setPath: sessionData "before the ready event"). */
export function applyDataFolders(app: Pick<App, 'setPath'>, folders: DataFolders): void {
  app.setPath('userData', folders.chromium);
  app.setPath('sessionData', folders.chromium);
}

/**
 * What Chromium wrote into the vault folder while TokenDesk still let
 * userData be that folder (up to 0.1): caches, storage, the cookie jar, the
 * instance lock. Removed once so the folder the README tells users to copy
 * holds only vault files. Only when Chromium's own marker `Local State` is
 * there, and only these names: a vault file is never among them.
 */
export const CHROMIUM_LEFTOVERS = [
  'Local State',
  'Preferences',
  'Cache',
  'Code Cache',
  'GPUCache',
  'DawnGraphiteCache',
  'DawnWebGPUCache',
  'Local Storage',
  'Session Storage',
  'Shared Dictionary',
  'SharedStorage',
  'Cookies',
  'Cookies-journal',
  'Network Persistent State',
  'TransportSecurity',
  'Trust Tokens',
  'Trust Tokens-journal',
  'blob_storage',
  'Crashpad',
  'Dictionaries',
  'IndexedDB',
  'WebStorage',
  'databases',
  'Service Worker',
  'SingletonLock',
  'SingletonCookie',
  'SingletonSocket',
  'lockfile',
] as const;

export function removeChromiumLeftovers(vaultFolder: string, fs: { existsSync(path: string): boolean; rmSync(path: string, options: { recursive: boolean; force: boolean }): void }): string[] {
  if (!fs.existsSync(path.join(vaultFolder, 'Local State'))) return [];
  const removed: string[] = [];
  for (const name of CHROMIUM_LEFTOVERS) {
    const entry = path.join(vaultFolder, name);
    try {
      if (!fs.existsSync(entry)) continue;
      fs.rmSync(entry, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Left for the next start: nothing depends on it being gone.
    }
  }
  return removed;
}
