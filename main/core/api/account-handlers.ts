/** `accounts:*`: list, import (with a masked preview), edit, rename, remove, history, discovery. */
import type { AccountSettings } from '../../../shared/account.js';
import type { AccountPatch, ImportConflict, ImportProblem, PublicAccount } from '../../../shared/ipc.js';
import { toPublicSettings } from '../accounts/redact.js';
import type { PublicAccountSettings } from '../accounts/types.js';
import { InputError, TokenDeskError, VaultError } from '../errors.js';
import { importCredentials, previewImport } from '../import/index.js';
import { discoverEndpoints } from '../oauth/discovery.js';
import type { ApiContext } from './context.js';
import type { HandlerGroup } from './handler.js';

type AccountChannel =
  | 'accounts:list'
  | 'accounts:get'
  | 'accounts:preview'
  | 'accounts:import'
  | 'accounts:update'
  | 'accounts:rename'
  | 'accounts:remove'
  | 'accounts:history'
  | 'accounts:discover';

const DISCOVERY_TIMEOUT_MS = 30_000;

export function accountHandlers(ctx: ApiContext): HandlerGroup<AccountChannel> {
  const { deps, service, accountsChanged } = ctx;
  const importer = deps.importer ?? { previewImport, importCredentials };
  return {
    'accounts:list': async () => {
      const accounts = service();
      // The CLI may have imported, refreshed or removed accounts since the last look.
      await accounts.reload();
      return (await accounts.list()).map((summary) => ({ ...summary }));
    },
    'accounts:get': async ({ name }) => toWire(await service().getSettings(name)),
    'accounts:preview': async ({ text, fileName, names }) => {
      const result = await importer.previewImport(ctx.importInput(text, fileName, names));
      const indexes = result.textIndexes ?? result.accounts.map((_, i) => i);
      return {
        // The preview crosses to the renderer: secrets become has* flags here.
        accounts: result.accounts.map((account) => toWire(toPublicSettings(account))),
        problems: result.problems.map(toProblem),
        notes: result.notes ?? [],
        conflicts: nameConflicts(
          result.accounts.map((account, i) => ({ index: indexes[i] ?? i, name: account.name })),
          await namesInVault(ctx),
        ),
      };
    },
    'accounts:import': async ({ text, fileName, names }) => {
      const accounts = await importer.importCredentials(ctx.importInput(text, fileName, names));
      await service().importAccounts(accounts);
      accountsChanged();
      return { names: accounts.map((account) => account.name) };
    },
    'accounts:update': async ({ name, patch }) => {
      const { dropped } = await service().updateAccount(name, toSettingsPatch(patch));
      accountsChanged();
      return { dropped };
    },
    'accounts:rename': async ({ name, newName }) => {
      await service().renameAccount(name, newName);
      accountsChanged();
      return {};
    },
    'accounts:remove': async ({ name }) => {
      ctx.abort(name);
      await service().removeAccount(name);
      accountsChanged();
      return {};
    },
    'accounts:history': async ({ name }) => {
      const accounts = service();
      const [entries, budget] = await Promise.all([accounts.history(name), accounts.budget(name)]);
      return { entries: entries.map((entry) => ({ ...entry })), ...(budget ? { budget: { ...budget } } : {}) };
    },
    'accounts:discover': async ({ issuer }) => ({
      ...(await discoverEndpoints(issuer.trim(), { ports: deps.ports, timeoutMs: DISCOVERY_TIMEOUT_MS })),
    }),
  };
}

/** Names of the vault's accounts; none while it is locked (the preview then has nothing to compare with). */
async function namesInVault(ctx: ApiContext): Promise<Set<string>> {
  try {
    return new Set((await ctx.service().list()).map((summary) => summary.name));
  } catch (error) {
    if (error instanceof VaultError) return new Set();
    throw error;
  }
}

/**
 * The accounts of an import whose name is taken in the vault, each with the
 * first `NAME (n)`, n >= 2, that is free both in the vault and in the import.
 */
export function nameConflicts(accounts: readonly { index: number; name: string }[], inVault: ReadonlySet<string>): ImportConflict[] {
  const inText = new Set(accounts.map((account) => account.name));
  const suggested = new Set<string>();
  const conflicts: ImportConflict[] = [];
  for (const { index, name } of accounts) {
    if (!inVault.has(name)) continue;
    let suggestion = name;
    // Bounded: at most one step per name already taken.
    for (let n = 2; n < inVault.size + inText.size + suggested.size + 3; n++) {
      suggestion = `${name} (${n})`;
      if (!inVault.has(suggestion) && !inText.has(suggestion) && !suggested.has(suggestion)) break;
    }
    suggested.add(suggestion);
    conflicts.push({ index, name, suggestion });
  }
  return conflicts;
}

/** Copies a public settings object into plain JSON data (drops undefined fields). */
function toWire(settings: PublicAccountSettings): PublicAccount {
  return JSON.parse(JSON.stringify(settings)) as PublicAccount;
}

/** Import problems are InputErrors (with a location) or plain records; keep only non-secret facts. */
function toProblem(problem: unknown): ImportProblem {
  if (problem instanceof InputError) {
    return {
      code: problem.code,
      message: problem.message,
      ...(problem.location?.line !== undefined ? { line: problem.location.line } : {}),
      ...(problem.location?.column !== undefined ? { column: problem.location.column } : {}),
      ...(problem.location?.field ? { field: problem.location.field } : {}),
    };
  }
  if (problem instanceof TokenDeskError) return { code: problem.code, message: problem.message };
  if (typeof problem === 'object' && problem !== null) {
    const record = problem as Record<string, unknown>;
    const location = (typeof record.location === 'object' && record.location !== null ? record.location : record) as Record<string, unknown>;
    return {
      code: typeof record.code === 'string' ? record.code : 'ERR_INPUT_FIELD',
      message: typeof record.message === 'string' ? record.message : 'This part of the text could not be read.',
      ...(typeof location.line === 'number' ? { line: location.line } : {}),
      ...(typeof location.column === 'number' ? { column: location.column } : {}),
      ...(typeof location.field === 'string' ? { field: location.field } : {}),
    };
  }
  return { code: 'ERR_INPUT_FIELD', message: 'This part of the text could not be read.' };
}

/**
 * Empty strings from the edit form mean "leave as is" for secrets, "remove" for
 * optional plain fields; `preset: ''` is Custom (no provider).
 */
function toSettingsPatch(patch: AccountPatch): Partial<AccountSettings> {
  const out: Partial<AccountSettings> = {};
  for (const [key, value] of Object.entries(patch) as [keyof AccountPatch, unknown][]) {
    if (value === undefined) continue;
    if ((key === 'clientSecret' || key === 'password' || key === 'accessToken') && value === '') continue;
    // null removes the budget; the service reads a present key without a value as "remove".
    if (key === 'requestBudget') {
      out.requestBudget = value === null ? undefined : { ...(value as { maxRequests: number; windowSeconds: number }) };
      continue;
    }
    if (key === 'resource' && Array.isArray(value)) {
      const resource = value.map((item: string) => item.trim()).filter((item) => item !== '');
      out.resource = resource.length > 0 ? resource : undefined;
      continue;
    }
    (out as Record<string, unknown>)[key] = typeof value === 'string' ? value.trim() || undefined : value;
  }
  return out;
}
