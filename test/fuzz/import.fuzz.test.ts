/**
 * Fuzzing the importer (SPEC 8: "malformed imports: clear error, no crash,
 * nothing stored"). Every generated text either imports into valid accounts
 * or is refused with an InputError that names where; anything else (a
 * TypeError, a RangeError from deep nesting, a hang) fails. A refused import
 * leaves the vault file byte for byte as it was.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../shared/account.js';
import { AccountService } from '../../main/core/accounts/account-service.js';
import type { DocumentStore } from '../../main/core/accounts/account-service.js';
import { emptyDocument, type VaultDocument } from '../../main/core/accounts/document.js';
import { VaultDocumentStore } from '../../main/core/accounts/vault-store.js';
import { InputError } from '../../main/core/errors.js';
import { importCredentials, validateAccount } from '../../main/core/import/index.js';
import { AuthorizationFlows } from '../../main/core/oauth/authorization-flows.js';
import { systemClock, type CorePorts } from '../../main/core/ports.js';
import { createPassphraseSlot, Vault } from '../../main/core/vault/index.js';
import { FUZZ_RUNS, fuzzParams, testTimeout } from './fuzz-settings.js';
import { deepJson, keyJsonText, mutatedToml, randomText, VALID_TOML } from './import-arbitraries.js';

// No network: an import never fetches; a grant attempt would be a bug, so fetch throws.
const ports: CorePorts = {
  fetch: () => Promise.reject(new Error('the importer must not use the network')),
  clock: systemClock,
  randomBytes: (length) => new Uint8Array(length).fill(1),
};
const noKeyFiles = (path: string): Promise<string> => Promise.reject(Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' }));

let pem: string;
let workDir: string;
beforeAll(async () => {
  pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  workDir = await mkdtemp(join(tmpdir(), 'tokendesk-fuzz-import-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** A plain in-memory store: importAccounts' own all-or-nothing logic, without disk. */
function memoryStore(): DocumentStore & { saves: number } {
  let current = emptyDocument();
  const store = {
    saves: 0,
    read: () => current,
    reload: async () => current,
    async update<R>(fn: (doc: VaultDocument) => { next: VaultDocument; result: R }): Promise<R> {
      const { next, result } = fn(structuredClone(current));
      current = next;
      store.saves++;
      return result;
    },
    exclusive: <R>(_key: string, fn: () => Promise<R>): Promise<R> => fn(),
  };
  return store;
}

type Outcome = { ok: true; accounts: AccountSettings[] } | { ok: false; error: InputError };

/** Runs the importer; returns its result or its InputError; rethrows anything else, which fails the property. */
async function importOutcome(text: string): Promise<Outcome> {
  try {
    const accounts = await importCredentials({ text, fileName: 'fuzz.toml', baseDir: workDir, readFile: noKeyFiles });
    return { ok: true, accounts };
  } catch (error) {
    if (error instanceof InputError) return { ok: false, error };
    throw error;
  }
}

function checkOutcome(outcome: Outcome): void {
  if (outcome.ok) {
    expect(outcome.accounts.length).toBeGreaterThan(0);
    for (const account of outcome.accounts) {
      expect(typeof account.name).toBe('string');
      expect(account.name.trim()).not.toBe('');
      expect(() => validateAccount(account)).not.toThrow();
    }
    expect(new Set(outcome.accounts.map((a) => a.name)).size).toBe(outcome.accounts.length);
    return;
  }
  const { error } = outcome;
  expect(error.code).toMatch(/^ERR_(INPUT_|BUDGET_)/);
  expect(error.message.length).toBeGreaterThan(0);
  if (error.code === 'ERR_INPUT_SYNTAX') {
    // Every syntax rejection names the line and column (SPEC 5).
    expect(error.location?.line).toBeGreaterThanOrEqual(1);
    expect(error.location?.column).toBeGreaterThanOrEqual(1);
  }
}

/** Imports into an in-memory account service when the text was accepted; a refused text must never reach it. */
async function importProperty(text: string): Promise<void> {
  const outcome = await importOutcome(text);
  checkOutcome(outcome);
  const store = memoryStore();
  const service = new AccountService({ store, ports, flows: new AuthorizationFlows({ ports }) });
  if (outcome.ok) {
    await service.importAccounts(outcome.accounts);
    expect((await service.list()).map((a) => a.name)).toEqual(outcome.accounts.map((a) => a.name));
  }
  expect(store.saves).toBe(outcome.ok ? 1 : 0);
}

const runs = (label: string) => fuzzParams(label);

describe('importer fuzzing', () => {
  it('accepts every fixture file unchanged (the mutations start from valid input)', async () => {
    for (const text of VALID_TOML) {
      const outcome = await importOutcome(text);
      expect(outcome.ok, outcome.ok ? '' : outcome.error.message).toBe(true);
    }
  });

  it('turns mutated fixture TOML into accounts or a located InputError, never a crash', { timeout: testTimeout() }, async () => {
    await fc.assert(fc.asyncProperty(mutatedToml, importProperty), runs('mutated TOML'));
  });

  it('turns random text into accounts or an InputError, never a crash', { timeout: testTimeout() }, async () => {
    await fc.assert(fc.asyncProperty(randomText, importProperty), runs('random text'));
  });

  it('turns key JSON files with fields of wrong types into an account or an InputError', { timeout: testTimeout(FUZZ_RUNS, 8) }, async () => {
    await fc.assert(fc.asyncProperty(keyJsonText(pem), importProperty), runs('key JSON'));
  });

  it('refuses deeply nested JSON with an InputError instead of overflowing the stack', { timeout: testTimeout() }, async () => {
    await fc.assert(fc.asyncProperty(deepJson, importProperty), runs('deep JSON'));
  });
});

describe('a refused import stores nothing', () => {
  const DISK_RUNS = Math.max(20, Math.round(FUZZ_RUNS / 50));

  it('leaves the vault file byte for byte unchanged after every refused import (CLI path)', { timeout: testTimeout(DISK_RUNS, 200) }, async () => {
    const dir = await mkdtemp(join(workDir, 'vault-'));
    // Cheap scrypt parameters: the unwrap is not what this test is about.
    const vault = await Vault.create<VaultDocument>({ dir }, [createPassphraseSlot('fuzz passphrase', { N: 2 ** 10, r: 8, p: 1 })], emptyDocument());
    const service = new AccountService({ store: new VaultDocumentStore(vault), ports, flows: new AuthorizationFlows({ ports }) });
    await service.importAccounts(await importCredentials({ text: VALID_TOML[0]!, fileName: 'first.toml' }));
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedToml, keyJsonText(pem)), async (text) => {
        const before = await readFile(join(dir, 'vault.json'));
        const beforeNames = (await service.list()).map((a) => a.name);
        // What `tokendesk import` does: parse and validate first, then import all or nothing.
        let stored = false;
        try {
          const accounts = await importCredentials({ text, fileName: 'fuzz.toml', baseDir: workDir, readFile: noKeyFiles });
          await service.importAccounts(accounts);
          stored = true;
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          refused++;
        }
        if (stored) return;
        expect(await readFile(join(dir, 'vault.json'))).toEqual(before);
        await service.reload();
        expect((await service.list()).map((a) => a.name)).toEqual(beforeNames);
      }),
      fuzzParams('refused import on disk', DISK_RUNS),
    );
    await vault.close();
    // The property must have been exercised on refusals, not only on accepted texts.
    expect(refused).toBeGreaterThan(0);
  });
});
