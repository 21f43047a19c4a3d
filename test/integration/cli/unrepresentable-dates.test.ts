/**
 * Issue 9 item 14 (CLI part): one stored expiry that no date can hold must
 * not make `list`, `list --json` or `token --format json` fail for every
 * account. The vault is written through the core's own Vault API, as an
 * older TokenDesk or an unbounded `token_lifetime` would have left it.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VaultDocument } from '../../../main/core/accounts/document.js';
import { createPassphraseSlot, Vault } from '../../../main/core/vault/index.js';
import { runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';

const PASSPHRASE = 'saffron lagoon widget pebble';
const HUGE = Number.MAX_SAFE_INTEGER; // 9007199254740991 ms: past what Date can represent
const dir = useTempDir('tokendesk-cli-dates-');
const env = { TOKENDESK_PASSPHRASE: PASSPHRASE };
const vault = () => join(dir.path(), 'vault');

beforeAll(async () => {
  // Port 9 (discard) refuses connections: any token request would fail, so a success proves the cached token was used.
  const file = await dir.write(
    'accounts.toml',
    '[accounts.forever]\ngrant = "client_credentials"\ntoken_url = "http://127.0.0.1:9/token"\nclient_id = "a"\nclient_secret = "b"\n\n[accounts.plain]\ngrant = "static"\naccess_token = "plain-token"\n',
  );
  const imported = await runCli(['import', file, '--vault', vault()], { env });
  expect(imported.code, imported.stderr).toBe(0);
  const opened = await Vault.open<VaultDocument>({ dir: vault() }, [createPassphraseSlot(PASSPHRASE)]);
  await opened.update((doc) => ({
    next: {
      ...doc,
      accounts: doc.accounts.map((account) =>
        account.settings.name === 'forever' ? { ...account, tokens: { accessToken: 'forever-token', tokenType: 'Bearer', expiresAt: HUGE, obtainedAt: Date.now() } } : account,
      ),
    },
    result: undefined,
  }));
});

describe('an expiry no date can hold', () => {
  it('lists every account, the absurd expiry as unknown', async () => {
    const result = await runCli(['list', '--vault', vault()], { env });
    expect(result.code, result.stderr).toBe(0);
    const rows = result.stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(/^forever\s+client_credentials\s+unknown_expiry\s+-$/);
    expect(rows[2]).toMatch(/^plain\s+static\s+none\s+-$/);
  });

  it('lists every account in JSON, the absurd expiry as null', async () => {
    const result = await runCli(['list', '--json', '--vault', vault()], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject([
      { name: 'forever', status: 'unknown_expiry', expires_at: null },
      { name: 'plain', expires_at: null },
    ]);
  });

  it('prints the cached token as JSON with expires_at and expires_in null', async () => {
    const result = await runCli(['token', 'forever', '--format', 'json', '--vault', vault()], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ access_token: 'forever-token', token_type: 'Bearer', expires_at: null, expires_in: null });
  });
});
