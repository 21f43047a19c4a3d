/**
 * SPEC 4: "When a save fails (a full disk, a read-only folder, a file held by
 * an antivirus), the token just obtained is still handed out with a warning,
 * kept in memory with any rotated refresh token and saved at the next chance."
 * On a real, small tmpfs that the test fills up; skipped in one line where
 * mounting is not permitted.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountSettings } from '../../../shared/account.js';
import { AppSession } from '../../../main/core/app-session.js';
import type { CorePorts } from '../../../main/core/ports.js';
import { startProviderServer, type ProviderServer } from '../../fixtures/provider-server.js';

const PASSPHRASE = 'full disk test passphrase 9';
let server: ProviderServer;
let mountPoint: string | undefined;
let skipReason: string | undefined;
let now = Date.now();
const ports: CorePorts = { fetch: (input, init) => fetch(input, init), clock: { now: () => now }, randomBytes: (n) => new Uint8Array(randomBytes(n)) };

beforeAll(async () => {
  server = await startProviderServer();
  server.setBehaviour({ insidersRotateRefreshTokens: true });
  const dir = await mkdtemp(join(tmpdir(), 'tokendesk-fulldisk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k,mode=0700', 'tmpfs', dir], { stdio: 'ignore' });
    mountPoint = dir;
  } catch {
    skipReason = 'mounting a tmpfs is not permitted here (needs root)';
    await rm(dir, { recursive: true, force: true });
  }
});
afterAll(async () => {
  await server?.close();
  if (mountPoint) {
    execFileSync('umount', [mountPoint], { stdio: 'ignore' });
    await rm(mountPoint, { recursive: true, force: true });
  }
});

/** Writes filler files until the file system refuses (ENOSPC); returns them for removal. */
async function fillUp(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (let index = 0; index < 10_000; index++) {
    const file = join(dir, `filler-${index}`);
    try {
      await writeFile(file, Buffer.alloc(index < 100 ? 16 * 1024 : 512, 1));
      files.push(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      await rm(file, { force: true });
      if (index >= 100) return files; // even a 512-byte file no longer fits
    }
  }
  throw new Error('the tmpfs never filled up');
}

function insiders(): AccountSettings {
  return {
    name: 'ins',
    grant: 'password',
    tokenUrl: `${server.url}/insiders/oauth2/token/`,
    clientId: server.clients.insiders.clientId,
    clientSecret: server.clients.insiders.clientSecret!,
    clientAuth: 'basic',
    ...server.users.insiders,
    scopes: [],
    scopeSeparator: ' ',
    extra: {},
    requestBudget: { maxRequests: 20, windowSeconds: 86_400 },
  };
}

describe('a full disk', () => {
  it('still hands out the token it obtained, keeps the rotated refresh token in memory and saves it at the next chance', async (context) => {
    if (!mountPoint) return context.skip(skipReason);
    const dataDir = join(mountPoint, 'vault');
    const app = new AppSession({ dataDir, ports });
    await app.create({ passphrase: PASSPHRASE });
    const accounts = app.accounts();
    await accounts.importAccounts([insiders()]);
    const first = await accounts.getToken('ins');

    const fillers = await fillUp(mountPoint);
    now = first.expiresAt! + 1;
    const warnings: string[] = [];
    const rotated = await accounts.getToken('ins', { onWarning: (message) => warnings.push(message) });
    expect(rotated.refreshToken).toBeTruthy();
    expect(rotated.refreshToken).not.toBe(first.refreshToken);
    expect(warnings.join('\n')).toMatch(/could not be saved/);
    expect(accounts.hasUnsaved()).toBe(true);
    // The rotated token is what the app keeps using.
    expect((await accounts.cachedToken('ins'))?.refreshToken).toBe(rotated.refreshToken);
    expect((await accounts.getToken('ins')).accessToken).toBe(rotated.accessToken);
    // No half-written lock or temporary file was left behind.
    expect((await readdir(dataDir)).filter((name) => /\.lock|\.tmp-|\.break/.test(name))).toEqual([]);

    // Space again: the next save carries what was kept in memory.
    for (const file of fillers) await rm(file);
    expect(await accounts.saveUnsaved()).toBe(true);
    expect(accounts.hasUnsaved()).toBe(false);
    const other = new AppSession({ dataDir, ports });
    await other.unlock(PASSPHRASE);
    const onDisk = await other.accounts().cachedToken('ins');
    expect(onDisk?.refreshToken).toBe(rotated.refreshToken);
    // The request that reached the server counts in the budget, though its first save failed.
    expect(await other.accounts().budget('ins')).toMatchObject({ used: 2 });
    other.lock();
    app.lock();
  });
});
