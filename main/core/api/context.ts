/**
 * What the handler groups share: the host's ports, the session, and the
 * per-window state of long operations (one running token request per
 * account, so Cancel knows what to stop; the URLs a sign-in produced, the
 * only ones the renderer may ask us to open).
 */
import type { AccountSettings, TokenSet } from '../../../shared/account.js';
import type { AppEvent } from '../../../shared/ipc.js';
import type { AccountService } from '../accounts/account-service.js';
import type { AppSession } from '../app-session.js';
import type { AutoLock } from '../auto-lock.js';
import type { ClipboardGuard } from '../clipboard-guard.js';
import type { AgentApprovals } from './agent-approvals.js';
import type { SessionAgent } from './session-agent.js';
import { InputError } from '../errors.js';
import type { ImportSource } from '../import/index.js';
import type { CorePorts } from '../ports.js';

/** The session as the handlers use it (AppSession; tests may pass a narrower stand-in). */
export type SessionPort = Pick<AppSession, 'status' | 'create' | 'unlock' | 'lock' | 'setRecoveryPassphrase' | 'hasRecoveryPassphrase' | 'notices' | 'accounts' | 'preferences' | 'setPreferences'>;

/** The importer (main/core/import): parse without storing, or parse for storing. */
export interface ImporterPort {
  /** `notes` and `textIndexes` as main/core/import's ImportPreview (a stand-in may leave them out). */
  previewImport(input: ImportSource): Promise<{ accounts: AccountSettings[]; problems: unknown[]; notes?: string[]; textIndexes?: number[] }>;
  importCredentials(input: ImportSource): Promise<AccountSettings[]>;
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
  /** The desktop app's agent (the app and the harness): started at unlock, stopped at lock. */
  agent?: Pick<SessionAgent, 'onUnlocked' | 'onLocked' | 'warning'>;
  /** The questions the agent asks in the window (`agent:answer`, `agent:pending`). */
  approvals?: Pick<AgentApprovals, 'answer' | 'pending'>;
  /** The idle lock: armed at unlock and on a settings change, postponed by `app:activity`, stopped by every lock. */
  autoLock?: Pick<AutoLock, 'start' | 'noteActivity' | 'stop'>;
}

export interface ApiContext {
  deps: ApiDeps;
  /** The unlocked vault's account service (throws VaultError while locked). */
  service(): AccountService;
  /** Tells the renderer (and the tray) to reload the list; coalesced per tick. */
  accountsChanged(): void;
  /** getToken with cancellation, the interactive prompts wired to events. */
  obtainToken(name: string, force: boolean): Promise<TokenSet>;
  /** Stops every running request of an account (token, revoke, API test), if any. */
  abort(name: string): void;
  /**
   * Runs a window action of `name` (Copy, Refresh, Reveal, revoke, the API
   * test) so that `abort(name)` stops it too, also in the moment before its
   * request has started. Registered before `run` is called.
   */
  cancellable<R>(name: string, run: (signal: AbortSignal) => Promise<R>): Promise<R>;
  /** The URL the account's pending sign-in asked the user to open. */
  promptUrl(name: string): string | undefined;
  /** The user code of the account's pending device sign-in. */
  pendingUserCode(name: string): string | undefined;
  /** Import input from renderer text, which must never make us read local files. */
  importInput(text: string, fileName: string | undefined, names?: readonly string[]): ImportSource;
}

export function createApiContext(deps: ApiDeps): ApiContext {
  /**
   * One running token request per account, shared by every caller (window
   * and tray): a second Copy, Refresh or Reveal joins it, and only an
   * explicit Cancel (`abort`) stops it. Aborting on a second click would
   * cancel a sign-in the user is in the middle of (the browser would then
   * show "state does not match").
   */
  const running = new Map<string, { controller: AbortController; promise: Promise<TokenSet> }>();
  /** Revokes and API tests under way, per account: Cancel stops them as it stops the token request. */
  const operations = new Map<string, Set<AbortController>>();
  const promptUrls = new Map<string, string>();
  /** The prompt event of each pending sign-in, re-sent when a second request joins it (brings its dialog forward). */
  const prompts = new Map<string, AppEvent>();
  let subscribedService: AccountService | undefined;
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

  function service(): AccountService {
    const accounts = deps.session.accounts();
    // Changes made elsewhere (the tray) must reach the window too.
    if (accounts !== subscribedService) accounts.onChange(accountsChanged);
    subscribedService = accounts;
    return accounts;
  }

  function obtainToken(name: string, force: boolean): Promise<TokenSet> {
    const current = running.get(name);
    if (current) {
      const prompt = prompts.get(name);
      if (prompt) deps.emit(prompt);
      return current.promise;
    }
    const controller = new AbortController();
    const promise = runToken(name, force, controller);
    running.set(name, { controller, promise });
    return promise;
  }

  async function runToken(name: string, force: boolean, controller: AbortController): Promise<TokenSet> {
    let interactive = false;
    const showPrompt = (event: AppEvent): void => {
      interactive = true;
      prompts.set(name, event);
      deps.emit(event);
    };
    try {
      return await service().getToken(name, {
        force,
        signal: controller.signal,
        onAuthorizationPrompt(prompt) {
          promptUrls.set(name, prompt.url);
          showPrompt({ type: 'authorization-prompt', flowId: prompt.flowId, account: name, url: prompt.url, listening: prompt.listening, expiresAt: prompt.expiresAt });
          // RFC 8252 8.12: the system browser, never an embedded window.
          deps.openExternal(prompt.url).catch(() => deps.emit({ type: 'progress', account: name, message: 'browser-failed' }));
        },
        onDeviceCodePrompt(prompt) {
          promptUrls.set(name, prompt.verificationUriComplete ?? prompt.verificationUri);
          showPrompt({
            type: 'device-code-prompt',
            account: name,
            userCode: prompt.userCode,
            verificationUri: prompt.verificationUri,
            ...(prompt.verificationUriComplete ? { verificationUriComplete: prompt.verificationUriComplete } : {}),
            expiresAt: prompt.expiresAt,
          });
        },
        onProgress: (message) => deps.emit({ type: 'progress', account: name, message }),
        onWarning: (message) => deps.emit({ type: 'warning', account: name, message }),
      });
    } finally {
      if (running.get(name)?.controller === controller) running.delete(name);
      prompts.delete(name);
      if (interactive) {
        promptUrls.delete(name);
        deps.emit({ type: 'flow-ended', account: name });
      }
      accountsChanged();
    }
  }

  return {
    deps,
    service,
    accountsChanged,
    obtainToken,
    abort: (name) => {
      running.get(name)?.controller.abort();
      for (const controller of operations.get(name) ?? []) controller.abort();
    },
    cancellable: async (name, run) => {
      const controller = new AbortController();
      const forAccount = operations.get(name) ?? new Set<AbortController>();
      operations.set(name, forAccount.add(controller));
      try {
        return await run(controller.signal);
      } finally {
        forAccount.delete(controller);
        if (forAccount.size === 0 && operations.get(name) === forAccount) operations.delete(name);
      }
    },
    promptUrl: (name) => promptUrls.get(name),
    pendingUserCode: (name) => {
      const prompt = prompts.get(name);
      return prompt?.type === 'device-code-prompt' ? prompt.userCode : undefined;
    },
    importInput: (text, fileName, names) => ({
      text,
      ...(fileName ? { fileName } : {}),
      ...(names ? { names } : {}),
      // A pasted `key_file = "/etc/..."` must not make the main process read local files.
      readFile: () =>
        Promise.reject(new InputError('ERR_INPUT_FIELD', 'TokenDesk does not read key_file from pasted text. Open the key .json file with “Open a file” instead.', { field: 'key_file' })),
      readBytes: () => Promise.reject(new InputError('ERR_INPUT_FIELD', 'TokenDesk does not read files named in pasted text.', { field: 'client_pkcs12' })),
    }),
  };
}
