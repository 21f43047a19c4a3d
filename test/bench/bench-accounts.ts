/**
 * Realistic vault content for the bench: client_credentials accounts with
 * their settings, a cached JWT-sized access token and a short request history,
 * about what a real account weighs in the vault.
 */
import { randomBytes } from 'node:crypto';
import type { AccountSettings } from '../../shared/account.js';
import { AccountService } from '../../main/core/accounts/account-service.js';
import { emptyDocument, type StoredAccount, type VaultDocument } from '../../main/core/accounts/document.js';
import { VaultDocumentStore } from '../../main/core/accounts/vault-store.js';
import { AuthorizationFlows } from '../../main/core/oauth/authorization-flows.js';
import { systemClock, type CorePorts } from '../../main/core/ports.js';
import { Vault } from '../../main/core/vault/index.js';
import { memoryKeySlot } from './memory-key-slot.js';

export const benchPorts: CorePorts = {
  fetch: (input, init) => fetch(input, init),
  clock: systemClock,
  randomBytes: (length) => new Uint8Array(randomBytes(length)),
};

export function accountName(index: number): string {
  return `bench account ${index}`;
}

export function benchSettings(index: number, tokenUrl: string): AccountSettings {
  return {
    name: accountName(index),
    preset: 'myfiber',
    grant: 'client_credentials',
    tokenUrl,
    issuer: 'https://so.yio.at',
    clientId: `30663599214244${String(index).padStart(4, '0')}@myfiber`,
    clientSecret: randomBytes(32).toString('base64url'),
    clientAuth: 'body',
    scopes: ['openid', 'profile', 'urn:zitadel:iam:org:project:id:306635992142446597:aud'],
    scopeSeparator: ' ',
    apiUrl: 'https://api.myfiber.at/v2/infra/resource/sites/',
    extra: {},
    defaultTokenLifetimeSeconds: 300,
  };
}

function jwtSized(): string {
  // A Zitadel access token is a JWT of roughly 800 characters.
  return `eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMzQ1In0.${randomBytes(360).toString('base64url')}.${randomBytes(256).toString('base64url')}`;
}

export function storedAccount(index: number, tokenUrl: string, now: number, withToken: boolean): StoredAccount {
  const history = Array.from({ length: 10 }, (_, i) => ({ at: now - (10 - i) * 300_000, request: 'client_credentials', outcome: 'ok' as const, durationMs: 120 + i }));
  return {
    settings: benchSettings(index, tokenUrl),
    ...(withToken ? { tokens: { accessToken: jwtSized(), tokenType: 'Bearer', expiresAt: now + 3_600_000, scope: 'openid profile', obtainedAt: now } } : {}),
    history,
    requestTimes: [],
  };
}

export function benchDocument(count: number, tokenUrl: string, now: number, withTokens = true): VaultDocument {
  const doc = emptyDocument();
  for (let i = 0; i < count; i++) doc.accounts.push(storedAccount(i, tokenUrl, now, withTokens));
  return doc;
}

/** An account service over a real vault file in `dir`, opened with an in-memory key slot. */
export async function benchService(dir: string, doc: VaultDocument): Promise<{ service: AccountService; vault: Vault<VaultDocument> }> {
  const vault = await Vault.create<VaultDocument>({ dir }, [memoryKeySlot()], doc);
  const service = new AccountService({ store: new VaultDocumentStore(vault), ports: benchPorts, flows: new AuthorizationFlows({ ports: benchPorts }) });
  return { service, vault };
}
