/**
 * The app's Linux identity, and the user desktop entries that carry it where
 * no package installed one.
 *
 * One name everywhere: `desktopName` in package.json (Electron reads it at
 * start and puts it in CHROME_DESKTOP: electron/electron lib/browser/init.ts
 * `app.setDesktopName(packageJson.desktopName || defaultDesktopName(app.name))`,
 * shell/browser/api/electron_api_app.cc `App::SetDesktopName` -> `env->SetVar("CHROME_DESKTOP", ...)`),
 * the desktop file the deb installs (electron-builder 26 `linux.syncDesktopName`:
 * app-builder-lib out/targets/LinuxTargetHelper.js `getDesktopFileName`, and
 * FpmTarget.js `/usr/share/applications/${getDesktopFileName()}.desktop`),
 * its `StartupWMClass`, and the entries written here. From that one name
 * Electron derives the X11 `WM_CLASS` and the Wayland `app_id`
 * (shell/common/platform_util_linux.cc `GetXdgAppId` strips `.desktop`;
 * shell/browser/native_window_views.cc sets `wm_class_class` and `wayland_app_id` to it),
 * and `app.setAsDefaultProtocolClient` looks the desktop file up by it
 * (shell/browser/browser_linux.cc `SetDefaultWebClient`: `g_desktop_app_info_new(CHROME_DESKTOP)`).
 * Electron 45's electron.d.ts (`setDesktopName`) asks for a reverse-DNS name
 * that matches an installed desktop file: ours is the appId, `app.tokendesk`.
 *
 * A deb installs its entry system-wide; nothing is written then. An AppImage
 * installs nothing, and `npm start` runs Electron's own binary: for those two
 * the app writes a user entry into $XDG_DATA_HOME/applications on each start
 * and names it in CHROME_DESKTOP (the caller passes the returned name to
 * `app.setDesktopName`), so the OS can hand `tokendesk://` URLs to them.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CALLBACK_SCHEMES } from './protocol-routing.js';

/** package.json `desktopName`, the deb's desktop file, and the AppImage's user entry. */
export const DESKTOP_FILE_NAME = 'app.tokendesk.desktop';
/** The development build's entry: its own name, so it never shadows an installed TokenDesk. */
export const DEV_DESKTOP_FILE_NAME = 'app.tokendesk.dev.desktop';
/**
 * The icon name the deb installs: electron-builder names it after
 * `linux.executableName` (FpmTarget.js: `/usr/share/icons/hicolor/${size}/apps/${executableName}.png`;
 * the AppImage has the same tree inside, appimage/appLauncher.js `copyIcons`).
 */
export const ICON_NAME = 'tokendesk-app';

/** `WM_CLASS` / Wayland `app_id` Electron derives from a desktop file name (`GetXdgAppId`). */
export function applicationIdOf(desktopFileName: string): string {
  return desktopFileName.endsWith('.desktop') ? desktopFileName.slice(0, -'.desktop'.length) : desktopFileName;
}

function refuseLineBreaks(value: string, what: string): void {
  if (/[\n\r\0]/.test(value)) throw new Error(`The ${what} contains a line break.`);
}

/**
 * Quotes an Exec argument per the Desktop Entry spec ("The Exec key"): inside
 * double quotes `"`, `` ` ``, `$` and `\` take a backslash, and a literal `%`
 * is written `%%` (field codes are expanded before the line is split).
 * @see https://specifications.freedesktop.org/desktop-entry-spec/latest/exec-variables.html
 */
export function quoteExecArgument(value: string): string {
  refuseLineBreaks(value, 'program path');
  // Two levels: the quoting rule puts `\` before the character, then the string
  // rule (applied first when reading) doubles every backslash, so a literal `\` needs four.
  const quoted = value.replace(/[\\"`$]/g, (c) => (c === '\\' ? '\\\\\\\\' : `\\\\${c}`)).replace(/%/g, '%%');
  return `"${quoted}"`;
}

/** A string value (Name, Icon path): only `\` needs escaping once line breaks are refused. */
function desktopString(value: string, what: string): string {
  refuseLineBreaks(value, what);
  return value.replace(/\\/g, '\\\\');
}

export interface DesktopEntryOptions {
  name: string;
  /** The program and its arguments, unquoted; `%U` (the callback URLs) is appended. */
  command: readonly string[];
  /** An icon name from the icon theme, or an absolute path to an image; left out when undefined. */
  icon?: string | undefined;
  /** The desktop file name this entry is written under (gives StartupWMClass). */
  desktopFileName: string;
  /** Hidden from menus (still a handler of its MIME types). */
  noDisplay?: boolean;
}

/** Pure: the desktop entry that opens `command` with a callback URL. */
export function buildDesktopEntry(options: DesktopEntryOptions): string {
  const mime = CALLBACK_SCHEMES.map((scheme) => `x-scheme-handler/${scheme};`).join('');
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${desktopString(options.name, 'name')}`,
    'Comment=OAuth 2.0 credential manager',
    `Exec=${options.command.map(quoteExecArgument).join(' ')} %U`,
    ...(options.icon === undefined ? [] : [`Icon=${desktopString(options.icon, 'icon path')}`]),
    'Terminal=false',
    'Categories=Utility;',
    `MimeType=${mime}`,
    `StartupWMClass=${applicationIdOf(options.desktopFileName)}`,
    ...(options.noDisplay ? ['NoDisplay=true'] : []),
    '',
  ].join('\n');
}

/** Icon theme size folders as the hicolor theme names them (`48x48`, `scalable`). */
const ICON_SIZE_DIR = /^(\d{1,4}x\d{1,4}|scalable)$/;

/**
 * Copies the AppImage's own icons (`$APPDIR/usr/share/icons/hicolor/<size>/apps/tokendesk-app.*`)
 * into the user's hicolor theme, where they outlive the AppImage's mount.
 * Returns how many were copied.
 */
function installAppImageIcons(appDir: string, dataHome: string): number {
  const source = path.join(appDir, 'usr', 'share', 'icons', 'hicolor');
  if (!existsSync(source)) return 0;
  let copied = 0;
  for (const size of readdirSync(source)) {
    if (!ICON_SIZE_DIR.test(size)) continue;
    for (const extension of ['.png', '.svg']) {
      const file = path.join(source, size, 'apps', `${ICON_NAME}${extension}`);
      if (!existsSync(file)) continue;
      const target = path.join(dataHome, 'icons', 'hicolor', size, 'apps');
      mkdirSync(target, { recursive: true });
      copyFileSync(file, path.join(target, `${ICON_NAME}${extension}`));
      copied++;
    }
  }
  return copied;
}

export interface UserDesktopEntryOptions {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homeDir: string;
  /** `process.defaultApp`: started as `electron <appPath>` (npm start), not a packaged binary. */
  defaultApp: boolean;
  /** `process.execPath`: the Electron binary, or the packaged program. */
  execPath: string;
  /** `app.getAppPath()`: the project folder for the development build. */
  appPath: string;
}

interface PlannedEntry {
  fileName: string;
  entry: DesktopEntryOptions;
  appImageDir?: string;
}

function plan(options: UserDesktopEntryOptions): PlannedEntry | undefined {
  const { env, defaultApp, execPath, appPath } = options;
  if (defaultApp) {
    // Checked first: a terminal inside an AppImage (an editor, say) leaks APPIMAGE into `npm start`.
    if (!path.isAbsolute(execPath) || !path.isAbsolute(appPath)) return undefined;
    const icon = path.join(appPath, 'build', 'icon.png');
    return {
      fileName: DEV_DESKTOP_FILE_NAME,
      entry: {
        name: 'TokenDesk (development)',
        command: [execPath, appPath],
        icon: existsSync(icon) ? icon : undefined,
        desktopFileName: DEV_DESKTOP_FILE_NAME,
        noDisplay: true,
      },
    };
  }
  const appImage = env['APPIMAGE'];
  const appDir = env['APPDIR'];
  // The AppImage runtime sets both; only trust them when this very program runs from that mount
  // (a deb started from inside another AppImage inherits that one's variables).
  if (!appImage || !appDir || !path.isAbsolute(appImage) || !path.isAbsolute(appDir)) return undefined;
  if (!execPath.startsWith(path.join(appDir, path.sep))) return undefined;
  return {
    fileName: DESKTOP_FILE_NAME,
    entry: { name: 'TokenDesk', command: [appImage], desktopFileName: DESKTOP_FILE_NAME },
    appImageDir: appDir,
  };
}

/**
 * On Linux, for an AppImage or the development build, writes the user desktop
 * entry that makes this program the handler of the callback schemes, and
 * returns its file name for `app.setDesktopName`. Returns undefined (and
 * writes nothing) elsewhere: other systems, and the deb, whose entry is
 * installed system-wide under package.json's `desktopName`.
 */
export function installUserDesktopEntry(options: UserDesktopEntryOptions): string | undefined {
  if (options.platform !== 'linux') return undefined;
  const planned = plan(options);
  if (!planned) return undefined;
  const configured = options.env['XDG_DATA_HOME'];
  const dataHome = configured && path.isAbsolute(configured) ? configured : path.join(options.homeDir, '.local', 'share');
  const entry = { ...planned.entry };
  // Icon= must name an icon that exists: the AppImage's icons vanish with its mount, so copy them first.
  if (planned.appImageDir !== undefined) entry.icon = installAppImageIcons(planned.appImageDir, dataHome) > 0 ? ICON_NAME : undefined;
  const text = buildDesktopEntry(entry);
  const dir = path.join(dataHome, 'applications');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, planned.fileName), text, { mode: 0o644 });
  return planned.fileName;
}
