/**
 * The desktop app's data folder, computed without Electron so the CLI opens
 * the same vault: Electron's `app.getPath('userData')` for an app named
 * "TokenDesk" (appData + name).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'TokenDesk';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.TOKENDESK_DATA_DIR) return env.TOKENDESK_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP_NAME);
}
