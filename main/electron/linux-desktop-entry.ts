/**
 * An AppImage installs nothing, so no desktop entry announces it as the
 * handler of `x-scheme-handler/tokendesk`. On start, the AppImage writes its own
 * entry into ~/.local/share/applications (pointing at $APPIMAGE) and names it
 * in CHROME_DESKTOP, which `app.setAsDefaultProtocolClient` then registers
 * through xdg-settings. The deb package ships the same entry system-wide.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CALLBACK_SCHEMES } from './protocol-routing.js';

export const DESKTOP_FILE_NAME = 'tokendesk.desktop';

/** Quotes an Exec argument per the Desktop Entry spec ("Exec key"): `"`, `` ` ``, `$` and `\` are escaped. */
export function quoteExecArgument(value: string): string {
  if (/[\n\r\0]/.test(value)) throw new Error('The AppImage path contains a line break.');
  // Two levels: the quoting rule puts `\` before the character, then the string
  // rule (applied first when reading) doubles every backslash, so a literal `\` needs four.
  return `"${value.replace(/[\\"`$]/g, (c) => (c === '\\' ? '\\\\\\\\' : `\\\\${c}`))}"`;
}

/** Pure: the desktop entry that opens `executable` with a callback URL. */
export function buildDesktopEntry(executable: string): string {
  const mime = CALLBACK_SCHEMES.map((scheme) => `x-scheme-handler/${scheme};`).join('');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=TokenDesk',
    'Comment=OAuth 2.0 credential manager',
    `Exec=${quoteExecArgument(executable)} %U`,
    'Icon=tokendesk',
    'Terminal=false',
    'Categories=Utility;',
    `MimeType=${mime}`,
    'StartupWMClass=TokenDesk',
    '',
  ].join('\n');
}

/**
 * Writes the entry when running as an AppImage on Linux; returns the desktop
 * file name to put in CHROME_DESKTOP, or undefined when not applicable.
 */
export function installAppImageDesktopEntry(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, homeDir: string): string | undefined {
  const appImage = env['APPIMAGE'];
  if (platform !== 'linux' || !appImage || !path.isAbsolute(appImage)) return undefined;
  const dataHome = env['XDG_DATA_HOME'] && path.isAbsolute(env['XDG_DATA_HOME']) ? env['XDG_DATA_HOME'] : path.join(homeDir, '.local', 'share');
  const dir = path.join(dataHome, 'applications');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, DESKTOP_FILE_NAME), buildDesktopEntry(appImage), { mode: 0o644 });
  return DESKTOP_FILE_NAME;
}
