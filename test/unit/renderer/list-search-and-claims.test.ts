/**
 * The renderer's pure helpers behind the account search and the decoded
 * claims (issue 13 items 8 and 9); the window itself is tested in
 * test/e2e/layout.e2e.ts.
 */
import { describe, expect, it } from 'vitest';
import { filterAccounts } from '../../../renderer/lib/account-filter.js';
import { claimLines } from '../../../renderer/lib/claims.js';
import { localDateTime } from '../../../renderer/lib/format.js';

const ACCOUNTS = [
  { name: 'Müller & Söhne production', preset: 'myfiber', grant: 'client_credentials' },
  { name: 'insiders staging', preset: 'insiders', grant: 'authorization_code' },
  { name: 'home alarm', preset: 'myfox', grant: 'password' },
  { name: 'custom thing', grant: 'jwt_bearer' },
];

describe('filterAccounts', () => {
  it('matches every word in the name, the provider label or the sign-in method, ignoring case and accents', () => {
    expect(filterAccounts(ACCOUNTS, '').map((a) => a.name)).toHaveLength(4);
    expect(filterAccounts(ACCOUNTS, 'muller').map((a) => a.name)).toEqual(['Müller & Söhne production']);
    expect(filterAccounts(ACCOUNTS, 'ASI').map((a) => a.name)).toEqual(['insiders staging']);
    expect(filterAccounts(ACCOUNTS, 'user name and password').map((a) => a.name)).toEqual(['home alarm']);
    expect(filterAccounts(ACCOUNTS, 'key file').map((a) => a.name)).toEqual(['custom thing']);
    expect(filterAccounts(ACCOUNTS, 'custom').map((a) => a.name)).toEqual(['custom thing']);
    expect(filterAccounts(ACCOUNTS, 'jwt_bearer').map((a) => a.name)).toEqual(['custom thing']);
    expect(filterAccounts(ACCOUNTS, 'production staging')).toEqual([]);
  });
});

describe('claimLines', () => {
  it('writes the JSON as JSON.stringify does, with the top-level time claims as local times', () => {
    const claims = { sub: 'client', iat: 1796116521, exp: 1796116821, nested: { exp: 5 }, auth_time: 1796116000, nbf: 'not a number' };
    const lines = claimLines(claims);
    expect(lines.map((l) => l.text).join('\n')).toBe(JSON.stringify(claims, null, 2));
    expect(lines.filter((l) => l.time).map((l) => l.time)).toEqual([
      { claim: 'iat', local: localDateTime(1796116521_000) },
      { claim: 'exp', local: localDateTime(1796116821_000) },
      { claim: 'auth_time', local: localDateTime(1796116000_000) },
    ]);
    expect(claimLines({}).map((l) => l.text)).toEqual(['{}']);
    expect(claimLines({ exp: 1e300 }).some((l) => l.time)).toBe(false);
  });
});
