#!/usr/bin/env node
// `npm start` (after `npm run build`): launches the built app with the Electron
// binary. Since Electron 42, require('electron') from Node starts a download,
// so the binary is found by reading node_modules/electron/path.txt and checking
// that dist/<that path> exists: nothing here requires the package.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Absolute path of the Electron executable, or undefined when it is not installed. */
export function findElectronBinary(projectRoot = root) {
  const packageDir = path.join(projectRoot, 'node_modules', 'electron');
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const relative = readFileSync(pathFile, 'utf8').trim();
  if (!relative) return undefined;
  const binary = path.join(packageDir, 'dist', relative);
  return existsSync(binary) ? binary : undefined;
}

export const MISSING_BINARY_MESSAGE =
  'TokenDesk: the Electron binary is not installed (node_modules/electron/dist is missing). Run "npx install-electron" on a machine with internet access, then "npm start" again.';

function main() {
  const binary = findElectronBinary();
  if (!binary) {
    console.error(MISSING_BINARY_MESSAGE);
    process.exit(1);
  }
  if (!existsSync(path.join(root, 'dist', 'main', 'electron', 'main.js'))) {
    console.error('TokenDesk: the app is not built yet. Run "npm start" (it builds first) or "npm run build".');
    process.exit(1);
  }
  const env = { ...process.env };
  // A value left over from a shell would turn the app into a plain Node process.
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [root, ...process.argv.slice(2)], { stdio: 'inherit', env });
  child.on('error', (error) => {
    console.error(`TokenDesk: could not start Electron (${error.message}).`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
