/**
 * The `tokendesk` command without a source checkout (issue 11 item 8):
 * `npm pack` in the repository root makes a tarball with the compiled CLI
 * and nothing else, and `npm install` of that tarball into an empty folder
 * brings only the runtime dependencies and a working command, which then gets
 * tokens from the seed fixture server, straight from a file and through a
 * vault. Real npm, real processes; `npm test` builds dist/ before vitest.
 */
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';
import { seedAccountToml } from '../../fixtures/seed-accounts.js';
import { assertBuilt } from '../../helpers/run-cli.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PASSPHRASE = 'correct horse battery staple';
/** npm install of the tarball takes a few seconds from the cache, up to a minute from the registry. */
const NPM_TIMEOUT_MS = 180_000;

/** What `npm pack --json` says about one tarball. */
interface PackReport {
  name: string;
  version: string;
  filename: string;
  files: Array<{ path: string }>;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${basename(file)} ${args.join(' ')} did not finish in ${options.timeoutMs} ms.\nstderr: ${stderr}`));
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * npm's own entry script, run with this Node (so no `node` on PATH is
 * assumed): the `npm` on PATH (what CI's `npm ci` used), else the npm that
 * started this test run, else the one installed beside this Node.
 */
function findNpmCli(): string {
  const candidates: string[] = [];
  for (const folder of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const npm = join(folder, 'npm');
    if (existsSync(npm)) candidates.push(realpathSync(npm));
  }
  if (process.env.npm_execpath) candidates.push(process.env.npm_execpath);
  const nodeFolder = dirname(process.execPath);
  candidates.push(join(nodeFolder, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'), join(nodeFolder, 'node_modules', 'npm', 'bin', 'npm-cli.js'));
  const found = candidates.find((candidate) => basename(candidate) === 'npm-cli.js' && existsSync(candidate));
  if (!found) throw new Error(`npm was not found (looked at: ${candidates.join(', ') || 'nothing on PATH'}): this test runs "npm pack" and "npm install"; put npm on PATH.`);
  return found;
}

/** Environment variables the npm children get from ours: where things are, and how to reach the registry. */
const PASSED_THROUGH = ['PATH', 'HOME', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'SystemRoot', 'ComSpec', 'PATHEXT', 'TEMP', 'TMP', 'TMPDIR', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];
/**
 * npm settings that say where packages come from (the cache `npm ci` filled,
 * the registry and the way to it). Every other `npm_config_*` of the `npm
 * test` parent (prefix, global, omit, dry-run, ...) would change the install.
 */
const NPM_SETTINGS_KEPT = new Set(['cache', 'userconfig', 'globalconfig', 'registry', 'cafile', 'ca', 'proxy', 'https-proxy', 'noproxy', 'strict-ssl', 'offline', 'prefer-offline']);

function npmEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED_THROUGH) if (process.env[name] !== undefined) env[name] = process.env[name];
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_config_/i.test(name)) continue;
    // npm reads npm_config_strict_ssl as strict-ssl (@npmcli/config).
    const setting = name.slice('npm_config_'.length).replace(/(?!^)_/g, '-').toLowerCase();
    if (NPM_SETTINGS_KEPT.has(setting)) env[name] = value;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

/** Names of the runtime (non-dev) packages in the repository's lockfile: all an install of the tarball may bring. */
async function runtimePackagesOfLockfile(): Promise<Set<string>> {
  const lock = JSON.parse(await readFile(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  const names = new Set<string>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev || entry.devOptional) continue;
    names.add(path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
  }
  return names;
}

/** Every package folder under `nodeModules`, nested ones included, by name. */
async function installedPackages(nodeModules: string, depth = 0): Promise<string[]> {
  if (depth > 8 || !existsSync(nodeModules)) return [];
  const names: string[] = [];
  for (const entry of await readdir(nodeModules, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || !entry.isDirectory()) continue;
    const folders = entry.name.startsWith('@') ? (await readdir(join(nodeModules, entry.name))).map((child) => `${entry.name}/${child}`) : [entry.name];
    for (const name of folders) {
      names.push(name, ...(await installedPackages(join(nodeModules, name, 'node_modules'), depth + 1)));
    }
  }
  return names;
}

const FORBIDDEN_PACKAGES = ['electron', 'electron-builder', '@electron/fuses', 'vite', 'vitest', 'playwright', 'playwright-core', '@playwright/test', 'typescript', 'svelte', 'svelte-check', 'eslint', 'oidc-provider', 'fast-check'];

let server: ProviderServer;
let root: string;
let pack: PackReport;
let installed: string;
let bin: string;

beforeAll(async () => {
  // The tarball is made from dist/ as `npm test` built it: prepack (a rebuild)
  // is skipped, since it would rewrite dist/ under the CLI tests running beside this one.
  assertBuilt();
  const npmCli = findNpmCli();
  server = await startProviderServer();
  root = realpathSync(await mkdtemp(join(tmpdir(), 'tokendesk-npm-pack-')));
  expect(relative(REPO_ROOT, root).startsWith('..'), 'the install folder must be outside the checkout, so nothing resolves from its node_modules').toBe(true);

  const packed = await run(process.execPath, [npmCli, 'pack', '--pack-destination', root, '--json', '--ignore-scripts'], { cwd: REPO_ROOT, env: npmEnvironment(), timeoutMs: NPM_TIMEOUT_MS });
  expect(packed.code, `npm pack failed:\n${packed.stderr}`).toBe(0);
  const reports = JSON.parse(packed.stdout) as PackReport[];
  expect(reports.map((report) => report.name)).toEqual(['tokendesk']);
  pack = reports[0]!;

  // An empty project folder, not `--prefix`: npm's --prefix also moves its
  // global configuration (<prefix>/etc/npmrc), where a machine may keep its CA file.
  const prefix = join(root, 'prefix');
  await mkdir(prefix);
  await writeFile(join(prefix, 'package.json'), '{ "private": true }\n');
  const install = await run(process.execPath, [npmCli, 'install', join(root, pack.filename), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: prefix, env: npmEnvironment(), timeoutMs: NPM_TIMEOUT_MS });
  expect(install.code, `npm install of the tarball failed:\n${install.stderr}`).toBe(0);
  installed = join(prefix, 'node_modules');
  // The command as npm installs it (node_modules/.bin/tokendesk links to the
  // package's bin file; Windows gets a .cmd shim, so there the file itself).
  bin = process.platform === 'win32' ? join(installed, 'tokendesk', 'bin', 'tokendesk.cjs') : join(installed, '.bin', 'tokendesk');
}, 2 * NPM_TIMEOUT_MS + 30_000);

afterAll(async () => {
  await server?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

function tokendesk(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return run(process.execPath, [bin, ...args], { cwd: root, env: { PATH: process.env.PATH, HOME: join(root, 'home'), ...env }, timeoutMs: 30_000 });
}

function myfiberToml(heading: string): string {
  return seedAccountToml(server, 'myfiber', heading, { scopes: '["openid"]' });
}

describe('the tokendesk command from npm pack', () => {
  it('packs the compiled CLI, core and shared code and nothing else', () => {
    const paths = pack.files.map((file) => file.path);
    expect(paths).toContain('bin/tokendesk.cjs');
    expect(paths).toContain('dist/fast-path/fast-token.cjs');
    expect(paths).toContain('package.json');
    expect(paths).toContain('dist/main/cli/index.js');
    expect(paths).toContain('dist/main/core/passphrase-strength.js');
    expect(paths).toContain('dist/shared/types.js');
    // package.json writes Electron's entry as ./dist/main/electron/main.js:
    // npm force-packs the `main` file only when it is written without "./".
    const unwanted = paths.filter((path) => /^(dist\/(main\/(electron|preload)|preload|renderer|test)\/|test\/|renderer\/|main\/|shared\/|scripts\/|docs\/|build\/|node_modules\/)|\.(ts|map)$/.test(path));
    expect(unwanted).toEqual([]);
    const unexpected = paths.filter((path) => !/^(package\.json|README\.md|LICENSE(\.\w+)?|bin\/tokendesk\.cjs|dist\/fast-path\/fast-token\.cjs|dist\/(main\/(cli|core)|shared)\/.+\.js)$/.test(path));
    expect(unexpected).toEqual([]);
  });

  it('installs only runtime dependencies: no Electron, build or test tools', async () => {
    const names = await installedPackages(installed);
    expect(names).toContain('tokendesk');
    expect(names).toContain('jose');
    expect(names.filter((name) => FORBIDDEN_PACKAGES.includes(name))).toEqual([]);
    const runtime = await runtimePackagesOfLockfile();
    expect(names.filter((name) => name !== 'tokendesk' && !runtime.has(name))).toEqual([]);
  });

  it('every packed module loads from the installed copy (its imports resolve from dependencies)', async () => {
    const dist = join(installed, 'tokendesk', 'dist');
    const modules = (await readdir(dist, { recursive: true })).filter((path) => path.endsWith('.js')).map((path) => pathToFileURL(join(dist, path)).href);
    expect(modules.length).toBeGreaterThan(50);
    const program = `for (const url of ${JSON.stringify(modules)}) await import(url); process.stdout.write('loaded ' + ${modules.length});`;
    const loaded = await run(process.execPath, ['--input-type=module', '-e', program], { cwd: root, env: { PATH: process.env.PATH }, timeoutMs: 30_000 });
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout).toBe(`loaded ${modules.length}`);
  });

  it('gets a token straight from a credentials file (token --from)', async () => {
    const file = join(root, 'myfiber.toml');
    await writeFile(file, myfiberToml('name = "myfiber"'));
    const before = server.requestsTo('/myfiber/oauth/v2/token').length;
    const result = await tokendesk(['token', '--from', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(server.requestsTo('/myfiber/oauth/v2/token').length).toBe(before + 1);
    expect(server.isAccessTokenActive('myfiber', result.stdout.trim())).toBe(true);
  });

  it('creates a vault with import (the strength dictionaries load) and gets a token through it', async () => {
    const file = join(root, 'accounts.toml');
    await writeFile(file, myfiberToml('[accounts."packed myfiber"]'));
    const vault = join(root, 'vault');
    const env = { TOKENDESK_PASSPHRASE: PASSPHRASE };
    const imported = await tokendesk(['import', file, '--vault', vault], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('Imported 1 account');
    expect(existsSync(join(vault, 'vault.json'))).toBe(true);
    const result = await tokendesk(['token', 'packed myfiber', '--vault', vault], env);
    expect(result.code, result.stderr).toBe(0);
    expect(server.isAccessTokenActive('myfiber', result.stdout.trim())).toBe(true);
    expect(result.stderr).not.toContain(server.clients.myfiber.clientSecret!);
  });

  it("uses the desktop app's data folder when no --vault is given", async () => {
    const home = join(root, 'user');
    // The folders of the README's "Where data lives" table, under a home of our own.
    const env = { TOKENDESK_PASSPHRASE: PASSPHRASE, HOME: home, USERPROFILE: home, XDG_CONFIG_HOME: join(home, '.config'), APPDATA: join(home, 'AppData', 'Roaming') };
    const appFolder = process.platform === 'win32' ? env.APPDATA : process.platform === 'darwin' ? join(home, 'Library', 'Application Support') : env.XDG_CONFIG_HOME;
    const file = join(root, 'default.toml');
    await writeFile(file, myfiberToml('[accounts."default folder"]'));
    const imported = await tokendesk(['import', file], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(existsSync(join(appFolder, 'TokenDesk', 'vault.json'))).toBe(true);
    const listed = await tokendesk(['list', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as Array<{ name: string }>).map((row) => row.name)).toEqual(['default folder']);
  });
});
