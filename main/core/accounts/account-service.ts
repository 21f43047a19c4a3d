/**
 * The account service: the one place that decides whether to hand out the
 * cached token, refresh it, or run the grant again (Bruno copies that decision
 * into every grant; we keep it here, parameterised by grant).
 *
 * Rules it enforces (SPEC 2, 4):
 * - a cached token is returned while at least `minValiditySeconds` remain
 *   (myfiber: "You may not get a new token if the old one is still valid");
 * - concurrent calls for one account share one request (single flight), and
 *   across processes the vault lock makes a second process reuse what the
 *   first one fetched;
 * - a rotated refresh token is saved before the new access token is returned;
 * - every network token request counts against the account's request budget
 *   and is written to its history (never with a secret).
 */
import type { AccountSettings, TokenSet } from '../../../shared/account.js';
import { AuthServerError, InputError, isTokenDeskError } from '../errors.js';
import { validateAccount } from '../import/index.js';
import type { AuthorizationFlows } from '../oauth/authorization-flows.js';
import type { AuthorizationPrompt, DeviceCodePrompt, GrantContext } from '../oauth/context.js';
import { isInteractiveGrant, obtainToken, refreshAccessToken, resolveEndpoints, revokeToken } from '../oauth/index.js';
import type { CorePorts } from '../ports.js';
import { budgetStatus, checkBudget, requestsInWindow } from './budget.js';
import { HISTORY_LIMIT, type DiscoveredEndpoints, type StoredAccount, type VaultDocument } from './document.js';
import { isFresh, tokenStatus } from './freshness.js';
import { toPublicSettings } from './redact.js';
import type { AccountSummary, BudgetStatus, HistoryEntry, PublicAccountSettings } from './types.js';

/** What the service needs from the vault: the current document and locked read-modify-write. */
export interface DocumentStore {
  read(): VaultDocument;
  /** Re-reads from disk (another process may have written). */
  reload(): Promise<VaultDocument>;
  /** Under the cross-process lock: reload, apply, save. */
  update<R>(fn: (current: VaultDocument) => Promise<{ next: VaultDocument; result: R }>): Promise<R>;
}

export interface GetTokenOptions {
  /** Get a new token even if the cached one is valid (through the refresh token when there is one). */
  force?: boolean;
  signal?: AbortSignal;
  onAuthorizationPrompt?(prompt: AuthorizationPrompt): void;
  onDeviceCodePrompt?(prompt: DeviceCodePrompt): void;
  onProgress?(message: string): void;
  /** Budget and similar warnings, in plain words. */
  onWarning?(message: string): void;
}

export interface AccountServiceOptions {
  store: DocumentStore;
  ports: CorePorts;
  flows: AuthorizationFlows;
  /** A cached token is reused while at least this much of it remains. Default 30 s (SPEC 1). */
  minValiditySeconds?: number;
  timeoutMs?: number;
}

type Outcome = { tokens: TokenSet } | { error: unknown } | { needsInteraction: true };

export class AccountService {
  readonly #store: DocumentStore;
  readonly #ports: CorePorts;
  readonly #flows: AuthorizationFlows;
  readonly #minValidityMs: number;
  readonly #timeoutMs: number | undefined;
  readonly #inflight = new Map<string, Promise<TokenSet>>();
  readonly #listeners = new Set<() => void>();

  constructor(options: AccountServiceOptions) {
    this.#store = options.store;
    this.#ports = options.ports;
    this.#flows = options.flows;
    this.#minValidityMs = (options.minValiditySeconds ?? 30) * 1000;
    this.#timeoutMs = options.timeoutMs;
  }

  /** Called after every change of accounts or tokens (tray menu, renderer list). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async list(): Promise<AccountSummary[]> {
    const now = this.#ports.clock.now();
    return this.#store.read().accounts.map((account) => this.#summary(account, now));
  }

  /**
   * Re-reads the vault, which another process (the CLI) may have changed.
   * Cheap when nothing changed: the vault compares bytes before decrypting.
   */
  async reload(): Promise<void> {
    await this.#store.reload();
  }

  async getSettings(name: string): Promise<PublicAccountSettings> {
    return toPublicSettings(this.#find(this.#store.read(), name).settings);
  }

  /** Adds accounts, all or nothing. */
  async importAccounts(accounts: AccountSettings[]): Promise<void> {
    const seen = new Set<string>();
    for (const account of accounts) {
      validateAccount(account);
      if (seen.has(account.name)) throw duplicateName(account.name);
      seen.add(account.name);
    }
    await this.#mutate((doc) => {
      for (const account of accounts) if (findAccount(doc, account.name)) throw duplicateName(account.name);
      doc.accounts.push(...accounts.map((settings) => ({ settings: structuredClone(settings), history: [], requestTimes: [] })));
    });
  }

  /**
   * Changes settings. A secret field is replaced only when the patch gives a
   * non-empty value, so a form that never saw the secret cannot erase it.
   * Cached tokens are dropped when anything that identifies the grant changes.
   */
  async updateAccount(name: string, patch: Partial<AccountSettings>): Promise<void> {
    await this.#mutate((doc) => {
      const account = this.#find(doc, name);
      const next: AccountSettings = { ...account.settings };
      for (const [field, value] of Object.entries(patch) as [keyof AccountSettings, unknown][]) {
        if (field === 'name') continue;
        if (isSecretField(field) && (value === undefined || value === '' || value === null)) continue;
        (next as unknown as Record<string, unknown>)[field] = value;
      }
      validateAccount(next);
      if (grantIdentityChanged(account.settings, next)) delete account.tokens;
      account.settings = next;
    });
    if (patch.name !== undefined && patch.name !== name) await this.renameAccount(name, patch.name);
  }

  async renameAccount(oldName: string, newName: string): Promise<void> {
    const trimmed = newName.trim();
    if (!trimmed) throw new InputError('ERR_INPUT_FIELD', 'An account needs a name.', { field: 'name' });
    await this.#mutate((doc) => {
      const account = this.#find(doc, oldName);
      if (oldName !== trimmed && findAccount(doc, trimmed)) throw duplicateName(trimmed);
      account.settings = { ...account.settings, name: trimmed };
    });
  }

  async removeAccount(name: string): Promise<void> {
    await this.#mutate((doc) => {
      this.#find(doc, name);
      doc.accounts = doc.accounts.filter((account) => account.settings.name !== name);
    });
  }

  async history(name: string): Promise<HistoryEntry[]> {
    return [...this.#find(this.#store.read(), name).history];
  }

  async budget(name: string): Promise<BudgetStatus | undefined> {
    const account = this.#find(this.#store.read(), name);
    const budget = account.settings.requestBudget;
    return budget ? budgetStatus(account.requestTimes, budget, this.#ports.clock.now()) : undefined;
  }

  /** The cached token, if any, without any network request. */
  async cachedToken(name: string): Promise<TokenSet | undefined> {
    return this.#find(this.#store.read(), name).tokens;
  }

  /**
   * A token valid for at least `minValiditySeconds`: the cached one, else a
   * refreshed one, else a new grant (the password grant re-authenticates with
   * the stored password, as Vyopta requires).
   */
  getToken(name: string, options: GetTokenOptions = {}): Promise<TokenSet> {
    if (!options.force) {
      const cached = this.#freshCached(this.#store.read(), name);
      if (cached) return Promise.resolve(cached);
    }
    const pending = this.#inflight.get(name);
    if (pending) return pending;
    const request = this.#fetchToken(name, options).finally(() => this.#inflight.delete(name));
    this.#inflight.set(name, request);
    return request;
  }

  /** Completes a pending authorization-code flow from a `tokendesk://` URL or a pasted redirect URL. */
  completeAuthorization(callbackUrl: string): Promise<void> {
    return this.#flows.complete(callbackUrl);
  }

  cancelAuthorization(flowId: string): void {
    this.#flows.cancel(flowId);
  }

  /**
   * Revokes the account's tokens at the server when it has a revocation
   * endpoint, then forgets them locally either way the server answers "ok".
   */
  async revoke(name: string): Promise<{ revokedAtServer: boolean }> {
    const account = this.#find(this.#store.read(), name);
    const tokens = account.tokens;
    let revokedAtServer = false;
    const settings = withDiscovered(account);
    if (tokens && settings.revokeUrl && settings.grant !== 'static') {
      const ctx = this.#context({});
      const started = this.#ports.clock.now();
      try {
        // Revoking the refresh token first: RFC 7009 2.1 servers then drop the access tokens issued with it.
        if (tokens.refreshToken) await revokeToken(settings, tokens.refreshToken, 'refresh_token', ctx);
        await revokeToken(settings, tokens.accessToken, 'access_token', ctx);
        revokedAtServer = true;
        await this.#record(name, { request: 'revoke', outcome: 'ok', started });
      } catch (error) {
        await this.#record(name, { request: 'revoke', outcome: 'error', started, error });
        throw error;
      }
    }
    await this.#mutate((doc) => {
      const stored = this.#find(doc, name);
      delete stored.tokens;
    });
    return { revokedAtServer };
  }

  // ---- internals -------------------------------------------------------

  #freshCached(doc: VaultDocument, name: string): TokenSet | undefined {
    const account = this.#find(doc, name);
    const tokens = account.tokens;
    if (tokens && isFresh(tokens, this.#ports.clock.now(), this.#minValidityMs, account.settings.grant === 'static')) return tokens;
    return undefined;
  }

  async #fetchToken(name: string, options: GetTokenOptions): Promise<TokenSet> {
    const account = this.#find(this.#store.read(), name);
    if (isInteractiveGrant(account.settings.grant) && (!account.tokens?.refreshToken || account.settings.useRefreshToken === false)) {
      return this.#interactive(name, options);
    }
    const outcome = await this.#store.update(async (doc) => {
      const stored = this.#find(doc, name);
      // Another process may have fetched a token while we waited for the lock.
      if (!options.force) {
        const cached = this.#freshCached(doc, name);
        if (cached) return { next: doc, result: { tokens: cached } as Outcome };
      }
      const result = await this.#obtainUnderLock(stored, options);
      return { next: doc, result };
    });
    this.#emit();
    if ('tokens' in outcome) return outcome.tokens;
    if ('error' in outcome) throw outcome.error;
    return this.#interactive(name, options);
  }

  /** Refresh if possible, else the grant; records history and budget on `stored` (saved by the caller). */
  async #obtainUnderLock(stored: StoredAccount, options: GetTokenOptions): Promise<Outcome> {
    let settings = stored.settings;
    const ctx = this.#context(options, (method) => (stored.settings = { ...stored.settings, clientAuth: method }));
    const refreshToken = settings.useRefreshToken === false ? undefined : stored.tokens?.refreshToken;
    if (refreshToken && settings.grant !== 'static') {
      const outcome = await this.#networkRequest(stored, 'refresh_token', options, async () => {
        settings = await this.#endpoints(stored, ctx);
        return refreshAccessToken(settings, refreshToken, ctx);
      });
      if ('tokens' in outcome) return outcome;
      // A refused refresh token is dead: forget it and sign in again.
      if (!('error' in outcome) || !(outcome.error instanceof AuthServerError)) return outcome;
      delete stored.tokens;
      if (isInteractiveGrant(settings.grant)) return { needsInteraction: true };
      options.onProgress?.('The refresh token was refused; signing in again with the stored credentials.');
    }
    if (settings.grant === 'static') {
      return this.#settle(stored, 'static', this.#ports.clock.now(), () => obtainToken(settings, ctx, this.#flows));
    }
    return this.#networkRequest(stored, settings.grant, options, async () => {
      settings = await this.#endpoints(stored, ctx);
      return obtainToken(settings, ctx, this.#flows);
    });
  }

  /** A request that reaches the token endpoint: budget-checked and counted. */
  async #networkRequest(stored: StoredAccount, request: string, options: GetTokenOptions, run: () => Promise<TokenSet>): Promise<Outcome> {
    const now = this.#ports.clock.now();
    const budget = stored.settings.requestBudget;
    try {
      const warning = checkBudget(stored.settings.name, stored.requestTimes, budget, now);
      if (warning) options.onWarning?.(warning);
    } catch (error) {
      return { error };
    }
    stored.requestTimes = budget ? [...requestsInWindow(stored.requestTimes, budget, now), now] : [];
    return this.#settle(stored, request, now, run);
  }

  async #settle(stored: StoredAccount, request: string, started: number, run: () => Promise<TokenSet>): Promise<Outcome> {
    try {
      const tokens = await run();
      stored.tokens = tokens;
      delete stored.lastError;
      pushHistory(stored, { at: started, request, outcome: 'ok', durationMs: this.#ports.clock.now() - started });
      return { tokens };
    } catch (error) {
      const info = errorInfo(error);
      stored.lastError = { ...info, at: started };
      pushHistory(stored, { at: started, request, outcome: 'error', durationMs: this.#ports.clock.now() - started, errorCode: info.code, message: info.message });
      return { error };
    }
  }

  /**
   * Browser or device-code sign-in. It can take minutes, so it runs outside
   * the vault lock; the result is saved under the lock afterwards.
   */
  async #interactive(name: string, options: GetTokenOptions): Promise<TokenSet> {
    const account = this.#find(this.#store.read(), name);
    let learned: AccountSettings['clientAuth'] | undefined;
    const ctx = this.#context(options, (method) => (learned = method));
    const started = this.#ports.clock.now();
    const scratch: StoredAccount = structuredClone(account);
    const outcome = await this.#networkRequest(scratch, account.settings.grant, options, async () => {
      const settings = await this.#endpoints(scratch, ctx);
      return obtainToken(settings, ctx, this.#flows);
    });
    await this.#mutate((doc) => {
      const stored = this.#find(doc, name);
      stored.requestTimes = scratch.requestTimes;
      stored.history = [...stored.history, ...scratch.history.filter((entry) => entry.at >= started)].slice(-HISTORY_LIMIT);
      if (learned) stored.settings = { ...stored.settings, clientAuth: learned };
      if (scratch.discovered) stored.discovered = scratch.discovered;
      if ('tokens' in outcome) {
        stored.tokens = outcome.tokens;
        delete stored.lastError;
      } else if (scratch.lastError) stored.lastError = scratch.lastError;
    });
    if ('tokens' in outcome) return outcome.tokens;
    throw 'error' in outcome ? outcome.error : new Error('unreachable');
  }

  /**
   * The settings with every endpoint filled: configured values first, then
   * what discovery found for this issuer within the last day, else discovery
   * now (remembered on `stored`, which the caller saves).
   */
  async #endpoints(stored: StoredAccount, ctx: GrantContext): Promise<AccountSettings> {
    const settings = stored.settings;
    if (!settings.issuer) return settings;
    const now = this.#ports.clock.now();
    const cached = stored.discovered;
    if (cached && cached.issuer === settings.issuer && now - cached.at < DISCOVERY_REUSE_MS) return withDiscovered(stored);
    const resolved = await resolveEndpoints(settings, ctx);
    if (resolved !== settings) {
      const { tokenUrl, authorizeUrl, revokeUrl, deviceAuthorizationUrl } = resolved;
      stored.discovered = { issuer: settings.issuer, at: now, endpoints: { tokenUrl, authorizeUrl, revokeUrl, deviceAuthorizationUrl } };
    }
    return resolved;
  }

  #context(options: GetTokenOptions, onClientAuthLearned?: GrantContext['onClientAuthLearned']): GrantContext {
    return {
      ports: this.#ports,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.#timeoutMs !== undefined ? { timeoutMs: this.#timeoutMs } : {}),
      ...(onClientAuthLearned ? { onClientAuthLearned } : {}),
      ...(options.onAuthorizationPrompt ? { onAuthorizationPrompt: options.onAuthorizationPrompt } : {}),
      ...(options.onDeviceCodePrompt ? { onDeviceCodePrompt: options.onDeviceCodePrompt } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    };
  }

  async #record(name: string, entry: { request: string; outcome: 'ok' | 'error'; started: number; error?: unknown }): Promise<void> {
    await this.#mutate((doc) => {
      const stored = this.#find(doc, name);
      const info = entry.error === undefined ? undefined : errorInfo(entry.error);
      pushHistory(stored, {
        at: entry.started,
        request: entry.request,
        outcome: entry.outcome,
        durationMs: this.#ports.clock.now() - entry.started,
        ...(info ? { errorCode: info.code, message: info.message } : {}),
      });
    });
  }

  async #mutate(change: (doc: VaultDocument) => void): Promise<void> {
    await this.#store.update(async (doc) => {
      change(doc);
      return { next: doc, result: undefined };
    });
    this.#emit();
  }

  #find(doc: VaultDocument, name: string): StoredAccount {
    const account = findAccount(doc, name);
    if (!account) {
      const names = doc.accounts.map((entry) => `"${entry.settings.name}"`).join(', ');
      throw new InputError('ERR_INPUT_UNKNOWN', `There is no account named "${name}".${names ? ` The accounts are: ${names}.` : ' The vault has no accounts yet.'}`);
    }
    return account;
  }

  #summary(account: StoredAccount, now: number): AccountSummary {
    return {
      name: account.settings.name,
      ...(account.settings.preset ? { preset: account.settings.preset } : {}),
      grant: account.settings.grant,
      status: tokenStatus(account.tokens, now, this.#minValidityMs),
      ...(account.tokens?.expiresAt !== undefined ? { expiresAt: account.tokens.expiresAt } : {}),
      hasRefreshToken: Boolean(account.tokens?.refreshToken),
      ...(account.lastError ? { lastError: account.lastError } : {}),
    };
  }

  #emit(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // A broken listener (a closed window) must not break token delivery.
      }
    }
  }
}

/**
 * Discovery metadata rarely changes; a day keeps requests down (one token
 * request instead of two) while an endpoint move is still picked up.
 */
const DISCOVERY_REUSE_MS = 24 * 3600_000;

/** The account's settings, missing endpoints filled from its remembered discovery. */
function withDiscovered(stored: StoredAccount): AccountSettings {
  const { settings, discovered } = stored;
  if (!discovered || discovered.issuer !== settings.issuer) return settings;
  const filled: AccountSettings = { ...settings };
  for (const [field, value] of Object.entries(discovered.endpoints) as [keyof DiscoveredEndpoints['endpoints'], string | undefined][]) {
    if (filled[field] === undefined && value !== undefined) filled[field] = value;
  }
  return filled;
}

function findAccount(doc: VaultDocument, name: string): StoredAccount | undefined {
  return doc.accounts.find((account) => account.settings.name === name);
}

function duplicateName(name: string): InputError {
  return new InputError('ERR_INPUT_DUPLICATE', `An account named "${name}" already exists. Choose another name or remove the old account first.`, { field: 'name' });
}

function pushHistory(stored: StoredAccount, entry: HistoryEntry): void {
  stored.history = [...stored.history, entry].slice(-HISTORY_LIMIT);
}

function errorInfo(error: unknown): { code: string; message: string } {
  if (isTokenDeskError(error)) return { code: error.code, message: error.message };
  // Unknown errors may carry anything (even a secret echoed by a library): keep only a generic text.
  return { code: 'ERR_INTERNAL', message: 'An unexpected error happened.' };
}

const SECRET_SETTING_FIELDS = new Set<string>(['clientSecret', 'password', 'accessToken', 'key']);
function isSecretField(field: string): boolean {
  return SECRET_SETTING_FIELDS.has(field);
}

const GRANT_IDENTITY_FIELDS: (keyof AccountSettings)[] = [
  'grant', 'tokenUrl', 'authorizeUrl', 'issuer', 'clientId', 'clientSecret', 'clientAuth', 'username', 'password', 'scopes', 'key', 'accessToken', 'redirectUri',
];
function grantIdentityChanged(before: AccountSettings, after: AccountSettings): boolean {
  return GRANT_IDENTITY_FIELDS.some((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
}
