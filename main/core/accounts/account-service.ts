/**
 * The account service: the one place that decides whether to hand out the
 * cached token, refresh it, or run the grant again (Bruno copies that decision
 * into every grant; we keep it here, parameterised by grant).
 *
 * Rules it enforces (SPEC 2, 3, 4):
 * - a cached token is returned while at least `minValiditySeconds` remain
 *   (myfiber: "You may not get a new token if the old one is still valid");
 * - concurrent calls for one account share one request (single flight); across
 *   processes a per-account request marker makes a second process wait for the
 *   first one's request and reuse its token;
 * - no network request runs while the cross-process vault lock is held: a
 *   request works on a snapshot of its account, and what it produced is merged
 *   into the vault afterwards under a short lock (request-result.ts), so a
 *   stalled vendor never blocks another account or another process;
 * - a rotated refresh token is saved before the new access token is returned;
 *   when the save fails (a full disk), the token is still returned with a
 *   warning and kept in memory until a later save succeeds (unsaved-results.ts);
 * - every request that reaches a token endpoint counts against the account's
 *   request budget (retries included) and is written to its history (never
 *   with a secret);
 * - a settings change that would send stored secrets somewhere new drops them
 *   (shared/secret-exposure.ts).
 */
import { SECRET_FIELDS, type AccountSettings, type TokenSet } from '../../../shared/account.js';
import { presetChange } from '../../../shared/preset-change.js';
import { describeDrop, droppedSecrets, exposureChanges, type SecretName } from '../../../shared/secret-exposure.js';
import type { TokenDeskError} from '../errors.js';
import { AuthServerError, CancelledError, InputError, isTokenDeskError, VaultError } from '../errors.js';
import { accountProblems, validateAccount } from '../import/index.js';
import type { AuthorizationFlows } from '../oauth/authorization-flows.js';
import type { AuthorizationPrompt, DeviceCodePrompt, GrantContext } from '../oauth/context.js';
import { isInteractiveGrant, obtainToken, refreshAccessToken, resolveEndpoints, revokeToken } from '../oauth/index.js';
import { withoutTargetExtras } from '../oauth/protocol-params.js';
import { basicCredentialSecrets, redactSecrets } from '../oauth/redaction.js';
import { isRepresentableTime } from '../oauth/token-response.js';
import type { CorePorts } from '../ports.js';
import { budgetStatus, checkBudget } from './budget.js';
import { mergeBackup, type BackupAccount, type RestoreResult } from '../backup/backup-content.js';
import { HISTORY_LIMIT, type DiscoveredEndpoints, type StoredAccount, type VaultDocument } from './document.js';
import { isFresh, tokenStatus } from './freshness.js';
import { clientCertificateSecrets } from '../net/client-certificate.js';
import { portsForAccount } from '../net/account-transport.js';
import { toPublicSettings } from './redact.js';
import { applyRequestResult, emptyResult, grantIdentityChanged, type RequestResult } from './request-result.js';
import type { AccountSummary, BudgetStatus, HandOutCaller, HistoryEntry, PublicAccountSettings } from './types.js';
import { UnsavedResults } from './unsaved-results.js';

/** What the service needs from the vault: the current document, short locked read-modify-write, and per-account request markers. */
export interface DocumentStore {
  read(): VaultDocument;
  /** Re-reads from disk (another process may have written). */
  reload(): Promise<VaultDocument>;
  /**
   * Under the cross-process vault lock: reload, apply, save. `fn` is
   * synchronous on purpose: nothing slow (no network) can run under the lock.
   */
  update<R>(fn: (current: VaultDocument) => { next: VaultDocument; result: R }, options?: { cancellable?: boolean }): Promise<R>;
  /**
   * Runs `fn` holding the request marker of `key` (an account name): across
   * processes, one token request per account at a time, while the vault lock
   * and every other account stay free.
   */
  exclusive<R>(key: string, fn: () => Promise<R>, signal?: AbortSignal): Promise<R>;
}

export interface GetTokenOptions {
  /** Get a new token even if the cached one is valid (through the refresh token when there is one). */
  force?: boolean;
  /**
   * This call's minimum validity in seconds, instead of the service's default
   * (`minValiditySeconds`, 30 s): a cached token is handed out only while at
   * least that much of it remains, in every check of the call, including the
   * reuse of a token another process just saved (oidc-agent's `--time`).
   */
  minValiditySeconds?: number;
  signal?: AbortSignal;
  onAuthorizationPrompt?(prompt: AuthorizationPrompt): void;
  onDeviceCodePrompt?(prompt: DeviceCodePrompt): void;
  onProgress?(message: string): void;
  /** Budget and similar warnings, in plain words. */
  onWarning?(message: string): void;
  /**
   * The token was obtained but the vault could not save it (`error` says why,
   * in plain words). Without this callback, `onWarning` gets a sentence.
   */
  onSaveFailed?(error: TokenDeskError): void;
  /**
   * false: when only a browser sign-in can give a token, fail with
   * ERR_AGENT_SIGN_IN instead of starting one (a program asked the agent:
   * nobody may be there to sign in).
   */
  signIn?: boolean;
}

/** One or more tokens the agent handed to one program (history, SPEC 6 "every hand-out is in the history"). */
export interface HandOut {
  name: string;
  /** Epoch ms of the first of them. */
  at: number;
  caller: HandOutCaller;
  count: number;
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
  readonly #unsaved = new UnsavedResults();

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
   * Also the next chance to save what a failed save kept in memory.
   */
  async reload(): Promise<void> {
    await this.#store.reload();
    await this.saveUnsaved();
  }

  /** True while obtained tokens wait in memory for a save that failed (a full disk). */
  hasUnsaved(): boolean {
    return this.#unsaved.size > 0;
  }

  /** Tries again to save what a failed save kept in memory; false when it still fails. */
  async saveUnsaved(): Promise<boolean> {
    if (this.#unsaved.size === 0) return true;
    try {
      await this.#mutate(() => undefined);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The ports for a request of this account outside the token endpoint (the
   * Test API call, `tokendesk request`): its client certificate, if it has
   * one, is presented there too. Throws ERR_CLIENT_CERTIFICATE_UNSUPPORTED on
   * a host that cannot present one.
   */
  portsFor(name: string): CorePorts {
    return portsForAccount(this.#ports, this.#find(this.#store.read(), name).settings);
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
   * Cached tokens are dropped when anything that identifies the grant
   * changes. When the change would send stored secrets somewhere new (another
   * origin, a more exposed client authentication), the stored secrets and
   * tokens are dropped unless the patch supplies them again (SPEC 3);
   * `dropped` names them, and when the account cannot work without them the
   * change is refused with a message saying what to paste again.
   *
   * A `preset` key in the patch changes the provider (undefined: Custom): the
   * new preset's defaults for what presets own are applied first
   * (shared/preset-change.ts), the patch's own fields over them. A key present
   * with the value undefined removes an optional setting (`requestBudget`).
   * Choosing the client authentication or the provider ends the automatic
   * client authentication (`clientAuthAuto`).
   */
  async updateAccount(name: string, patch: Partial<AccountSettings>): Promise<{ dropped: SecretName[] }> {
    let dropped: SecretName[] = [];
    await this.#mutate((doc) => {
      const account = this.#find(doc, name);
      const next: AccountSettings = { ...account.settings };
      const supplied: Partial<Record<SecretName, boolean>> = {};
      const expanded = withPresetDefaults(account.settings, patch);
      if ('clientAuth' in patch || 'preset' in patch) delete next.clientAuthAuto;
      for (const [field, value] of Object.entries(expanded) as [keyof AccountSettings, unknown][]) {
        if (field === 'name') continue;
        if (isSecretField(field)) {
          if (value === undefined || value === '' || value === null) continue;
          if (field !== 'clientCertificate') supplied[field] = true;
        }
        if (value === undefined) delete next[field];
        else (next as unknown as Record<string, unknown>)[field] = value;
      }
      // Setting resource or audience in the window takes over an extra of that name
      // (all the form can show of it is the setting), instead of a refusal it cannot fix.
      const takenOver = (['resource', 'audience'] as const).filter((field) => patch[field] !== undefined);
      if (takenOver.length > 0) next.extra = withoutTargetExtras(next.extra, takenOver);
      const changes = exposureChanges(withDiscovered(account), next);
      if (changes.length > 0) {
        const stored = account.settings;
        dropped = droppedSecrets(
          { clientSecret: Boolean(stored.clientSecret), password: Boolean(stored.password), key: Boolean(stored.key), accessToken: Boolean(stored.accessToken), tokens: Boolean(account.tokens) },
          supplied,
        );
        for (const secret of dropped) if (secret !== 'tokens') delete next[secret];
        delete account.tokens;
        delete account.discovered;
        const missing = accountProblems(next).find((problem) => problem.code === 'ERR_INPUT_MISSING');
        const explanation = describeDrop(changes, dropped);
        if (missing && explanation) throw new InputError('ERR_INPUT_MISSING', explanation, { field: missing.key });
      }
      validateAccount(next);
      if (grantIdentityChanged(account.settings, next)) {
        delete account.tokens;
        // The last failure was about the settings that just changed: it must not stay on screen as if it still applied.
        delete account.lastError;
      }
      account.settings = next;
    });
    if (patch.name !== undefined && patch.name !== name) await this.renameAccount(name, patch.name);
    return { dropped };
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

  /** Writes hand-outs into the accounts' history, in one save; accounts removed meanwhile are skipped. */
  async recordHandOuts(handOuts: readonly HandOut[]): Promise<void> {
    if (handOuts.length === 0) return;
    await this.#mutate((doc) => {
      for (const handOut of handOuts) {
        const account = findAccount(doc, handOut.name);
        if (!account) continue;
        const entry: HistoryEntry = { at: handOut.at, request: 'hand-out', outcome: 'ok', durationMs: 0, caller: { ...handOut.caller } };
        if (handOut.count > 1) entry.count = handOut.count;
        account.history = [...account.history, entry].slice(-HISTORY_LIMIT);
      }
    });
  }

  async budget(name: string): Promise<BudgetStatus | undefined> {
    const account = this.#find(this.#store.read(), name);
    const budget = account.settings.requestBudget;
    return budget ? budgetStatus(account.requestTimes, budget, this.#ports.clock.now()) : undefined;
  }

  /** The cached token, if any, without any network request. */
  async cachedToken(name: string): Promise<TokenSet | undefined> {
    const account = this.#find(this.#store.read(), name);
    return this.#unsaved.tokens(name) ?? account.tokens;
  }

  /**
   * A token valid for at least `minValiditySeconds`: the cached one, else a
   * refreshed one, else a new grant (the password grant re-authenticates with
   * the stored password, as Vyopta requires).
   */
  getToken(name: string, options: GetTokenOptions = {}): Promise<TokenSet> {
    let minValidityMs: number;
    try {
      minValidityMs = this.#minValidityFor(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!options.force) {
      const cached = this.#freshCached(this.#store.read(), name, minValidityMs);
      if (cached) return Promise.resolve(cached);
    }
    const askedAt = this.#ports.clock.now();
    const pending = this.#inflight.get(name);
    if (!pending) return this.#startFetch(name, options);
    // The request under way may hand out a token another caller found good
    // enough (a shorter minimum validity): one this call would not accept is
    // fetched again, unless it was obtained for this call's sake (after it asked).
    return pending.then((tokens) =>
      options.force || tokens.obtainedAt >= askedAt || this.#isFreshEnough(tokens, name, minValidityMs) ? tokens : this.#startFetch(name, options),
    );
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
   * Cancelled through `signal` (the window's Cancel), it forgets nothing.
   */
  async revoke(name: string, options: { signal?: AbortSignal } = {}): Promise<{ revokedAtServer: boolean }> {
    const account = this.#find(this.#store.read(), name);
    const tokens = this.#unsaved.tokens(name) ?? account.tokens;
    let revokedAtServer = false;
    const settings = withDiscovered(account);
    if (tokens && settings.revokeUrl && settings.grant !== 'static') {
      const result = emptyResult();
      const ctx = this.#context(options.signal ? { signal: options.signal } : {}, account, result);
      const started = this.#ports.clock.now();
      try {
        // Revoking the refresh token first: RFC 7009 2.1 servers then drop the access tokens issued with it.
        if (tokens.refreshToken) await revokeToken(settings, tokens.refreshToken, 'refresh_token', ctx);
        await revokeToken(settings, tokens.accessToken, 'access_token', ctx);
        revokedAtServer = true;
        result.history.push(this.#entry('revoke', started));
      } catch (error) {
        result.history.push(this.#entry('revoke', started, errorInfo(error, secretsOf(account))));
        await this.#mutate((doc) => applyRequestResult(doc, name, account.settings, result));
        throw error;
      }
      await this.#mutate((doc) => applyRequestResult(doc, name, account.settings, result));
    }
    await this.#mutate((doc) => {
      const stored = this.#find(doc, name);
      delete stored.tokens;
    });
    return { revokedAtServer };
  }

  /**
   * Every account as stored, secrets included (what a failed save kept in
   * memory applied), for an encrypted backup (main/core/backup). Never for
   * the renderer: it holds every secret.
   */
  exportAccounts(): StoredAccount[] {
    return this.#store.read().accounts.map((account) => {
      const copy = structuredClone(account);
      const unsaved = this.#unsaved.tokens(account.settings.name);
      if (unsaved) copy.tokens = structuredClone(unsaved);
      return copy;
    });
  }

  /**
   * Puts a backup's accounts into the vault in one save, all or nothing:
   * new names are added; a name the vault has is replaced when `replace`,
   * else skipped. Every account is validated first, so an invalid one
   * changes nothing.
   */
  async restoreAccounts(accounts: readonly BackupAccount[], replace: boolean): Promise<RestoreResult> {
    for (const account of accounts) {
      try {
        validateAccount(account.settings);
      } catch (error) {
        const why = isTokenDeskError(error) ? error.message : 'its settings are not valid';
        throw new InputError('ERR_INPUT_FIELD', `The account "${account.settings.name}" in the backup cannot be restored: ${why} Nothing was changed.`);
      }
    }
    const capped = accounts.map((account) => ({ ...account, history: account.history.slice(-HISTORY_LIMIT) }));
    let result: RestoreResult = { added: [], replaced: [], skipped: [] };
    await this.#mutate((doc) => {
      result = mergeBackup(doc, capped, replace);
    });
    return result;
  }

  // ---- internals -------------------------------------------------------

  /** The minimum validity of one call: its own, else the service's default. */
  #minValidityFor(options: GetTokenOptions): number {
    const seconds = options.minValiditySeconds;
    if (seconds === undefined) return this.#minValidityMs;
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new InputError('ERR_INPUT_FIELD', `A minimum validity must be a number of seconds of 0 or more, not ${String(seconds)}.`, { field: 'minValiditySeconds' });
    }
    return seconds * 1000;
  }

  /** One single-flight request for `name`: later callers join it until it settles. */
  #startFetch(name: string, options: GetTokenOptions): Promise<TokenSet> {
    const request = this.#fetchToken(name, options).finally(() => {
      if (this.#inflight.get(name) === request) this.#inflight.delete(name);
    });
    if (!this.#inflight.has(name)) this.#inflight.set(name, request);
    return request;
  }

  /** The cached token when it is fresh: what a failed save kept in memory first, it is newer. */
  #freshCached(doc: VaultDocument, name: string, minValidityMs: number): TokenSet | undefined {
    const account = this.#find(doc, name);
    const tokens = this.#unsaved.tokens(name) ?? account.tokens;
    if (tokens && isFresh(tokens, this.#ports.clock.now(), minValidityMs, account.settings.grant === 'static')) return tokens;
    return undefined;
  }

  #isFreshEnough(tokens: TokenSet, name: string, minValidityMs: number): boolean {
    const account = findAccount(this.#store.read(), name);
    return isFresh(tokens, this.#ports.clock.now(), minValidityMs, account?.settings.grant === 'static');
  }

  /**
   * A token another request already produced: a fresh one, or with `force` a
   * fresh one obtained after this call was made (another process was asked
   * for a new one at the same moment: asking the provider twice helps nobody).
   */
  #reusable(name: string, options: GetTokenOptions, askedAt: number): TokenSet | undefined {
    const fresh = this.#freshCached(this.#store.read(), name, this.#minValidityFor(options));
    if (!fresh) return undefined;
    return !options.force || fresh.obtainedAt > askedAt ? fresh : undefined;
  }

  async #fetchToken(name: string, options: GetTokenOptions): Promise<TokenSet> {
    const askedAt = this.#ports.clock.now();
    // Another process may have fetched a token since this one last looked.
    await this.reload();
    const reused = this.#reusable(name, options, askedAt);
    if (reused) return reused;
    const account = this.#find(this.#store.read(), name);
    if (needsSignIn(account)) return this.#interactive(name, options);
    // Nothing to fetch for a static token, so no marker either.
    const outcome =
      account.settings.grant === 'static'
        ? await this.#request(name, options)
        : await this.#store.exclusive(
            name,
            async (): Promise<Outcome> => {
              // The marker's previous holder may have just saved a token we can use.
              await this.#store.reload();
              const again = this.#reusable(name, options, askedAt);
              return again ? { tokens: again } : this.#request(name, options);
            },
            options.signal,
          );
    if ('tokens' in outcome) return outcome.tokens;
    if ('error' in outcome) throw outcome.error;
    // The refresh token was refused: the user signs in again, outside the marker (it can take minutes).
    return this.#interactive(name, options);
  }

  /** Refresh or grant on a snapshot of the account, then the merge under a short vault lock. */
  async #request(name: string, options: GetTokenOptions): Promise<Outcome> {
    const snapshot = this.#snapshot(name);
    const result = emptyResult();
    const outcome = await this.#obtain(snapshot, result, options);
    await this.#commit(name, snapshot, result, options);
    return outcome;
  }

  /** Refresh if possible, else the grant; everything it learns goes to `result`. */
  async #obtain(snapshot: StoredAccount, result: RequestResult, options: GetTokenOptions): Promise<Outcome> {
    let settings = snapshot.settings;
    const ctx = this.#context(options, snapshot, result);
    const refreshToken = settings.useRefreshToken === false ? undefined : snapshot.tokens?.refreshToken;
    if (refreshToken && settings.grant !== 'static') {
      const outcome = await this.#attempt(snapshot, result, 'refresh_token', options, async () => {
        settings = await this.#endpoints(snapshot, result, ctx);
        return refreshAccessToken(settings, refreshToken, ctx);
      });
      if ('tokens' in outcome) return outcome;
      // A refused refresh token is dead: forget it and sign in again.
      if (!('error' in outcome) || !(outcome.error instanceof AuthServerError)) return outcome;
      result.dropTokens = true;
      if (isInteractiveGrant(settings.grant)) return { needsInteraction: true };
      options.onProgress?.('The refresh token was refused; signing in again with the stored credentials.');
    }
    return this.#attempt(snapshot, result, settings.grant, options, async () => {
      settings = await this.#endpoints(snapshot, result, ctx);
      return obtainToken(settings, ctx, this.#flows);
    });
  }

  /**
   * One grant or refresh: budget-checked before anything is sent, recorded in
   * the history. A cancellation before any request reached the server leaves
   * no trace (the user pressed Ctrl+C while waiting for another process).
   */
  async #attempt(snapshot: StoredAccount, result: RequestResult, request: string, options: GetTokenOptions, run: () => Promise<TokenSet>): Promise<Outcome> {
    const started = this.#ports.clock.now();
    if (request !== 'static') {
      try {
        const warning = checkBudget(snapshot.settings.name, [...snapshot.requestTimes, ...result.requestTimes], snapshot.settings.requestBudget, started);
        if (warning) options.onWarning?.(warning);
      } catch (error) {
        return { error };
      }
    }
    const sentBefore = result.requestsSent;
    try {
      const tokens = await run();
      result.tokens = tokens;
      result.lastError = null;
      result.history.push(this.#entry(request, started));
      return { tokens };
    } catch (error) {
      if (error instanceof CancelledError) {
        // The user stopped it: nothing is wrong with the account, so no lastError. A request
        // that already reached the server stays in the history (it counted against the budget).
        if (result.requestsSent !== sentBefore) result.history.push(this.#entry(request, started, { code: error.code, message: error.message }));
        return { error };
      }
      const info = errorInfo(error, secretsOf(snapshot));
      result.lastError = { ...info, at: started };
      result.history.push(this.#entry(request, started, info));
      return { error };
    }
  }

  /**
   * Browser or device-code sign-in. It can take minutes, so it holds neither
   * the vault lock nor the request marker; the result is merged afterwards.
   */
  async #interactive(name: string, options: GetTokenOptions): Promise<TokenSet> {
    if (options.signIn === false) {
      throw new InputError(
        'ERR_AGENT_SIGN_IN',
        `"${name}" needs a sign-in in the browser, which a request through the agent does not start. Sign in once with Refresh in the TokenDesk window, or with: tokendesk token ${name} --no-agent`,
      );
    }
    const snapshot = this.#snapshot(name);
    const result = emptyResult();
    const ctx = this.#context(options, snapshot, result);
    const outcome = await this.#attempt(snapshot, result, snapshot.settings.grant, options, async () => {
      const settings = await this.#endpoints(snapshot, result, ctx);
      return obtainToken(settings, ctx, this.#flows);
    });
    await this.#commit(name, snapshot, result, options);
    if ('tokens' in outcome) return outcome.tokens;
    throw 'error' in outcome ? outcome.error : new Error('unreachable');
  }

  /** A private copy of the account as the vault (or a failed save's memory) has it now. */
  #snapshot(name: string): StoredAccount {
    const snapshot = structuredClone(this.#find(this.#store.read(), name));
    const unsaved = this.#unsaved.tokens(name);
    if (unsaved) snapshot.tokens = structuredClone(unsaved);
    return snapshot;
  }

  /**
   * Merges a request's result into the vault. When the save fails, the
   * result stays in memory (saved with the next successful write) and the
   * token is still handed out, with a warning: the provider has already
   * issued it, and a rotated refresh token would otherwise be lost for good.
   */
  async #commit(name: string, snapshot: StoredAccount, result: RequestResult, options: GetTokenOptions): Promise<void> {
    if (isEmptyResult(result)) return;
    try {
      // Once the provider answered, saving its answer wins over a Ctrl+C: the wait for the lock is short and bounded.
      await this.#mutate((doc) => applyRequestResult(doc, name, snapshot.settings, result), { cancellable: false });
    } catch (error) {
      if (!result.tokens && !(error instanceof VaultError)) throw error;
      this.#unsaved.add(name, snapshot.settings, result);
      this.#emit();
      if (!result.tokens) return;
      const failure = isTokenDeskError(error) ? error : new VaultError('ERR_VAULT_DAMAGED', 'The vault could not be saved.');
      if (options.onSaveFailed) options.onSaveFailed(failure);
      else options.onWarning?.(`The new token for "${name}" could not be saved: ${failure.message} TokenDesk keeps it in memory and saves it as soon as it can.`);
    }
  }

  /**
   * The settings with every endpoint filled: configured values first, then
   * what discovery found for this issuer within the last day, else discovery
   * now (remembered in `result`).
   */
  async #endpoints(snapshot: StoredAccount, result: RequestResult, ctx: GrantContext): Promise<AccountSettings> {
    const settings = snapshot.settings;
    if (!settings.issuer) return settings;
    const now = this.#ports.clock.now();
    const cached = result.discovered ?? snapshot.discovered;
    if (cached && cached.issuer === settings.issuer && now - cached.at < DISCOVERY_REUSE_MS) return withDiscovered({ ...snapshot, discovered: cached });
    const resolved = await resolveEndpoints(settings, ctx);
    if (resolved !== settings) {
      const { tokenUrl, authorizeUrl, revokeUrl, deviceAuthorizationUrl, issuerMetadata } = resolved;
      result.discovered = { issuer: settings.issuer, at: now, endpoints: { tokenUrl, authorizeUrl, revokeUrl, deviceAuthorizationUrl, issuerMetadata } };
    }
    return resolved;
  }

  #context(options: GetTokenOptions, snapshot: StoredAccount, result: RequestResult): GrantContext {
    const { name, requestBudget } = snapshot.settings;
    return {
      // Token, refresh, revoke, device, the code exchange and discovery all fetch through these ports: an account's client certificate is presented on each.
      ports: portsForAccount(this.#ports, snapshot.settings),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.#timeoutMs !== undefined ? { timeoutMs: this.#timeoutMs } : {}),
      knownSecrets: tokenSecrets(snapshot.tokens),
      onClientAuthLearned: (method) => (result.learnedClientAuth = method),
      // Myfox counts requests, not intentions: every one that reaches the server counts, retries included.
      onRequestSent: () => {
        const now = this.#ports.clock.now();
        if (requestBudget) {
          checkBudget(name, [...snapshot.requestTimes, ...result.requestTimes], requestBudget, now);
          result.requestTimes.push(now);
        }
        result.requestsSent++;
      },
      ...(options.onAuthorizationPrompt ? { onAuthorizationPrompt: options.onAuthorizationPrompt } : {}),
      ...(options.onDeviceCodePrompt ? { onDeviceCodePrompt: options.onDeviceCodePrompt } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    };
  }

  #entry(request: string, started: number, failure?: { code: string; message: string }): HistoryEntry {
    return {
      at: started,
      request,
      outcome: failure ? 'error' : 'ok',
      durationMs: this.#ports.clock.now() - started,
      ...(failure ? { errorCode: failure.code, message: failure.message } : {}),
    };
  }

  /**
   * Every write goes through here: what a failed save kept in memory is
   * applied first, so the next successful save carries it too.
   */
  async #mutate(change: (doc: VaultDocument) => void, options: { cancellable?: boolean } = {}): Promise<void> {
    let applied = 0;
    await this.#store.update((doc) => {
      applied = this.#unsaved.size;
      this.#unsaved.applyTo(doc);
      change(doc);
      return { next: doc, result: undefined };
    }, options);
    this.#unsaved.saved(applied);
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

  /** One account's line; a stored value out of range must not break the whole list. */
  #summary(account: StoredAccount, now: number): AccountSummary {
    const stored = this.#unsaved.tokens(account.settings.name) ?? account.tokens;
    // An expiry no date can hold is as good as none: "unknown", never a crash in whoever formats it.
    const expiresAt = stored?.expiresAt !== undefined && isRepresentableTime(stored.expiresAt) ? stored.expiresAt : undefined;
    const tokens = stored && stored.expiresAt !== expiresAt ? { ...stored, expiresAt } : stored;
    return {
      name: account.settings.name,
      ...(account.settings.preset ? { preset: account.settings.preset } : {}),
      grant: account.settings.grant,
      status: tokenStatus(tokens, now, this.#minValidityMs),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
      hasRefreshToken: Boolean(tokens?.refreshToken),
      ...(account.lastError ? { lastError: account.lastError } : {}),
      ...(account.settings.clientCertificate ? { clientCertificateExpiresAt: account.settings.clientCertificate.info.notAfter } : {}),
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
  const { issuerMetadata, ...endpoints } = discovered.endpoints;
  for (const [field, value] of Object.entries(endpoints) as [Exclude<keyof DiscoveredEndpoints['endpoints'], 'issuerMetadata'>, string | undefined][]) {
    if (filled[field] === undefined && value !== undefined) filled[field] = value;
  }
  // The RFC 9207 facts of the issuer travel with its endpoints (authorization-flows checks `iss` with them).
  if (filled.issuerMetadata === undefined && issuerMetadata !== undefined) filled.issuerMetadata = issuerMetadata;
  return filled;
}

/** The patch with a change of provider spelled out: the new preset's defaults first, the patch's own fields over them. */
function withPresetDefaults(current: AccountSettings, patch: Partial<AccountSettings>): Partial<AccountSettings> {
  if (!('preset' in patch) || patch.preset === current.preset) return patch;
  const change = presetChange(
    { grant: patch.grant ?? current.grant, tokenUrl: patch.tokenUrl ?? current.tokenUrl, clientId: patch.clientId ?? current.clientId, scopes: patch.scopes ?? current.scopes },
    patch.preset ?? '',
  );
  if (!change.ok) throw new InputError('ERR_INPUT_FIELD', change.problem);
  return { ...change.settings, ...patch };
}

function findAccount(doc: VaultDocument, name: string): StoredAccount | undefined {
  return doc.accounts.find((account) => account.settings.name === name);
}

function duplicateName(name: string): InputError {
  return new InputError('ERR_INPUT_DUPLICATE', `An account named "${name}" already exists. Choose another name or remove the old account first.`, { field: 'name' });
}

/** Interactive grants without a usable refresh token need the user. */
function needsSignIn(account: StoredAccount): boolean {
  return isInteractiveGrant(account.settings.grant) && (!account.tokens?.refreshToken || account.settings.useRefreshToken === false);
}

function isEmptyResult(result: RequestResult): boolean {
  return (
    result.history.length === 0 && result.requestTimes.length === 0 && !result.tokens && !result.dropTokens &&
    !result.learnedClientAuth && !result.discovered && result.lastError === undefined
  );
}

function tokenSecrets(tokens: TokenSet | undefined): string[] {
  return tokens ? [tokens.accessToken, tokens.refreshToken, tokens.idToken].filter((value): value is string => Boolean(value)) : [];
}

function secretsOf(account: StoredAccount): string[] {
  const { clientId, clientSecret, password, accessToken, key, clientCertificate } = account.settings;
  const basic = clientId && clientSecret ? basicCredentialSecrets(clientId, clientSecret) : [];
  return [clientSecret, password, accessToken, key?.key, ...clientCertificateSecrets(clientCertificate), ...basic, ...tokenSecrets(account.tokens)].filter(
    (value): value is string => Boolean(value),
  );
}

/**
 * What the history and `lastError` keep: the stable code and the message,
 * which the errors build from sanitised server text; any known secret that
 * still shows is removed once more (defence in depth: this text is stored and
 * crosses to the renderer).
 */
function errorInfo(error: unknown, secrets: readonly string[]): { code: string; message: string } {
  if (isTokenDeskError(error)) return { code: error.code, message: redactSecrets(error.message, secrets) };
  // Unknown errors may carry anything (even a secret echoed by a library): keep only a generic text.
  return { code: 'ERR_INTERNAL', message: 'An unexpected error happened.' };
}


const SECRET_SETTING_FIELDS = new Set<string>(SECRET_FIELDS);
function isSecretField(field: string): field is (typeof SECRET_FIELDS)[number] {
  return SECRET_SETTING_FIELDS.has(field);
}
