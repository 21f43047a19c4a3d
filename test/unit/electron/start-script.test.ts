import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findElectronBinary, MISSING_BINARY_MESSAGE } from '../../../scripts/start.js';

describe('scripts/start.js', () => {
  let project: string;
  beforeAll(async () => {
    project = await mkdtemp(path.join(tmpdir(), 'tokendesk-start-'));
  });
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it('finds the binary only when path.txt names a file that exists under dist/', async () => {
    const packageDir = path.join(project, 'node_modules', 'electron');
    await mkdir(path.join(packageDir, 'dist'), { recursive: true });
    expect(findElectronBinary(project)).toBeUndefined(); // no path.txt (install step never ran)
    await writeFile(path.join(packageDir, 'path.txt'), 'electron');
    expect(findElectronBinary(project)).toBeUndefined(); // path.txt, but the download failed
    await writeFile(path.join(packageDir, 'dist', 'electron'), '');
    expect(findElectronBinary(project)).toBe(path.join(packageDir, 'dist', 'electron'));
  });

  it.skipIf(findElectronBinary() !== undefined)('prints one clear line and exits 1 where the binary is missing', () => {
    const run = spawnSync(process.execPath, ['scripts/start.js'], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(MISSING_BINARY_MESSAGE + '\n');
  });
});
