import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applicationIdOf, DESKTOP_FILE_NAME, ICON_NAME, installUserDesktopEntry } from '../../../main/electron/linux-desktop-entry.js';

const require = createRequire(import.meta.url);
// electron-builder's own loader and schema check (js-yaml is its YAML parser).
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration(config: unknown, logger: { add(): void; isEnabled: boolean }): Promise<void>;
};

type Options = Record<string, unknown>;
interface BuilderConfig extends Options {
  productName: string;
  protocols: Array<{ schemes: string[] }>;
  electronFuses: Record<string, boolean>;
  linux: Options & { executableName: string; syncDesktopName?: boolean };
  deb?: Options;
  appImage?: Options;
  win?: Options;
}
interface PackageJson {
  name: string;
  version: string;
  description: string;
  desktopName?: string;
  main?: string;
  private?: boolean;
  bin?: Record<string, string>;
  files?: string[];
  scripts?: Record<string, string>;
}

async function loadConfig(): Promise<BuilderConfig> {
  return yaml.load(await readFile('electron-builder.yml', 'utf8')) as BuilderConfig;
}
async function loadPackageJson(): Promise<PackageJson> {
  return JSON.parse(await readFile('package.json', 'utf8')) as PackageJson;
}

// electron-builder 26's own Linux code, run on our configuration: the desktop
// entries below are the ones it would package, not a copy of its rules.
interface DesktopHelper {
  getDesktopFileName(): string;
  computeDesktopEntry(options: Options, exec?: string, extra?: Options): Promise<string>;
}
const { LinuxTargetHelper } = require('app-builder-lib/out/targets/LinuxTargetHelper.js') as { LinuxTargetHelper: new (packager: unknown) => DesktopHelper };
const AppImageTarget = (require('app-builder-lib/out/targets/appimage/AppImageTarget.js') as { default: new (...args: unknown[]) => { desktopEntry: { value: Promise<string> } } }).default;
const FpmTarget = (require('app-builder-lib/out/targets/FpmTarget.js') as { default: { prototype: { getDefaultDepends(target: string): string[] } } }).default;
const { AppInfo } = require('app-builder-lib/out/appInfo.js') as { AppInfo: new (info: unknown, buildVersion: null, platformOptions: unknown) => { productFilename: string } };
const { sanitizeFileName } = require('builder-util/out/filename') as { sanitizeFileName(name: string): string };
const { deepAssign } = require('builder-util-runtime') as { deepAssign(target: Options, ...sources: unknown[]): Options };

/** The fields of LinuxPackager that LinuxTargetHelper and the Linux targets read. */
function linuxPackager(config: BuilderConfig, metadata: PackageJson) {
  const info = { config, metadata };
  return {
    config,
    info,
    platformSpecificBuildOptions: config.linux,
    appInfo: new AppInfo(info, null, config.linux),
    // linuxPackager.js: `sanitizeFileName(platformSpecificBuildOptions.executableName ?? config.executableName)`
    executableName: sanitizeFileName(config.linux.executableName),
    fileAssociations: [],
  };
}

/** Target options as FpmTarget/AppImageTarget build them: `deepAssign({}, linux, config[target])`. */
function targetOptions(config: BuilderConfig, target: 'deb' | 'appImage'): Options {
  return deepAssign({}, config.linux, config[target]);
}

function desktopKeys(entry: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const line of entry.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0 && !line.startsWith('[')) keys.set(line.slice(0, at), line.slice(at + 1));
  }
  return keys;
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema", async () => {
    await expect(validateConfiguration(await loadConfig(), { add: () => undefined, isEnabled: false })).resolves.toBeUndefined();
  });

  it('names the app, registers both callback schemes and packs into an ASAR', async () => {
    const config = await loadConfig();
    expect(config).toMatchObject({ appId: 'app.tokendesk', productName: 'TokenDesk', asar: true });
    expect(config.protocols.flatMap((p) => p.schemes)).toEqual(['tokendesk', 'app.tokendesk']);
    expect(config).toMatchObject({ linux: { target: ['AppImage', 'deb'] }, win: { target: ['nsis'] }, mac: { target: ['dmg'] } });
  });

  it('flips the fuses: no RunAsNode, NODE_OPTIONS or --inspect; ASAR integrity and ASAR-only loading', async () => {
    expect((await loadConfig()).electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});

describe('one Linux name: package.json, electron-builder and the desktop-entry writer agree', () => {
  it("Electron's app id (from desktopName) is the appId, and the name of the deb's desktop file", async () => {
    const [config, metadata] = await Promise.all([loadConfig(), loadPackageJson()]);
    // Electron 45 lib/browser/init.ts: app.setDesktopName(packageJson.desktopName || defaultDesktopName(app.name)).
    // Without desktopName that is "tokendesk.desktop", a file nothing installs.
    expect(metadata.desktopName).toBe(DESKTOP_FILE_NAME);
    expect(applicationIdOf(DESKTOP_FILE_NAME)).toBe(config['appId']);
    expect(config.linux.syncDesktopName).toBe(true);
    const helper = new LinuxTargetHelper(linuxPackager(config, metadata));
    // FpmTarget.js installs `/usr/share/applications/${getDesktopFileName()}.desktop`;
    // the AppImage embeds `${getDesktopFileName()}.desktop` (appImageUtil.js).
    expect(`${helper.getDesktopFileName()}.desktop`).toBe(DESKTOP_FILE_NAME);
  });

  it('the deb entry, the AppImage entry and the one the app writes share StartupWMClass, Icon and MimeType', async () => {
    const [config, metadata] = await Promise.all([loadConfig(), loadPackageJson()]);
    const packager = linuxPackager(config, metadata);
    const helper = new LinuxTargetHelper(packager);
    const deb = desktopKeys(await helper.computeDesktopEntry(targetOptions(config, 'deb')));
    const appImage = desktopKeys(await new AppImageTarget(null, packager, helper, tmpdir()).desktopEntry.value);

    // What the running AppImage writes, given an AppImage mount laid out as electron-builder lays it out.
    const home = await mkdtemp(path.join(tmpdir(), 'tokendesk-identity-'));
    try {
      const appDir = path.join(home, 'mount');
      // appimage/appLauncher.js copyIcons: usr/share/icons/hicolor/<size>x<size>/apps/<executableName>.png
      const icons = path.join(appDir, 'usr', 'share', 'icons', 'hicolor', '512x512', 'apps');
      await mkdir(icons, { recursive: true });
      await writeFile(path.join(icons, `${packager.executableName}.png`), 'png');
      const written = installUserDesktopEntry({
        env: { APPIMAGE: path.join(home, 'TokenDesk.AppImage'), APPDIR: appDir },
        platform: 'linux',
        homeDir: home,
        defaultApp: false,
        execPath: path.join(appDir, packager.executableName),
        appPath: path.join(appDir, 'resources', 'app.asar'),
      });
      expect(written).toBe(DESKTOP_FILE_NAME);
      const user = desktopKeys(await readFile(path.join(home, '.local', 'share', 'applications', DESKTOP_FILE_NAME), 'utf8'));

      const wmClass = applicationIdOf(metadata.desktopName ?? '');
      for (const entry of [deb, appImage, user]) {
        expect(entry.get('StartupWMClass')).toBe(wmClass);
        expect(entry.get('Name')).toBe(config.productName);
        expect(entry.get('MimeType')).toBe(deb.get('MimeType'));
        expect(entry.get('Exec')).toMatch(/ %U$/);
      }
      // The deb installs /usr/share/icons/hicolor/<size>/apps/<executableName>.png (FpmTarget.js) and names it in Icon=.
      expect(deb.get('Icon')).toBe(packager.executableName);
      expect(ICON_NAME).toBe(packager.executableName);
      // The AppImage's icons vanish with its mount: the writer copied them into the user's theme first.
      expect(user.get('Icon')).toBe(ICON_NAME);
      expect(await readdir(path.join(home, '.local', 'share', 'icons', 'hicolor', '512x512', 'apps'))).toEqual([`${ICON_NAME}.png`]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('deb dependencies', () => {
  it("keeps electron-builder's default list (a `depends` would replace it, not add to it)", async () => {
    const config = await loadConfig();
    // FpmTarget.js: `const depends = options.depends; if (depends != null) customDepends = depends;
    // else customDepends = this.getDefaultDepends(target)`: the effective list, computed the same way.
    const options = targetOptions(config, 'deb');
    const effective = (options['depends'] as string[] | undefined) ?? FpmTarget.prototype.getDefaultDepends('deb');
    const defaults = FpmTarget.prototype.getDefaultDepends('deb');
    expect(defaults).toEqual(expect.arrayContaining(['libgtk-3-0', 'libnss3', 'libnotify4', 'libxss1', 'libxtst6', 'libatspi2.0-0', 'libuuid1']));
    expect(effective).toEqual(expect.arrayContaining(defaults));
    // What the app itself needs: the keyring for safeStorage, xdg-open for the system browser.
    expect(effective).toEqual(expect.arrayContaining(['libsecret-1-0', 'xdg-utils']));
  });
});

describe('never without the sandbox', () => {
  function strings(value: unknown): string[] {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value)) return value.flatMap(strings);
    if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
    return [];
  }

  it("the AppImage's desktop entry starts AppRun without --no-sandbox", async () => {
    const [config, metadata] = await Promise.all([loadConfig(), loadPackageJson()]);
    const packager = linuxPackager(config, metadata);
    // AppImageTarget.js: args = options.executableArgs ?? ["--no-sandbox"] with the default (legacy) toolset.
    const entry = desktopKeys(await new AppImageTarget(null, packager, new LinuxTargetHelper(packager), tmpdir()).desktopEntry.value);
    expect(entry.get('Exec')).toBe('AppRun %U');
  });

  it('no shipped setting or script passes it', async () => {
    expect(strings(await loadConfig()).filter((value) => value.includes('no-sandbox'))).toEqual([]);
    const shipped = ['package.json', ...(await readdir('scripts')).map((f) => path.join('scripts', f)), ...(await readdir('build')).map((f) => path.join('build', f))];
    const offenders: string[] = [];
    for (const file of shipped.filter((f) => !f.endsWith('.png'))) {
      if ((await readFile(file, 'utf8')).includes('no-sandbox')) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});

describe('package.json: the desktop entry and the CLI tarball', () => {
  it("Electron's entry is the built main.js, written with ./ so that npm pack leaves it out", async () => {
    const metadata = await loadPackageJson();
    // Electron (path.join), electron-builder (path.resolve) and Node read ./x as x;
    // npm-packlist adds `!/${main}` as a rule that wins over `files`, and that rule
    // matches only when main has no "./" (test/integration/cli/npm-pack.test.ts packs for real).
    expect(metadata.main).toBe('./dist/main/electron/main.js');
    expect(path.posix.normalize(metadata.main!)).toBe('dist/main/electron/main.js');
  });

  it('packs only the command: bin and the compiled CLI, core and shared code; never published', async () => {
    const metadata = await loadPackageJson();
    expect(metadata.private).toBe(true);
    expect(metadata.bin).toEqual({ tokendesk: 'bin/tokendesk.cjs' });
    expect(metadata.files).toContain(metadata.bin!['tokendesk']);
    expect(metadata.files!.filter((entry) => !/^(bin\/tokendesk\.cjs|dist\/fast-path\/fast-token\.cjs|dist\/(main\/(cli|core)|shared)\/\*\*\/\*\.js)$/.test(entry))).toEqual([]);
    // npm ci runs `prepare`, never `prepack`: the build runs only when a tarball is made.
    expect(metadata.scripts?.['prepack']).toBe('npm run build:main && npm run build:fast-path');
    expect(metadata.scripts?.['prepare']).toBeUndefined();
  });
});
