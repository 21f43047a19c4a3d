/**
 * SPEC 4 "a full disk loses nothing": a save that the disk refuses at ANY
 * write step (lock file, lock-break guard, temporary file, fsync, backup
 * link or copy, rename, folder fsync) fails with ERR_VAULT_WRITE in plain
 * words, leaves no file behind, and the vault still opens with the old
 * content. Each operation is run once to record its write steps, then again
 * failing each step in turn with each refusal the kernel gives.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultError } from '../../../main/core/errors.js';
import { Vault, createPassphraseSlot } from '../../../main/core/vault/index.js';
import type { VaultOptions } from '../../../main/core/vault/index.js';
import { FailingFs, type Failure, type WriteStep } from '../../fixtures/vault/failing-fs.js';
import { codeOf } from '../../helpers/error-code.js';

interface Content {
  counter: number;
  refreshToken: string;
}

const cheap = { N: 2 ** 10, r: 8, p: 1 };
const pass = () => createPassphraseSlot('full disk passphrase', cheap);
const REFUSALS = ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM'] as const;
const WORDS: Record<(typeof REFUSALS)[number], RegExp> = {
  ENOSPC: /^The disk is full: TokenDesk could not save the vault in .+\. Free some space and try again\.$/,
  EDQUOT: /disk quota is used up/,
  EROFS: /read-only/,
  EACCES: /no permission to write/,
  EPERM: /no permission to write/,
};

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tokendesk-wfail-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const content = (counter: number): Content => ({ counter, refreshToken: `rotated-refresh-token-${counter}` });

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

interface Scenario {
  name: string;
  /** Fills the template folder. */
  prepare(dir: string): Promise<void>;
  /** The operation under test. */
  run(opts: VaultOptions): Promise<unknown>;
  /** Failures always present (e.g. no hard links). */
  background?: Failure[];
  /** Counter of the content before, undefined when there is no vault before. */
  oldCounter: number | undefined;
  newCounter: number;
}

const withBackup = async (dir: string) => {
  const vault = await Vault.create<Content>({ dir }, [pass()], content(1));
  await vault.write(content(2));
};

const scenarios: Scenario[] = [
  {
    name: 'a save',
    prepare: withBackup,
    run: saveWith,
    oldCounter: 2,
    newCounter: 3,
  },
  {
    name: 'a save that first breaks a lock left by a dead process',
    async prepare(dir) {
      await withBackup(dir);
      await writeFile(join(dir, 'vault.json.lock'), JSON.stringify({ pid: await deadPid(), host: hostname(), token: 'dead', at: Date.now() }));
    },
    run: saveWith,
    oldCounter: 2,
    newCounter: 3,
  },
  {
    name: 'a save on a file system without hard links (backup by copy)',
    prepare: withBackup,
    run: saveWith,
    background: [{ when: (s) => s.kind === 'link', code: 'ENOTSUP', always: true }],
    oldCounter: 2,
    newCounter: 3,
  },
  {
    name: 'creating a vault',
    prepare: async () => undefined,
    run: (opts) => Vault.create<Content>(opts, [pass()], content(1)),
    oldCounter: undefined,
    newCounter: 1,
  },
];

/** Opens and saves through `opts` (the injected file system). */
async function saveWith(opts: VaultOptions): Promise<void> {
  const vault = await Vault.open<Content>(opts, [pass()]);
  await vault.write(content(vault.read().counter + 1));
}

/** Steps after which the new content is in place (the rename onto vault.json, and what follows). */
function firstStepOfNewContent(steps: WriteStep[], dir: string): number {
  const main = join(dir, 'vault.json');
  const at = steps.findIndex((s) => (s.kind === 'rename' && s.path === main) || (s.kind === 'link' && s.path === main));
  return at < 0 ? steps.findIndex((s) => s.kind === 'open' && s.path === main) + 2 /* open, write, sync of a copy-created file */ : at + 1;
}

/** A refusal the vault may rightly absorb: EPERM from link() means "no hard links here" (a copy follows), from a folder fsync "not supported". */
function absorbed(step: WriteStep, code: string, dir: string): boolean {
  return code === 'EPERM' && (step.kind === 'link' || (step.kind === 'sync' && step.path === dir));
}

describe('a refused write at any step', () => {
  for (const scenario of scenarios) {
    it(`${scenario.name}: ERR_VAULT_WRITE in plain words, no leftover file, the old content still opens`, async () => {
      const template = join(root, 'template');
      await mkdir(template, { recursive: true });
      await scenario.prepare(template);
      const before = (await readdir(template)).sort();
      const lockBefore = before.includes('vault.json.lock') ? await readFile(join(template, 'vault.json.lock'), 'utf8') : undefined;

      // Record the steps once.
      const recordDir = join(root, 'record');
      await cp(template, recordDir, { recursive: true });
      const recorder = new FailingFs(...(scenario.background ?? []));
      await scenario.run({ dir: recordDir, fs: recorder });
      const steps = recorder.steps.filter((s) => !(scenario.background ?? []).some((f) => typeof f.when === 'function' && f.when(s, 0)));
      expect(steps.length, 'the operation has write steps').toBeGreaterThan(5);
      const kinds = new Set(steps.map((s) => s.kind));
      for (const kind of ['open', 'write', 'sync'] as const) expect(kinds.has(kind)).toBe(true);

      let runs = 0;
      for (let index = 0; index < recorder.steps.length; index++) {
        const step = recorder.steps[index]!;
        if ((scenario.background ?? []).some((f) => typeof f.when === 'function' && f.when(step, index))) continue;
        for (const code of REFUSALS) {
          runs++;
          const dir = join(root, `run-${index}-${code}`);
          await cp(template, dir, { recursive: true });
          const fs = new FailingFs(...(scenario.background ?? []), { when: index, code });
          const label = `step ${index} (${step.kind} ${step.path.slice(root.length)}), ${code}`;
          const outcome = await scenario.run({ dir, fs }).then(
            () => undefined,
            (error: unknown) => error,
          );
          const newInPlace = index >= firstStepOfNewContent(recorder.steps, join(root, 'record'));
          if (absorbed(step, code, join(root, 'record'))) {
            expect(outcome, label).toBeUndefined();
          } else {
            expect(outcome, label).toBeInstanceOf(VaultError);
            expect((outcome as VaultError).code, label).toBe('ERR_VAULT_WRITE');
            expect((outcome as VaultError).message, label).toMatch(WORDS[code]);
            expect((outcome as VaultError).message, label).toContain(dir);
            expect((outcome as VaultError).message, label).not.toContain('rotated-refresh-token');
          }
          // No leftovers: nothing but what was there, no lock of ours, no guard, no temp, no empty file.
          const after = (await readdir(dir)).sort();
          const created = after.filter((n) => !before.includes(n));
          if (outcome === undefined || (newInPlace && scenario.oldCounter !== undefined)) {
            expect(created.filter((n) => n !== 'vault.json' && n !== 'vault.json.bak'), label).toEqual([]);
          } else {
            expect(created, label).toEqual([]);
          }
          if (after.includes('vault.json.lock')) expect(await readFile(join(dir, 'vault.json.lock'), 'utf8'), label).toBe(lockBefore);
          // The vault opens (real fs) with the old content; the new one only once its rename happened.
          if (scenario.oldCounter === undefined && outcome !== undefined) {
            expect(await Vault.exists(dir), label).toBe(false);
            expect((await Vault.create<Content>({ dir }, [pass()], content(1))).read().counter, label).toBe(1);
          } else {
            const reopened = await Vault.open<Content>({ dir }, [pass()]);
            const expected = outcome === undefined || newInPlace ? scenario.newCounter : scenario.oldCounter;
            expect(reopened.read().counter, label).toBe(expected);
            expect(reopened.openedFromBackup, label).toBe(false);
            // A save stopped after its hard-linked backup is no rollback (with a copied backup it cannot be told from one).
            if (!scenario.background) expect(reopened.rollback, label).toBeUndefined();
          }
          await rm(dir, { recursive: true, force: true });
        }
      }
      expect(runs).toBe(steps.length * REFUSALS.length);
    });
  }

  it('a folder fsync that fails after the rename still reports ERR_VAULT_WRITE (the next save writes again)', async () => {
    const dir = join(root, 'v');
    await withBackup(dir);
    const fs = new FailingFs({ when: (s) => s.kind === 'sync' && s.path === dir, code: 'ENOSPC' });
    const vault = await Vault.open<Content>({ dir, fs }, [pass()]);
    expect(await codeOf(vault.write(content(3)))).toBe('ERR_VAULT_WRITE');
    await vault.write(content(4));
    expect((await Vault.open<Content>({ dir }, [pass()])).read().counter).toBe(4);
  });

  it('the instance keeps working after a refused save: the next save succeeds with the same data', async () => {
    const dir = join(root, 'v');
    await withBackup(dir);
    let full = true;
    const fs = new FailingFs({ when: (s) => full && s.kind === 'write' && s.path.includes('.tmp-'), code: 'ENOSPC', always: true });
    const vault = await Vault.open<Content>({ dir, fs }, [pass()]);
    const error = await vault.update((c) => ({ next: { ...c, counter: 3 }, result: 'saved' })).catch((e: unknown) => e);
    expect((error as VaultError).code).toBe('ERR_VAULT_WRITE');
    expect(vault.read().counter).toBe(2); // what is on disk
    full = false;
    await vault.update((c) => ({ next: { ...c, counter: 3 }, result: 'saved' }));
    expect((await Vault.open<Content>({ dir }, [pass()])).read().counter).toBe(3);
  });
});

describe('renames on Windows (antivirus, indexer)', () => {
  const renameFails = (code: string, times: number): Failure => {
    let left = times;
    return { when: (s) => s.kind === 'rename' && left-- > 0, code, always: true };
  };

  it('retries a rename refused with EBUSY/EPERM/EACCES, and the save goes through', async () => {
    for (const code of ['EBUSY', 'EPERM', 'EACCES']) {
      const dir = join(root, `win-${code}`);
      await withBackup(dir);
      const fs = new FailingFs(renameFails(code, 3));
      const vault = await Vault.open<Content>({ dir, fs, platform: 'win32' }, [pass()]);
      await vault.write(content(3));
      expect(fs.failed.length, code).toBe(3);
      expect((await Vault.open<Content>({ dir }, [pass()])).read().counter, code).toBe(3);
    }
  });

  it('gives up after about a second with ERR_VAULT_WRITE, leaving the old vault and no temporary file', async () => {
    const dir = join(root, 'win-stuck');
    await withBackup(dir);
    const before = (await readdir(dir)).sort();
    const fs = new FailingFs({ when: (s) => s.kind === 'rename', code: 'EBUSY', always: true });
    const vault = await Vault.open<Content>({ dir, fs, platform: 'win32' }, [pass()]);
    const started = Date.now();
    const error = await vault.write(content(3)).catch((e: unknown) => e);
    const took = Date.now() - started;
    expect((error as VaultError).code).toBe('ERR_VAULT_WRITE');
    expect((error as VaultError).message).toMatch(/Another program .* is holding the vault file/);
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(3_000);
    expect((await readdir(dir)).sort()).toEqual(before);
    expect((await Vault.open<Content>({ dir }, [pass()])).read().counter).toBe(2);
  });

  it('does not retry elsewhere: on Linux a refused rename fails at once', async () => {
    const dir = join(root, 'linux');
    await withBackup(dir);
    const fs = new FailingFs({ when: (s) => s.kind === 'rename', code: 'EPERM' });
    const vault = await Vault.open<Content>({ dir, fs, platform: 'linux' }, [pass()]);
    const started = Date.now();
    expect(await codeOf(vault.write(content(3)))).toBe('ERR_VAULT_WRITE');
    expect(Date.now() - started).toBeLessThan(300);
    expect(fs.failed.length).toBe(1);
  });
});
