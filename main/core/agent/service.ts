/**
 * What the agent does for a request, on the unlocked account service:
 * list, token, import, remove, revoke. Only the requested access token and
 * its metadata leave (HandedToken): never a client secret, password, key or
 * refresh token. Every hand-out goes into the account's history with the
 * caller the client reported. In the desktop app, `approve` asks the user
 * in the window before a program gets a token or changes the vault.
 */
import type { AccountService, HandOut } from '../accounts/account-service.js';
import { VaultError } from '../errors.js';
import { importCredentials } from '../import/index.js';
import type { AgentBackend } from './server.js';
import { handedToken, type AgentAccountRow, type AgentCaller, type AgentRequest, type HandedToken } from './protocol.js';

export type { AgentCaller } from './protocol.js';
export type ApprovalAnswer = 'once' | 'session' | 'deny';
export interface ApprovalRequest {
  account: string;
  operation: 'token' | 'import' | 'remove' | 'revoke';
  caller: AgentCaller;
}
/** Resolves with the user's answer; 'deny' when the client hung up (`signal`) or nobody answered. */
export type Approver = (request: ApprovalRequest, signal: AbortSignal) => Promise<ApprovalAnswer>;

export interface AgentBackendOptions {
  /** The unlocked account service, or undefined while the vault is locked. */
  session(): AccountService | undefined;
  /** The desktop app's approval dialog; the headless agent has none (the key and the file modes are its gate). */
  approve?: Approver;
  /** Hand-outs are saved together, at most this often (a save per token would slow the agent to the disk's pace). */
  historyFlushMs?: number;
  now?(): number;
}

export interface AgentBackendHandle extends AgentBackend {
  /** Saves the hand-outs not saved yet. */
  flush(): Promise<void>;
}

/** How often the agent re-reads the vault for changes by another process (cheap: it compares bytes). */
const RELOAD_EVERY_MS = 1_000;

export function createAgentBackend(options: AgentBackendOptions): AgentBackendHandle {
  const now = options.now ?? Date.now;
  const flushMs = options.historyFlushMs ?? 1_000;
  const approvedForSession = new Set<string>();
  const pendingHandOuts = new Map<string, HandOut>();
  let flushTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  let lastReload = 0;

  const accounts = (): AccountService => {
    const service = options.session();
    if (!service) throw new VaultError('ERR_VAULT_LOCKED', 'The TokenDesk agent is locked.');
    return service;
  };

  const reloadIfStale = async (service: AccountService, always: boolean): Promise<void> => {
    if (!always && now() - lastReload < RELOAD_EVERY_MS) return;
    await service.reload();
    lastReload = now();
  };

  const approve = async (request: ApprovalRequest, signal: AbortSignal): Promise<void> => {
    if (!options.approve) return;
    const remembered = [request.operation, request.account, request.caller.executable, request.caller.parentExecutable ?? ''].join('\0');
    if (approvedForSession.has(remembered)) return;
    const answer = await options.approve(request, signal);
    if (answer === 'deny') {
      throw new VaultError('ERR_AGENT_DENIED', `TokenDesk did not allow this program to ${OPERATION_WORDS[request.operation]} "${request.account}": the request was denied in the TokenDesk window (or nobody answered it).`);
    }
    if (answer === 'session') approvedForSession.add(remembered);
  };

  const flush = (): Promise<void> => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    const batch = [...pendingHandOuts.values()];
    pendingHandOuts.clear();
    const service = options.session();
    if (batch.length === 0 || !service) return flushing;
    // Saves run one after another; a failed one is not retried (the token was handed out already).
    flushing = flushing.then(() => service.recordHandOuts(batch)).catch(() => undefined);
    return flushing;
  };

  const recordHandOut = (name: string, caller: AgentCaller): void => {
    const key = [name, caller.pid, caller.executable, caller.parentExecutable ?? ''].join('\0');
    const existing = pendingHandOuts.get(key);
    if (existing) existing.count++;
    else {
      pendingHandOuts.set(key, {
        name,
        at: now(),
        caller: { pid: caller.pid, executable: caller.executable, ...(caller.parentExecutable ? { parentExecutable: caller.parentExecutable } : {}), reported: true },
        count: 1,
      });
    }
    flushTimer ??= setTimeout(() => void flush(), flushMs);
    flushTimer.unref?.();
  };

  const handlers = {
    async list(): Promise<AgentAccountRow[]> {
      const service = accounts();
      await reloadIfStale(service, true);
      return (await service.list()).map((account) => ({
        name: account.name,
        ...(account.preset ? { preset: account.preset } : {}),
        grant: account.grant,
        status: account.status,
        ...(account.expiresAt !== undefined ? { expiresAt: account.expiresAt } : {}),
        hasRefreshToken: account.hasRefreshToken,
      }));
    },
    async token(request: Extract<AgentRequest, { op: 'token' }>, signal: AbortSignal): Promise<HandedToken> {
      const service = accounts();
      await reloadIfStale(service, false);
      const settings = await service.getSettings(request.name);
      if (settings.agentApproval !== false) await approve({ account: request.name, operation: 'token', caller: request.caller }, signal);
      // Not the connection's signal: one client hanging up must not cancel a request others share (single flight).
      const tokens = await service.getToken(request.name, {
        force: request.force ?? false,
        ...(request.minValiditySeconds !== undefined ? { minValiditySeconds: request.minValiditySeconds } : {}),
        signIn: false,
      });
      recordHandOut(request.name, request.caller);
      // The client certificate stays here; the caller only learns that the account has one (tokendesk request refuses then).
      return handedToken(tokens, { clientCertificate: settings.clientCertificate });
    },
    async import(request: Extract<AgentRequest, { op: 'import' }>, signal: AbortSignal): Promise<{ names: string[] }> {
      const parsed = await importCredentials({ text: request.text, fileName: request.fileName, baseDir: request.baseDir });
      const names = parsed.map((account) => account.name);
      await approve({ account: names.join(', '), operation: 'import', caller: request.caller }, signal);
      const service = accounts();
      await reloadIfStale(service, true);
      await service.importAccounts(parsed);
      return { names };
    },
    async remove(request: Extract<AgentRequest, { op: 'remove' }>, signal: AbortSignal): Promise<Record<string, never>> {
      const service = accounts();
      await reloadIfStale(service, true);
      await service.getSettings(request.name); // an unknown name fails before anyone is asked
      await approve({ account: request.name, operation: 'remove', caller: request.caller }, signal);
      await service.removeAccount(request.name);
      return {};
    },
    async revoke(request: Extract<AgentRequest, { op: 'revoke' }>, signal: AbortSignal): Promise<{ revokedAtServer: boolean }> {
      const service = accounts();
      await reloadIfStale(service, true);
      await service.getSettings(request.name);
      await approve({ account: request.name, operation: 'revoke', caller: request.caller }, signal);
      return service.revoke(request.name);
    },
  };

  return {
    handle(request, signal) {
      switch (request.op) {
        case 'list':
          return handlers.list();
        case 'token':
          return handlers.token(request, signal);
        case 'import':
          return handlers.import(request, signal);
        case 'remove':
          return handlers.remove(request, signal);
        case 'revoke':
          return handlers.revoke(request, signal);
      }
    },
    flush,
    close: flush,
  };
}

const OPERATION_WORDS: Record<ApprovalRequest['operation'], string> = {
  token: 'get the token of',
  import: 'import',
  remove: 'remove',
  revoke: 'revoke the tokens of',
};
