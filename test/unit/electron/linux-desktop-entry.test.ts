import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildDesktopEntry,
  DESKTOP_FILE_NAME,
  DEV_DESKTOP_FILE_NAME,
  ICON_NAME,
  installUserDesktopEntry,
  quoteExecArgument,
  type UserDesktopEntryOptions,
} from '../../../main/electron/linux-desktop-entry.js';

/**
 * Reads an Exec line back the way GLib's GDesktopAppInfo does, per the Desktop
 * Entry spec: the string-value unescape (`\\` -> `\`), then field codes
 * (`%%` -> `%`, `%U` -> the URLs, shell-quoted), then the line is split with
 * the quoting rules ("Exec key": inside double quotes `\` escapes `"`, `` ` ``, `$`, `\`).
 * @see https://specifications.freedesktop.org/desktop-entry-spec/latest/exec-variables.html
 */
function execToArgv(exec: string, urls: string[]): string[] {
  const unescaped = exec.replace(/\\(.)/g, (_, c: string) => ({ s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' })[c] ?? `\\${c}`);
  let expanded = '';
  for (let i = 0; i < unescaped.length; i++) {
    const c = unescaped[i]!;
    if (c !== '%') {
      expanded += c;
      continue;
    }
    const code = unescaped[++i];
    if (code === '%') expanded += '%';
    else if (code === 'U') expanded += urls.map((url) => `'${url.replace(/'/g, `'\\''`)}'`).join(' ');
    else throw new Error(`unexpected field code %${code}`);
  }
  const argv: string[] = [];
  let current: string | undefined;
  for (let i = 0; i < expanded.length; i++) {
    const c = expanded[i]!;
    if (c === ' ') {
      if (current !== undefined) argv.push(current);
      current = undefined;
    } else if (c === '"') {
      current ??= '';
      for (i++; expanded[i] !== '"'; i++) {
        if (i >= expanded.length) throw new Error('unterminated quote');
        if (expanded[i] === '\\' && '"`$\\'.includes(expanded[i + 1]!)) i++;
        current += expanded[i];
      }
    } else if (c === "'") {
      current ??= '';
      for (i++; expanded[i] !== "'"; i++) current += expanded[i];
    } else {
      current = (current ?? '') + c;
    }
  }
  if (current !== undefined) argv.push(current);
  return argv;
}

function execLine(entry: string): string {
  return entry.split('\n').find((line) => line.startsWith('Exec='))!.slice('Exec='.length);
}

describe('desktop entries', () => {
  it('declares both callback schemes and passes the URL with %U', () => {
    const entry = buildDesktopEntry({ name: 'TokenDesk', command: ['/home/ann/Apps/TokenDesk-0.1.0.AppImage'], desktopFileName: DESKTOP_FILE_NAME });
    expect(entry).toContain('MimeType=x-scheme-handler/tokendesk;x-scheme-handler/app.tokendesk;');
    expect(entry).toContain('Exec="/home/ann/Apps/TokenDesk-0.1.0.AppImage" %U');
    expect(entry).toContain('StartupWMClass=app.tokendesk\n');
  });

  it('quotes Exec arguments per the Desktop Entry spec, and refuses line breaks', () => {
    expect(quoteExecArgument('/a b/$x`y"z\\w')).toBe('"/a b/\\\\$x\\\\`y\\\\"z\\\\\\\\w"');
    expect(() => quoteExecArgument('/tmp/x\nExec=evil')).toThrow();
  });

  it('doubles a literal % so it is not read as a field code', () => {
    expect(quoteExecArgument('/home/ann/100%/T.AppImage')).toBe('"/home/ann/100%%/T.AppImage"');
    // %U inside a path must stay a path, not become the URL list.
    const command = ['/opt/100% sure/%U/electron', '/src/a$b `c` "d" \\e\\ %f'];
    const entry = buildDesktopEntry({ name: 'TokenDesk', command, desktopFileName: DEV_DESKTOP_FILE_NAME });
    expect(execToArgv(execLine(entry), ['tokendesk://callback?code=1'])).toEqual([...command, 'tokendesk://callback?code=1']);
  });
});

describe('installUserDesktopEntry', () => {
  let home: string;
  let apps: string;
  const base = (): UserDesktopEntryOptions => ({ env: {}, platform: 'linux', homeDir: home, defaultApp: false, execPath: '/opt/TokenDesk/tokendesk-app', appPath: '/opt/TokenDesk/resources/app.asar' });

  beforeEach(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'tokendesk-home-'));
    apps = path.join(home, '.local', 'share', 'applications');
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('writes nothing for the deb (its entry is installed system-wide) or on other systems', () => {
    expect(installUserDesktopEntry(base())).toBeUndefined();
    expect(installUserDesktopEntry({ ...base(), platform: 'darwin', defaultApp: true })).toBeUndefined();
    expect(installUserDesktopEntry({ ...base(), platform: 'win32', env: { APPIMAGE: '/x/T.AppImage', APPDIR: '/tmp/.mount_x' } })).toBeUndefined();
    expect(existsSync(apps)).toBe(false);
  });

  it('for the AppImage: an entry pointing at $APPIMAGE, with the icons copied out of the mount', async () => {
    const appDir = path.join(home, 'mount');
    for (const size of ['64x64', '512x512']) {
      await mkdir(path.join(appDir, 'usr', 'share', 'icons', 'hicolor', size, 'apps'), { recursive: true });
      await writeFile(path.join(appDir, 'usr', 'share', 'icons', 'hicolor', size, 'apps', `${ICON_NAME}.png`), size);
    }
    const options = { ...base(), env: { APPIMAGE: '/x/Token Desk.AppImage', APPDIR: appDir }, execPath: path.join(appDir, 'tokendesk-app') };
    expect(installUserDesktopEntry(options)).toBe(DESKTOP_FILE_NAME);
    const written = await readFile(path.join(apps, DESKTOP_FILE_NAME), 'utf8');
    expect(written).toContain('Exec="/x/Token Desk.AppImage" %U');
    expect(written).toContain(`Icon=${ICON_NAME}\n`);
    expect(written).not.toContain('NoDisplay');
    for (const size of ['64x64', '512x512']) {
      expect(await readFile(path.join(home, '.local', 'share', 'icons', 'hicolor', size, 'apps', `${ICON_NAME}.png`), 'utf8')).toBe(size);
    }
  });

  it('names no icon when the AppImage has none to copy, and honours an absolute XDG_DATA_HOME', async () => {
    const dataHome = path.join(home, 'data');
    const appDir = path.join(home, 'mount');
    const options = { ...base(), env: { APPIMAGE: '/x/T.AppImage', APPDIR: appDir, XDG_DATA_HOME: dataHome }, execPath: path.join(appDir, 'tokendesk-app') };
    expect(installUserDesktopEntry(options)).toBe(DESKTOP_FILE_NAME);
    expect(await readFile(path.join(dataHome, 'applications', DESKTOP_FILE_NAME), 'utf8')).not.toContain('Icon=');
  });

  it('ignores APPIMAGE inherited from another AppImage (this program does not run from its mount)', () => {
    expect(installUserDesktopEntry({ ...base(), env: { APPIMAGE: '/x/Editor.AppImage', APPDIR: '/tmp/.mount_editor' } })).toBeUndefined();
    expect(installUserDesktopEntry({ ...base(), env: { APPIMAGE: 'relative.AppImage', APPDIR: '/opt' } })).toBeUndefined();
    expect(existsSync(apps)).toBe(false);
  });

  it('for `npm start`: its own hidden entry running `electron <appPath>`, even with a leaked APPIMAGE', async () => {
    const project = path.join(home, 'my 100% project');
    await mkdir(path.join(project, 'build'), { recursive: true });
    await writeFile(path.join(project, 'build', 'icon.png'), 'png');
    const execPath = path.join(project, 'node_modules', 'electron', 'dist', 'electron');
    const options = { ...base(), defaultApp: true, execPath, appPath: project, env: { APPIMAGE: '/x/Editor.AppImage', APPDIR: '/tmp/.mount_editor' } };
    expect(installUserDesktopEntry(options)).toBe(DEV_DESKTOP_FILE_NAME);
    expect(existsSync(path.join(apps, DESKTOP_FILE_NAME))).toBe(false); // never shadows the installed app
    const written = await readFile(path.join(apps, DEV_DESKTOP_FILE_NAME), 'utf8');
    expect(execToArgv(execLine(written), ['tokendesk://cb'])).toEqual([execPath, project, 'tokendesk://cb']);
    expect(written).toContain('StartupWMClass=app.tokendesk.dev\n');
    expect(written).toContain(`Icon=${path.join(project, 'build', 'icon.png')}\n`);
    expect(written).toContain('NoDisplay=true\n');
    expect(written).toContain('MimeType=x-scheme-handler/tokendesk;x-scheme-handler/app.tokendesk;');
  });
});
