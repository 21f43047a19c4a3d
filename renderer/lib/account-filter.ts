/**
 * The account list's search: which accounts match what the user typed.
 * Pure, so it is easy to test; the words searched are the ones the list and
 * the detail page show (the provider's label, the sign-in method in words),
 * plus the technical names staff may know from the vendor's text.
 */
import type { AccountSummaryView } from '../../shared/ipc.js';
import { PRESETS, isPresetId } from '../../shared/presets.js';
import { S } from './strings.js';

/** The search box appears once the list is longer than this. */
export const SEARCH_FROM = 5;

/** Lower case, without accents: "Müller" is found by "muller" too. */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}

export function providerLabel(preset: string | undefined): string {
  return preset && isPresetId(preset) ? PRESETS[preset].label : S.list.custom;
}

function haystack(account: Pick<AccountSummaryView, 'name' | 'preset' | 'grant'>): string {
  return fold([account.name, providerLabel(account.preset), account.preset ?? '', S.grant[account.grant] ?? '', account.grant].join('\n'));
}

/** The accounts in which every word of `query` occurs (name, provider, sign-in method); all of them for an empty query. */
export function filterAccounts<T extends Pick<AccountSummaryView, 'name' | 'preset' | 'grant'>>(accounts: readonly T[], query: string): T[] {
  const terms = fold(query).split(/\s+/).filter(Boolean);
  if (terms.length === 0) return [...accounts];
  return accounts.filter((account) => {
    const text = haystack(account);
    return terms.every((term) => text.includes(term));
  });
}
