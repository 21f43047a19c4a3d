import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Vault, createPassphraseSlot } from '../../../main/core/vault/index.js';
import { compiledVaultProblem } from '../../fixtures/vault/dist-check.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const child = fileURLToPath(new URL('../../fixtures/vault/update-loop.mjs', import.meta.url));
const PASSPHRASE = 'two processes, one vault';
const LOG_N = 10;
let dir: string;

beforeAll(() => {
  const problem = compiledVaultProblem(root);
  if (problem) throw new Error(problem);
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-mp-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(count: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, dir, String(LOG_N), String(count)], {
      env: { ...process.env, TOKENDESK_TEST_PASSPHRASE: PASSPHRASE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.on('error', reject);
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('vault shared by two processes', () => {
  it('two processes doing 50 updates each end with exactly 100, every value handed out once', async () => {
    const slot = createPassphraseSlot(PASSPHRASE, { N: 2 ** LOG_N, r: 8, p: 1 });
    await Vault.create({ dir }, [slot], { counter: 0 });
    const [a, b] = await Promise.all([run(50), run(50)]);
    expect(a.stderr + b.stderr).toBe('');
    expect([a.code, b.code]).toEqual([0, 0]);
    const seen = [...(JSON.parse(a.stdout) as number[]), ...(JSON.parse(b.stdout) as number[])].sort((x, y) => x - y);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const vault = await Vault.open<{ counter: number }>({ dir }, [slot]);
    expect(vault.read().counter).toBe(100);
  }, 90_000);
});
