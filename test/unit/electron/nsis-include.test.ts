import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CALLBACK_SCHEMES } from '../../../main/electron/protocol-routing.js';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { AppInfo } = require('app-builder-lib/out/appInfo.js') as { AppInfo: new (info: unknown, buildVersion: null, platformOptions: unknown) => { productFilename: string } };
const NSIS_TEMPLATES = path.join(path.dirname(require.resolve('app-builder-lib/package.json')), 'templates', 'nsis');

interface Macro {
  params: string[];
  body: string[];
}

/** `!macro NAME P1 P2 ... !macroend` blocks of an NSIS file, comments dropped. */
function parseMacros(text: string): Map<string, Macro> {
  const macros = new Map<string, Macro>();
  for (const match of text.matchAll(/^!macro\s+(\S+)([^\n]*)\n([\s\S]*?)^!macroend/gm)) {
    const body = match[3]!
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith(';') && !line.startsWith('#'));
    macros.set(match[1]!, { params: match[2]!.trim().split(/\s+/).filter(Boolean), body });
  }
  return macros;
}

/** Words of an NSIS line: "double", 'single' or bare. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** The instructions a macro expands to, with `!insertmacro` and `${PARAM}` resolved like makensis does. */
function expand(macros: Map<string, Macro>, name: string, args: string[] = [], depth = 0): string[] {
  if (depth > 10) throw new Error('macro recursion');
  const macro = macros.get(name);
  if (!macro) throw new Error(`no macro ${name}`);
  const substitute = (line: string) => macro.params.reduce((text, param, i) => text.replaceAll(`\${${param}}`, args[i] ?? ''), line);
  return macro.body.flatMap((raw) => {
    const line = substitute(raw);
    const [keyword, inner, ...innerArgs] = words(line);
    return keyword === '!insertmacro' && macros.has(inner!) ? expand(macros, inner!, innerArgs, depth + 1) : [line];
  });
}

/** Electron's quoting of the program in shell\open\command (shell/common/command_line_util_win.cc AddQuoteForArg). */
function electronQuote(arg: string): string {
  if (!/[ \\"]/.test(arg)) return arg;
  return `"${arg.replace(/(\\*)("|$)/g, (_, slashes: string, end: string) => slashes + slashes + (end ? `\\${end}` : ''))}"`;
}

async function packagedExecutable(): Promise<string> {
  const config = yaml.load(await readFile('electron-builder.yml', 'utf8')) as Record<string, unknown> & { win?: unknown };
  const metadata = JSON.parse(await readFile('package.json', 'utf8')) as unknown;
  // platformPackager.js: the Windows program is `${appInfo.productFilename}.exe`, and NSIS gets
  // PRODUCT_FILENAME = appInfo.productFilename (NsisTarget.js defines).
  return `${new AppInfo({ config, metadata }, null, config.win).productFilename}.exe`;
}

describe('the NSIS include registers and removes both callback schemes', () => {
  it('is wired in electron-builder.yml, and electron-builder calls its macros at install and uninstall', async () => {
    const config = yaml.load(await readFile('electron-builder.yml', 'utf8')) as { nsis: { include?: string } };
    expect(config.nsis.include).toBe('build/installer.nsh');
    expect(existsSync(config.nsis.include!)).toBe(true);
    expect(await readFile(path.join(NSIS_TEMPLATES, 'installSection.nsh'), 'utf8')).toMatch(/!ifmacrodef customInstall\s+!insertmacro customInstall/);
    expect(await readFile(path.join(NSIS_TEMPLATES, 'uninstaller.nsh'), 'utf8')).toMatch(/!ifmacrodef customUnInstall\s+!insertmacro customUnInstall/);
  });

  it('customInstall writes each scheme as Electron would, pointing at the packaged program', async () => {
    const exe = await packagedExecutable();
    expect(exe).toBe('TokenDesk.exe');
    // templates/nsis/common.nsh: !define APP_EXECUTABLE_FILENAME "${PRODUCT_FILENAME}.exe"
    expect(await readFile(path.join(NSIS_TEMPLATES, 'common.nsh'), 'utf8')).toContain('!define APP_EXECUTABLE_FILENAME "${PRODUCT_FILENAME}.exe"');
    const install = expand(parseMacros(await readFile('build/installer.nsh', 'utf8')), 'customInstall').map((line) =>
      line.replaceAll('${APP_EXECUTABLE_FILENAME}', exe),
    );
    const program = `$INSTDIR\\${exe}`;
    const expected = CALLBACK_SCHEMES.flatMap((scheme) => {
      const key = `Software\\Classes\\${scheme}`;
      return [
        ['WriteRegStr', 'SHELL_CONTEXT', key, '', `URL:${scheme}`],
        ['WriteRegStr', 'SHELL_CONTEXT', key, 'URL Protocol', ''],
        ['WriteRegStr', 'SHELL_CONTEXT', `${key}\\DefaultIcon`, '', `${program},0`],
        // shell/browser/browser_win.cc GetProtocolLaunchPath: AddQuoteForArg(exe) + ' "%1"'.
        ['WriteRegStr', 'SHELL_CONTEXT', `${key}\\shell\\open\\command`, '', `${electronQuote(program)} "%1"`],
      ];
    });
    expect(install.map(words)).toEqual(expected);
  });

  it('customUnInstall deletes both keys (and the app’s own HKCU registration when it is ours), except during an update', async () => {
    const exe = await packagedExecutable();
    const uninstall = expand(parseMacros(await readFile('build/installer.nsh', 'utf8')), 'customUnInstall').map((line) => line.replaceAll('${APP_EXECUTABLE_FILENAME}', exe));
    expect(uninstall[0]).toBe('${ifNot} ${isUpdated}');
    expect(uninstall.at(-1)).toBe('${endIf}');
    const deletes = uninstall.map(words).filter((w) => w[0] === 'DeleteRegKey');
    expect(deletes).toEqual(CALLBACK_SCHEMES.flatMap((scheme) => [['DeleteRegKey', 'SHELL_CONTEXT', `Software\\Classes\\${scheme}`], ['DeleteRegKey', 'HKCU', `Software\\Classes\\${scheme}`]]));
    // The HKCU key goes only when its command is exactly the one this installation wrote.
    const guards = uninstall.map(words).filter((w) => w[0] === '${if}');
    expect(guards).toEqual(CALLBACK_SCHEMES.map(() => ['${if}', '$R9', '==', `"$INSTDIR\\${exe}" "%1"`]));
  });
});
