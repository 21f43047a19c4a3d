/**
 * SPEC 8 "crash at any point of a save: vault opens, no account lost".
 * A child process saves a 1,000-account vault in a tight loop and is killed
 * with SIGKILL at a random moment, at least 200 times. After every kill the
 * vault must open (from vault.json; the backup is the second line of defence)
 * with the last acknowledged counter or the one after it (saved, not yet
 * acknowledged), and all 1,000 accounts. The killed child also leaves its
 * lock behind, so every round also proves the stale-lock takeover.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vault, createPassphraseSlot } from '../../../main/core/vault/index.js';
import { compiledVaultProblem } from '../../fixtures/vault/dist-check.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const child = fileURLToPath(new URL('../../fixtures/vault/crash-writer.mjs', import.meta.url));
const PASSPHRASE = 'crash test passphrase';
const LOG_N = 10;
const KILLS = Number(process.env.VAULT_CRASH_KILLS ?? 200);
const ACCOUNTS = 1000;

interface Content {
  counter: number;
  accounts: { name: string; clientId: string; clientSecret: string }[];
}

const accountName = (i: number) => `crash-account-${String(i).padStart(4, '0')}`;

let dir: string;
beforeAll(async () => {
  const problem = compiledVaultProblem(root);
  if (problem) throw new Error(problem);
  dir = await mkdtemp(join(tmpdir(), 'tokendesk-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Round {
  acked: number[];
  sawTemp: boolean;
}

interface Writer {
  /** Resolves once the child has started and loaded the vault code (it has not touched the vault yet). */
  ready: Promise<void>;
  /** Lets it open the vault and save in a loop; kills it at a random moment; resolves with what it acknowledged. */
  runAndKill(round: number): Promise<Round>;
  dispose(): Promise<void>;
}

function startWriter(): Writer {
  const proc = spawn(process.execPath, [child, dir, String(LOG_N)], {
    env: { ...process.env, TOKENDESK_TEST_PASSPHRASE: PASSPHRASE },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let lines: string[] = [];
  let partial = '';
  let stderr = '';
  let onLine: (() => void) | undefined;
  let onReady: (() => void) | undefined;
  proc.stdout.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      if (line === 'ready') onReady?.();
      else lines.push(line);
    }
    if (lines.length > 0) onLine?.();
  });
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal })));
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    proc.on('error', reject);
    closed.then(() => reject(new Error(`writer died before it was ready: ${stderr.slice(0, 500)}`)), () => undefined);
  });
  ready.catch(() => undefined);

  return {
    ready,
    async dispose() {
      proc.kill('SIGKILL');
      await closed;
    },
    async runAndKill(round) {
      await ready;
      const kill = () => proc.kill('SIGKILL');
      // Every 10th round is killed blind, 0-150 ms after "go" (during open or
      // the first save); the rest 0-30 ms after the first acknowledged save.
      const blind = round % 10 === 0 ? setTimeout(kill, Math.random() * 150) : undefined;
      if (blind === undefined) onLine = () => ((onLine = undefined), setTimeout(kill, Math.random() * 30));
      const safety = setTimeout(kill, 20_000);
      lines = [];
      proc.stdin.write('go\n');
      const { code, signal } = await closed;
      clearTimeout(blind);
      clearTimeout(safety);
      if (signal !== 'SIGKILL') throw new Error(`writer ended on its own (code ${code}): ${stderr.slice(0, 500)}`);
      const names = await readdir(dir);
      return { acked: lines.filter(Boolean).map(Number), sawTemp: names.some((n) => n.includes('.tmp-')) };
    },
  };
}

describe('vault crash safety', () => {
  it(`opens with the old or the new content after ${KILLS} SIGKILLs during saves, losing no account`, async () => {
    const slot = createPassphraseSlot(PASSPHRASE, { N: 2 ** LOG_N, r: 8, p: 1 });
    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({ name: accountName(i), clientId: `id-${i}`, clientSecret: `secret-${i}-${'s'.repeat(40)}` }));
    await Vault.create<Content>({ dir }, [slot], { counter: 0, accounts });

    let expected = 0;
    let killsMidSave = 0;
    let unacknowledgedSaves = 0;
    let fromBackup = 0;
    const started = Date.now();
    let next = startWriter();
    for (let round = 0; round < KILLS; round++) {
      const writer = next;
      const result = writer.runAndKill(round);
      // Start the next writer's Node while this round runs and is checked.
      next = startWriter();
      const { acked, sawTemp } = await result;
      if (sawTemp) killsMidSave++;
      // A writer killed after its first save must have saved (not hung on a lock).
      if (round % 10 !== 0) expect(acked.length, `round ${round}: the writer made no progress`).toBeGreaterThan(0);
      const last = acked.length > 0 ? acked[acked.length - 1]! : expected;
      // Acknowledgements are consecutive from where the vault was.
      expect(acked).toEqual(Array.from({ length: acked.length }, (_, i) => expected + 1 + i));

      const vault = await Vault.open<Content>({ dir }, [slot]);
      if (vault.openedFromBackup) fromBackup++;
      // A save killed mid-way is never taken for a rollback (the backup is then vault.json's own inode).
      expect(vault.rollback, `round ${round}: a kill looked like a rollback`).toBeUndefined();
      const content = vault.read();
      expect([last, last + 1], `round ${round}: acknowledged ${last}, found ${content.counter}`).toContain(content.counter);
      if (content.counter === last + 1) unacknowledgedSaves++;
      expect(content.accounts).toHaveLength(ACCOUNTS);
      for (let i = 0; i < ACCOUNTS; i++) {
        if (content.accounts[i]!.name !== accountName(i)) expect.fail(`round ${round}: account ${i} is ${content.accounts[i]!.name}`);
      }
      expected = content.counter;
    }
    await next.dispose(); // the spare never got "go": it has not touched the vault
    // open() cleaned the killed writers' temp files.
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
    console.log(
      `[vault crash] ${KILLS} kills in ${((Date.now() - started) / 1000).toFixed(1)} s; final counter ${expected}; ` +
        `${killsMidSave} kills left a temp file (mid-save), ${unacknowledgedSaves} saves completed but unacknowledged, ${fromBackup} opened from backup`,
    );
    expect(expected).toBeGreaterThan(0);
  }, 240_000);
});
