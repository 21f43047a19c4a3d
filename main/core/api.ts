/**
 * The IPC handler table: one function per channel of shared/ipc.ts, over the
 * vault session and the account service. The Electron shell wires it to
 * `ipcMain.handle`, the browser test harness to HTTP; both get the same
 * validation, error mapping and secret discipline from here.
 *
 * Every handler validates its request against the contract, catches every
 * error and answers `{ ok: false, error }`: a TokenDeskError keeps its kind,
 * code and (secret-free) message; anything else becomes a generic internal
 * error, because a raw message may contain anything.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { AccountSettings, TokenSet } from '../../shared/account.js';
import type {
  AccountPatch,
  AppEvent,
  AppSettings,
  ImportProblem,
  IpcChannel,
  IpcError,
  IpcHandlers,
  IpcRequest,
  IpcResponse,
  IpcResult,
  PublicAccount,
  TokenInspection,
} from '../../shared/ipc.js';
import { parseIpcRequest } from '../../shared/ipc.js';
import type { ClipboardGuard } from './clipboard-guard.js';
import { AuthServerError, InputError, TokenDeskError, TransportError } from './errors.js';
import type { AuthorizationPrompt, DeviceCodePrompt } from './oauth/context.js';
import type { CorePorts } from './ports.js';
import { importCredentials, previewImport } from './import/index.js';
import { discoverEndpoints } from './oauth/discovery.js';
import { toPublicSettings } from './accounts/redact.js';
import type { AccountSummary, BudgetStatus, HistoryEntry, PublicAccountSettings } from './accounts/types.js';

/** What the handlers need from the account service (main/core/accounts/account-service.ts). */
export interface AccountServicePort {
  list(): Promise<AccountSummary[]>;
  getSettings(name: string): Promise<PublicAccountSettings>;
  importAccounts(accounts: AccountSettings[]): Promise<unknown>;
  updateAccount(name: string, patch: Partial<AccountSettings>): Promise<void>;
  renameAccount(oldName: string, newName: string): Promise<void>;
  removeAccount(name: string): Promise<void>;
  getToken(
    name: string,
    opts?: {
      force?: boolean;
      signal?: AbortSignal;
      onAuthorizationPrompt?(prompt: AuthorizationPrompt): void;
      onDeviceCodePrompt?(prompt: DeviceCodePrompt): void;
      onProgress?(message: string): void;
      onWarning?(message: string): void;
    },
  ): Promise<TokenSet>;
  /** The cached token without any network request, when the service offers it. */
  cachedToken?(name: string): Promise<TokenSet | undefined>;
  revoke(name: string): Promise<{ revokedAtServer: boolean } | void>;
  history(name: string): Promise<HistoryEntry[]>;
  budget(name: string): Promise<BudgetStatus | undefined>;
  completeAuthorization(callbackUrl: string): Promise<void>;
  cancelAuthorization(flowId: string): void;
  onChange?(listener: () => void): () => void;
}

/** The vault session (main/core/app-session.ts). */
export interface SessionPort {
  status(): Promise<{ vault: 'missing' | 'locked' | 'unlocked'; keychain: 'available' | 'basic_text' | 'unavailable' }>;
  create(opts: { passphrase?: string }): Promise<void>;
  unlock(passphrase?: string): Promise<unknown>;
  setRecoveryPassphrase(passphrase: string): Promise<void>;
  /** Throws VaultError when the vault is locked. */
  accounts(): AccountServicePort;
  preferences(): AppSettings;
  setPreferences(patch: Partial<AppSettings>): Promise<AppSettings>;
}

/** The importer (main/core/import): parse without storing, or parse for storing. */
export interface ImporterPort {
  previewImport(input: ImportInput): Promise<{ accounts: AccountSettings[]; problems: unknown[] }>;
  importCredentials(input: ImportInput): Promise<AccountSettings[]>;
}
export interface ImportInput {
  text: string;
  fileName?: string;
  readFile?: (path: string) => Promise<string>;
}

export interface ApiDeps {
  session: SessionPort;
  /** Shared with the tray, so a tray copy and a window copy share one clear timer. */
  clipboard: ClipboardGuard;
  /** fetch (Electron's net.fetch in the app), clock, randomness. */
  ports: CorePorts;
  /** The system browser (RFC 8252 8.12); the harness performs the browser step itself. */
  openExternal(url: string): Promise<void>;
  emit(event: AppEvent): void;
  /** Defaults to main/core/import; tests may pass another. */
  importer?: ImporterPort;
}

/** How much of an API response the "Test API call" panel shows. */
export const API_EXCERPT_CHARS = 2000;
const API_READ_CAP_BYTES = 64 * 1024;
const API_TIMEOUT_MS = 30_000;

type Handler<C extends IpcChannel> = (request: IpcRequest<C>) => Promise<IpcResponse<C>>;

/** Builds the handler table. One instance per window (or harness). */
export function createApiHandlers(deps: ApiDeps): IpcHandlers {
  const importer = deps.importer ?? { previewImport, importCredentials };
  /**
   * Text from the renderer must not make the main process read local files
   * (a pasted `key_file = "/etc/..."`): the key JSON is opened by the user instead.
   */
  const importInput = (text: string, fileName: string | undefined): ImportInput => ({
    text,
    ...(fileName ? { fileName } : {}),
    readFile: () =>
      Promise.reject(new InputError('ERR_INPUT_FIELD', 'TokenDesk does not read key_file from pasted text. Open the key .json file with “Open a file” instead.', { field: 'key_file' })),
  });
  /** One running long operation per account, so Cancel knows what to stop. */
  const running = new Map<string, AbortController>();
  /** URLs the user may open from the renderer: only those a flow itself produced. */
  const promptUrls = new Map<string, string>();
  let subscribedService: AccountServicePort | undefined;
  let changeQueued = false;

  function accountsChanged(): void {
    // Coalesce: several mutations in one tick are one list reload in the renderer.
    if (changeQueued) return;
    changeQueued = true;
    queueMicrotask(() => {
      changeQueued = false;
      deps.emit({ type: 'accounts-changed' });
    });
  }

  function service(): AccountServicePort {
    const accounts = deps.session.accounts();
    if (accounts !== subscribedService && accounts.onChange) {
      // Changes made elsewhere (tray, CLI-written vault) must reach the window too.
      accounts.onChange(accountsChanged);
    }
    subscribedService = accounts;
    return accounts;
  }

  /** Runs getToken with cancellation and the interactive prompts wired to events. */
  async function obtainToken(name: string, force: boolean): Promise<TokenSet> {
    running.get(name)?.abort();
    const controller = new AbortController();
    running.set(name, controller);
    let interactive = false;
    try {
      return await service().getToken(name, {
        force,
        signal: controller.signal,
        onAuthorizationPrompt(prompt) {
          interactive = true;
          promptUrls.set(name, prompt.url);
          deps.emit({ type: 'authorization-prompt', flowId: prompt.flowId, account: name, url: prompt.url, listening: prompt.listening, expiresAt: prompt.expiresAt });
          // RFC 8252 8.12: the system browser, never an embedded window.
          deps.openExternal(prompt.url).catch(() => {
            deps.emit({ type: 'progress', account: name, message: 'browser-failed' });
          });
        },
        onDeviceCodePrompt(prompt) {
          interactive = true;
          promptUrls.set(name, prompt.verificationUriComplete ?? prompt.verificationUri);
          deps.emit({
            type: 'device-code-prompt',
            account: name,
            userCode: prompt.userCode,
            verificationUri: prompt.verificationUri,
            ...(prompt.verificationUriComplete ? { verificationUriComplete: prompt.verificationUriComplete } : {}),
            expiresAt: prompt.expiresAt,
          });
        },
        onProgress(message) {
          deps.emit({ type: 'progress', account: name, message });
        },
        onWarning(message) {
          deps.emit({ type: 'warning', account: name, message });
        },
      });
    } finally {
      if (running.get(name) === controller) running.delete(name);
      if (interactive) {
        promptUrls.delete(name);
        deps.emit({ type: 'flow-ended', account: name });
      }
      accountsChanged();
    }
  }

  const table: { [C in IpcChannel]: Handler<C> } = {
    'app:status': () => deps.session.status(),
    'app:create': async ({ passphrase }) => {
      await deps.session.create(passphrase ? { passphrase } : {});
      accountsChanged();
      return {};
    },
    'app:unlock': async ({ passphrase }) => {
      await deps.session.unlock(passphrase);
      accountsChanged();
      return {};
    },
    'app:set-passphrase': async ({ passphrase }) => {
      await deps.session.setRecoveryPassphrase(passphrase);
      return {};
    },
    'settings:get': async () => ({ clipboardClearSeconds: deps.session.preferences().clipboardClearSeconds }),
    'settings:set': async (patch) => {
      const next = await deps.session.setPreferences(patch);
      return { clipboardClearSeconds: next.clipboardClearSeconds };
    },
    'accounts:list': async () => {
      const list = await service().list();
      return list.map((summary) => ({ ...summary }));
    },
    'accounts:get': async ({ name }) => toWire(await service().getSettings(name)),
    'accounts:preview': async ({ text, fileName }) => {
      const result = await importer.previewImport(importInput(text, fileName));
      // The preview crosses to the renderer: secrets become has* flags here.
      return { accounts: result.accounts.map((account) => toWire(toPublicSettings(account))), problems: result.problems.map(toProblem) };
    },
    'accounts:import': async ({ text, fileName }) => {
      const accounts = await importer.importCredentials(importInput(text, fileName));
      await service().importAccounts(accounts);
      accountsChanged();
      return { names: accounts.map((account) => account.name) };
    },
    'accounts:update': async ({ name, patch }) => {
      await service().updateAccount(name, toSettingsPatch(patch));
      accountsChanged();
      return {};
    },
    'accounts:rename': async ({ name, newName }) => {
      await service().renameAccount(name, newName);
      accountsChanged();
      return {};
    },
    'accounts:remove': async ({ name }) => {
      running.get(name)?.abort();
      await service().removeAccount(name);
      accountsChanged();
      return {};
    },
    'accounts:history': async ({ name }) => {
      const accounts = service();
      const [entries, budget] = await Promise.all([accounts.history(name), accounts.budget(name)]);
      return { entries: entries.map((entry) => ({ ...entry })), ...(budget ? { budget: { ...budget } } : {}) };
    },
    'accounts:discover': async ({ issuer }) => {
      const found = await discoverEndpoints(issuer.trim(), { ports: deps.ports, signal: AbortSignal.timeout(API_TIMEOUT_MS) });
      return { ...found };
    },
    'tokens:copy': async ({ name, what, force }) => {
      const tokens = await obtainToken(name, force ?? false);
      const text = what === 'header' ? `Authorization: ${tokens.tokenType || 'Bearer'} ${tokens.accessToken}` : tokens.accessToken;
      const { clipboardClearSeconds } = deps.session.preferences();
      const { clearsAt } = deps.clipboard.copy(text, clipboardClearSeconds * 1000, name);
      deps.emit({ type: 'clipboard', state: 'copied', account: name });
      return { ...(tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt } : {}), ...(clearsAt !== undefined ? { clearsAt } : {}) };
    },
    'tokens:refresh': async ({ name, force }) => {
      const tokens = await obtainToken(name, force ?? true);
      return tokens.expiresAt !== undefined ? { expiresAt: tokens.expiresAt } : {};
    },
    'tokens:inspect': async ({ name }) => {
      const accounts = service();
      const tokens = accounts.cachedToken ? await accounts.cachedToken(name) : await cachedViaList(accounts, name);
      return tokens ? inspectToken(tokens) : null;
    },
    'tokens:reveal': async ({ name }) => {
      const tokens = await obtainToken(name, false);
      return { accessToken: tokens.accessToken, tokenType: tokens.tokenType || 'Bearer' };
    },
    'tokens:revoke': async ({ name }) => {
      const outcome = await service().revoke(name);
      accountsChanged();
      return { revokedAtServer: outcome ? outcome.revokedAtServer : false };
    },
    'tokens:test-api': async ({ name }) => {
      const settings = await service().getSettings(name);
      if (!settings.apiUrl) throw new InputError('ERR_INPUT_MISSING', 'This account has no test address (api_url). Add one in Edit to try the token against the API.');
      assertSafeUrl(settings.apiUrl, 'The test address (api_url)');
      const tokens = await obtainToken(name, false);
      return testApiCall(deps, settings.apiUrl, tokens);
    },
    'flows:complete': async ({ callbackUrl }) => {
      await service().completeAuthorization(callbackUrl.trim());
      return {};
    },
    'flows:open-browser': async ({ name }) => {
      // Only a URL a flow produced itself: the renderer can never make us open an arbitrary address.
      const url = promptUrls.get(name);
      if (!url) throw new InputError('ERR_INPUT_UNKNOWN', 'There is no sign-in waiting for this account any more.');
      await deps.openExternal(url);
      return {};
    },
    'flows:cancel': async ({ name, flowId }) => {
      if (flowId) service().cancelAuthorization(flowId);
      running.get(name)?.abort();
      return {};
    },
  };

  const handlers = {} as Record<IpcChannel, (request: unknown) => Promise<IpcResult<unknown>>>;
  for (const channel of Object.keys(table) as IpcChannel[]) {
    const handler = table[channel] as (request: unknown) => Promise<unknown>;
    handlers[channel] = async (request) => {
      const parsed = parseIpcRequest(channel, request);
      if (!parsed.ok) return parsed;
      try {
        return { ok: true, value: await handler(parsed.value) };
      } catch (error) {
        return { ok: false, error: toIpcError(error) };
      }
    };
  }
  return handlers as unknown as IpcHandlers;
}

/** Maps any thrown value to what may cross IPC. Only TokenDeskError messages are trusted to be secret-free. */
export function toIpcError(error: unknown): IpcError {
  if (error instanceof TokenDeskError) {
    const base: IpcError = { kind: error.kind, code: error.code, message: error.message };
    if (error instanceof AuthServerError) {
      base.serverError = error.error;
      if (error.errorDescription) base.serverErrorDescription = error.errorDescription;
    }
    if (error instanceof InputError && error.location) {
      if (error.location.line !== undefined) base.line = error.location.line;
      if (error.location.column !== undefined) base.column = error.location.column;
    }
    return base;
  }
  if (isAbort(error)) return { kind: 'cancelled', code: 'ERR_CANCELLED', message: 'Cancelled.' };
  return { kind: 'internal', code: 'ERR_INTERNAL', message: 'Something went wrong inside TokenDesk. Try again; if it keeps happening, restart the app.' };
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/** Copies a public settings object into plain JSON data (drops undefined fields). */
function toWire(settings: PublicAccountSettings): PublicAccount {
  return JSON.parse(JSON.stringify(settings)) as PublicAccount;
}

/** Import problems may be InputErrors or plain objects; keep only non-secret facts. */
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

/** Empty strings from the edit form mean "leave as is" for secrets, "remove" for optional plain fields. */
function toSettingsPatch(patch: AccountPatch): Partial<AccountSettings> {
  const out: Partial<AccountSettings> = {};
  for (const [key, value] of Object.entries(patch) as [keyof AccountPatch, unknown][]) {
    if (value === undefined) continue;
    if ((key === 'clientSecret' || key === 'password' || key === 'accessToken') && value === '') continue;
    (out as Record<string, unknown>)[key] = typeof value === 'string' ? value.trim() || undefined : value;
  }
  return out;
}

async function cachedViaList(accounts: AccountServicePort, name: string): Promise<TokenSet | undefined> {
  // Without a cache accessor, only a token that is still usable is read (getToken returns the cached one then).
  const summary = (await accounts.list()).find((entry) => entry.name === name);
  if (!summary || summary.status === 'none' || summary.status === 'expired') return undefined;
  return accounts.getToken(name);
}

/**
 * Decodes the token offline (SPEC 1: never an online decoder), dropping the
 * signature and the raw token so the renderer gets only readable facts.
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.2
 */
export function inspectToken(tokens: TokenSet): TokenInspection {
  let header: Record<string, unknown> | undefined;
  let claims: Record<string, unknown> | undefined;
  try {
    header = { ...decodeProtectedHeader(tokens.accessToken) } as Record<string, unknown>;
    claims = { ...decodeJwt(tokens.accessToken) } as Record<string, unknown>;
  } catch {
    // Opaque tokens (Netrex, Insiders) are not JWTs: nothing to decode, not an error.
    header = undefined;
    claims = undefined;
  }
  const scopeText = tokens.scope ?? (typeof claims?.scope === 'string' ? claims.scope : undefined);
  const scopes = scopeText ? scopeText.split(/[\s,]+/).filter(Boolean) : Array.isArray(claims?.scp) ? claims.scp.filter((s): s is string => typeof s === 'string') : [];
  const aud = claims?.aud;
  const audience = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
  const expFromClaims = typeof claims?.exp === 'number' ? claims.exp * 1000 : undefined;
  const expiresAt = tokens.expiresAt ?? expFromClaims;
  return {
    tokenType: tokens.tokenType || 'Bearer',
    obtainedAt: tokens.obtainedAt,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    hasRefreshToken: Boolean(tokens.refreshToken),
    scopes,
    audience,
    ...(header ? { header } : {}),
    ...(claims ? { claims } : {}),
  };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** SPEC 3: https only, except loopback; a token must never travel in clear text. */
function assertSafeUrl(value: string, what: string): void {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new InputError('ERR_INPUT_FIELD', `${what} is not a web address. It should start with https://.`);
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return;
  throw new InputError('ERR_INPUT_INSECURE_URL', `${what} must start with https:// so that nobody can read the token on the way.`);
}

/** GET the account's test address with the token; redirects are reported, not followed (the token stays with its host). */
async function testApiCall(deps: ApiDeps, url: string, tokens: TokenSet): Promise<IpcResponse<'tokens:test-api'>> {
  const started = deps.ports.clock.now();
  let response: Response;
  try {
    response = await deps.ports.fetch(url, {
      method: 'GET',
      redirect: 'manual',
      headers: { authorization: `${tokens.tokenType || 'Bearer'} ${tokens.accessToken}`, accept: 'application/json, */*;q=0.5' },
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
  } catch (error) {
    if (isAbort(error)) throw new TransportError('ERR_TIMEOUT', 'The API did not answer within 30 seconds. Check the test address and your network.');
    throw new TransportError('ERR_NETWORK', 'The API could not be reached. Check the test address and your network connection.');
  }
  const text = await readCapped(response, API_READ_CAP_BYTES);
  // An API that echoes the token back must not put it on screen.
  const excerpt = text.split(tokens.accessToken).join('[token]').slice(0, API_EXCERPT_CHARS);
  const contentType = response.headers.get('content-type') ?? undefined;
  return {
    url,
    status: response.status,
    statusText: response.statusText,
    ...(contentType ? { contentType } : {}),
    excerpt,
    durationMs: Math.max(0, deps.ports.clock.now() - started),
  };
}

async function readCapped(response: Response, capBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < capBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(total, capBytes));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, Math.max(0, bytes.length - offset));
    bytes.set(part, offset);
    offset += part.length;
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}
