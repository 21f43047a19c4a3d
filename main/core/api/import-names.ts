/**
 * The Add account preview's name field (issue 13 item 6): a name typed in the
 * preview replaces the text's name, and a name already in the vault is
 * flagged before Save with a free one to use instead.
 */
import type { AccountSettings } from '../../../shared/account.js';
import type { NameConflict } from '../../../shared/ipc.js';

/**
 * Replaces the name of the i-th account with `names[i]` when that is a
 * non-empty text (trimmed); '' or a missing entry keeps the text's name.
 * The stored name is validated later, like any account name.
 */
export function applyNames(accounts: AccountSettings[], names: readonly string[] | undefined): void {
  if (!names) return;
  accounts.forEach((account, index) => {
    const name = names[index]?.trim();
    if (name) account.name = name;
  });
}

/**
 * Accounts whose name is already taken in the vault, each with the first
 * `NAME (n)` (n >= 2) that is neither in the vault nor used by this import.
 */
export function nameConflicts(names: readonly string[], taken: ReadonlySet<string>): NameConflict[] {
  const used = new Set([...taken, ...names]);
  const conflicts: NameConflict[] = [];
  names.forEach((name, index) => {
    if (!taken.has(name)) return;
    const suggestion = freeName(name, used);
    used.add(suggestion);
    conflicts.push({ index, name, suggestion });
  });
  return conflicts;
}

/** Far above any real vault; a bound so the search always ends. */
const MAX_SUFFIX = 10_000;

function freeName(name: string, used: ReadonlySet<string>): string {
  for (let n = 2; n < MAX_SUFFIX; n++) {
    const candidate = `${name} (${n})`;
    if (!used.has(candidate)) return candidate;
  }
  return `${name} (${Date.now()})`;
}
