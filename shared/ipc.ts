/**
 * The one IPC contract between the renderer and the main process: channel
 * names (`domain:verb`) with a valibot schema for every request and response.
 * The main process validates every request against it (main/electron/ipc.ts);
 * the preload exposes exactly these channels, nothing generic.
 *
 * Handlers answer `{ ok: true, value } | { ok: false, error }` because an
 * error thrown in `ipcMain.handle` reaches the renderer as a bare message.
 *
 * Secrets flow one way only: the renderer may SEND a client secret, password
 * or token it was given by the user (import, edit), but no response carries
 * one, except `tokens:reveal`, which the user asks for explicitly.
 */
import * as v from 'valibot';

/** An error as it crosses IPC: stable code, kind and a readable message (never a secret). */
export const IpcErrorSchema = v.object({
  kind: v.picklist(['input', 'auth_server', 'transport', 'vault', 'system', 'cancelled', 'internal']),
  code: v.string(),
  message: v.string(),
  /** Server's `error` / `error_description` for auth_server errors. */
  serverError: v.optional(v.string()),
  serverErrorDescription: v.optional(v.string()),
  /**
   * auth_server errors of a token request: the grant the server refused
   * (`password`, `jwt_bearer`, ..., `refresh_token` for a refresh), so the
   * advice fits (a refused key file is not a wrong password).
   */
  grant: v.optional(v.string()),
  /** Where an input problem is (1-based), when known. */
  line: v.optional(v.number()),
  column: v.optional(v.number()),
  /**
   * A one-click change that should make the failed request work, e.g. the
   * token URL with the trailing slash its server redirected to. The renderer
   * offers it as "Use VALUE instead" and applies it with `accounts:update`.
   */
  fix: v.optional(v.object({ field: v.literal('tokenUrl'), value: v.string() })),
});
export type IpcError = v.InferOutput<typeof IpcErrorSchema>;

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

const AccountName = v.pipe(v.string(), v.minLength(1), v.maxLength(200));
const Empty = v.strictObject({});
const ShortText = v.pipe(v.string(), v.maxLength(4096));
/** Pasted or dropped credentials: a generous cap, far above any real file. */
const ImportText = v.pipe(v.string(), v.maxLength(1024 * 1024));
const Passphrase = v.pipe(v.string(), v.minLength(1), v.maxLength(1024));
const GrantSchema = v.picklist(['client_credentials', 'password', 'authorization_code', 'jwt_bearer', 'device_code', 'static']);
const ClientAuthSchema = v.picklist(['basic', 'basic_raw', 'body', 'query', 'none', 'private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth']);
const TokenStatusSchema = v.picklist(['valid', 'expiring', 'expired', 'none', 'unknown_expiry']);

/** An account's client certificate as the renderer sees it: what it is, never the key. */
export const ClientCertificateInfoSchema = v.object({
  format: v.picklist(['pem', 'pkcs12']),
  subject: v.string(),
  issuer: v.string(),
  notBefore: v.number(),
  notAfter: v.number(),
  fingerprint256: v.string(),
  serialNumber: v.string(),
});
export type ClientCertificateView = v.InferOutput<typeof ClientCertificateInfoSchema>;

/** Account settings without any secret; `has*` says whether one is stored. */
export const PublicAccountSchema = v.object({
  name: v.string(),
  preset: v.optional(v.string()),
  grant: GrantSchema,
  tokenUrl: v.optional(v.string()),
  authorizeUrl: v.optional(v.string()),
  revokeUrl: v.optional(v.string()),
  revokeStyle: v.optional(v.picklist(['rfc7009', 'access_token_query'])),
  deviceAuthorizationUrl: v.optional(v.string()),
  issuer: v.optional(v.string()),
  clientId: v.optional(v.string()),
  clientAuth: ClientAuthSchema,
  /** true: nobody chose the client authentication; TokenDesk tries the other ways once when Basic is refused (shared/account.ts). */
  clientAuthAuto: v.optional(v.literal(true)),
  username: v.optional(v.string()),
  scopes: v.array(v.string()),
  scopeSeparator: v.string(),
  /** RFC 8707 resource indicators (shared/account.ts). */
  resource: v.optional(v.array(v.string())),
  audience: v.optional(v.string()),
  redirectUri: v.optional(v.string()),
  key: v.optional(v.object({ type: v.string(), keyId: v.string(), userId: v.optional(v.string()), clientId: v.optional(v.string()) })),
  apiUrl: v.optional(v.string()),
  extra: v.record(v.string(), v.optional(v.record(v.string(), v.string()))),
  defaultTokenLifetimeSeconds: v.optional(v.number()),
  requestBudget: v.optional(v.object({ maxRequests: v.number(), windowSeconds: v.number() })),
  notes: v.optional(v.string()),
  /** false: the agent gives the token to programs without asking (shared/account.ts). */
  agentApproval: v.optional(v.boolean()),
  hasClientSecret: v.boolean(),
  hasPassword: v.boolean(),
  hasAccessToken: v.boolean(),
  /** What the client certificate is (never its key, its PKCS#12 file or a password). */
  clientCertificate: v.optional(ClientCertificateInfoSchema),
});
export type PublicAccount = v.InferOutput<typeof PublicAccountSchema>;

export const AccountSummarySchema = v.object({
  name: v.string(),
  preset: v.optional(v.string()),
  grant: v.string(),
  status: TokenStatusSchema,
  expiresAt: v.optional(v.number()),
  hasRefreshToken: v.boolean(),
  lastError: v.optional(v.object({ code: v.string(), message: v.string(), at: v.number() })),
  /** Epoch ms when the account's client certificate expires (the list and the tray warn 30 days before). */
  clientCertificateExpiresAt: v.optional(v.number()),
});
export type AccountSummaryView = v.InferOutput<typeof AccountSummarySchema>;

/** A problem found while previewing an import (never quotes a secret). */
export const ImportProblemSchema = v.object({
  code: v.string(),
  message: v.string(),
  line: v.optional(v.number()),
  column: v.optional(v.number()),
  field: v.optional(v.string()),
});
export type ImportProblem = v.InferOutput<typeof ImportProblemSchema>;

/** Names typed into the preview, one per account of the text in its order; '' keeps the text's own. */
const ImportNames = v.pipe(v.array(v.pipe(v.string(), v.maxLength(200))), v.maxLength(1000));

/** An account of an import whose name is already taken in the vault, with the first free `NAME (n)`. */
export const ImportConflictSchema = v.object({ index: v.number(), name: v.string(), suggestion: v.string() });
export type ImportConflict = v.InferOutput<typeof ImportConflictSchema>;

/** Fields the edit form may change. Secrets are replaced only when given non-empty. */
export const AccountPatchSchema = v.strictObject({
  grant: v.optional(GrantSchema),
  tokenUrl: v.optional(ShortText),
  authorizeUrl: v.optional(ShortText),
  revokeUrl: v.optional(ShortText),
  issuer: v.optional(ShortText),
  clientId: v.optional(ShortText),
  clientSecret: v.optional(ShortText),
  clientAuth: v.optional(ClientAuthSchema),
  username: v.optional(ShortText),
  password: v.optional(ShortText),
  accessToken: v.optional(v.pipe(v.string(), v.maxLength(65536))),
  scopes: v.optional(v.pipe(v.array(ShortText), v.maxLength(100))),
  /** An empty list removes the resources; checked as URIs by the account's validation. */
  resource: v.optional(v.pipe(v.array(ShortText), v.maxLength(100))),
  /** Empty removes the audience. */
  audience: v.optional(ShortText),
  redirectUri: v.optional(ShortText),
  apiUrl: v.optional(ShortText),
  notes: v.optional(ShortText),
  agentApproval: v.optional(v.boolean()),
  /**
   * The provider: a preset id, or '' for Custom. A change re-applies that
   * preset's defaults for what presets own (shared/preset-change.ts), keeping
   * the client id, secrets, scopes and notes; fields given in the same patch win.
   */
  preset: v.optional(v.pipe(v.string(), v.maxLength(100))),
  /** N token requests per sliding window; null removes the budget. Checked by the account's validation. */
  requestBudget: v.optional(
    v.nullable(
      v.strictObject({
        maxRequests: v.pipe(v.number(), v.integer(), v.minValue(1)),
        windowSeconds: v.pipe(v.number(), v.integer(), v.minValue(1)),
      }),
    ),
  ),
});
export type AccountPatch = v.InferOutput<typeof AccountPatchSchema>;

export const AppSettingsSchema = v.object({
  /** Seconds after which a copied token is cleared from the clipboard; 0 = never. */
  clipboardClearSeconds: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(3600)),
  /** Minutes without use after which the vault locks itself (main/core/auto-lock.ts); 0 = never. At most a week. */
  autoLockMinutes: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10_080)),
});
export type AppSettings = v.InferOutput<typeof AppSettingsSchema>;

export const TokenInspectionSchema = v.object({
  tokenType: v.string(),
  obtainedAt: v.number(),
  expiresAt: v.optional(v.number()),
  hasRefreshToken: v.boolean(),
  /** The scope the server granted, split on spaces or commas. */
  scopes: v.array(v.string()),
  audience: v.array(v.string()),
  /** Decoded JWT header and claims (no signature); absent for opaque tokens. */
  header: v.optional(v.record(v.string(), v.unknown())),
  claims: v.optional(v.record(v.string(), v.unknown())),
});
export type TokenInspection = v.InferOutput<typeof TokenInspectionSchema>;

export const HistoryEntrySchema = v.object({
  at: v.number(),
  request: v.string(),
  outcome: v.picklist(['ok', 'error']),
  durationMs: v.number(),
  errorCode: v.optional(v.string()),
  message: v.optional(v.string()),
  /** A hand-out by the agent: the program, as it reported itself. */
  caller: v.optional(v.object({ pid: v.number(), executable: v.string(), parentExecutable: v.optional(v.string()), reported: v.literal(true) })),
  /** Identical hand-outs recorded as one entry. */
  count: v.optional(v.number()),
});
export type HistoryEntryView = v.InferOutput<typeof HistoryEntrySchema>;

export const BudgetSchema = v.object({
  used: v.number(),
  maxRequests: v.number(),
  windowSeconds: v.number(),
  warning: v.boolean(),
  /** Epoch ms when the next request is possible, when the budget is used up. */
  nextAt: v.optional(v.number()),
});
export type BudgetView = v.InferOutput<typeof BudgetSchema>;

/**
 * A program asks the app's agent for something the user must allow. The
 * caller is what the program reported about itself: shown, never trusted.
 */
export const AgentApprovalEventSchema = v.object({
  type: v.literal('agent-approval'),
  id: v.string(),
  account: v.string(),
  operation: v.picklist(['token', 'import', 'remove', 'revoke']),
  caller: v.object({ pid: v.number(), executable: v.string(), parentExecutable: v.optional(v.string()) }),
  /** Epoch ms: unanswered by then, the request is denied. */
  expiresAt: v.number(),
});
export type AgentApprovalEvent = v.InferOutput<typeof AgentApprovalEventSchema>;

/**
 * Encrypted backups (main/core/backup). The backup's passphrase is the one
 * chosen for the backup, never stored; the text is the backup file as the
 * renderer read it from an `<input type=file>`. No response holds a secret.
 */
const BackupText = v.pipe(v.string(), v.minLength(1), v.maxLength(64 * 1024 * 1024));
export const BackupListingSchema = v.object({
  /** When the backup was saved (epoch ms). */
  createdAt: v.number(),
  accounts: v.array(
    v.object({
      name: v.string(),
      preset: v.optional(v.string()),
      grant: v.string(),
      /** When the account was added (not recorded by the vault yet). */
      createdAt: v.optional(v.number()),
      /** When the account was last used (its newest history entry). */
      lastUsedAt: v.optional(v.number()),
      /** The vault has an account of this name: skipped unless replaced. */
      exists: v.boolean(),
      hasRefreshToken: v.boolean(),
    }),
  ),
});
export type BackupListing = v.InferOutput<typeof BackupListingSchema>;
const BACKUP_CHANNELS = {
  /** Asks where to save (the save dialog), then writes every account under `passphrase`; a closed dialog is a `cancelled` error. */
  'backup:save': { request: v.strictObject({ passphrase: Passphrase }), response: v.object({ path: v.string(), accounts: v.number() }) },
  /** What the backup holds (never a secret), each account marked when its name is in the vault. */
  'backup:inspect': {
    request: v.strictObject({ text: BackupText, passphrase: Passphrase, fileName: v.optional(ShortText) }),
    response: BackupListingSchema,
  },
  /** Adds the backup's accounts; with `replace`, replaces those of the same name, else skips them. All or nothing. */
  'backup:restore': {
    request: v.strictObject({ text: BackupText, passphrase: Passphrase, replace: v.boolean(), fileName: v.optional(ShortText) }),
    response: v.object({ added: v.array(v.string()), replaced: v.array(v.string()), skipped: v.array(v.string()) }),
  },
} as const;

/**
 * Channel table. Add channels here; `main/core/api.ts` must implement every
 * one (the type of the handler table enforces it).
 */
export const IPC_CONTRACT = {
  /**
   * While unlocked: whether a recovery passphrase is set, and what the user
   * must be told about the vault that was opened (SPEC 4: opening from the
   * backup is always announced).
   */
  'app:status': {
    request: Empty,
    response: v.object({
      vault: v.picklist(['missing', 'locked', 'unlocked']),
      keychain: v.picklist(['available', 'basic_text', 'unavailable']),
      recoveryPassphrase: v.optional(v.boolean()),
      recovery: v.optional(v.object({ backupSavedAt: v.number(), damagedCopyPath: v.optional(v.string()) })),
      rollback: v.optional(v.object({ savedAt: v.number(), detected: v.picklist(['on-open', 'while-open']) })),
      folderWarning: v.optional(v.string()),
      /** Why the command line cannot use the unlocked app (its agent did not start), in plain words. */
      agentWarning: v.optional(v.string()),
    }),
  },
  /** Creates the vault; the passphrase adds the recovery slot (required without a keychain). */
  'app:create': { request: v.strictObject({ passphrase: v.optional(Passphrase) }), response: Empty },
  'app:unlock': { request: v.strictObject({ passphrase: v.optional(Passphrase) }), response: Empty },
  /** Forgets the keys and every secret, stops serving the command line; the window then shows its unlock screen. */
  'app:lock': { request: Empty, response: Empty },
  /** Sets the recovery passphrase; changing one needs the current one. */
  'app:set-passphrase': { request: v.strictObject({ passphrase: Passphrase, currentPassphrase: v.optional(Passphrase) }), response: Empty },
  'settings:get': { request: Empty, response: AppSettingsSchema },
  'settings:set': {
    request: v.strictObject({ clipboardClearSeconds: v.optional(AppSettingsSchema.entries.clipboardClearSeconds), autoLockMinutes: v.optional(AppSettingsSchema.entries.autoLockMinutes) }),
    response: AppSettingsSchema,
  },
  /**
   * The user pressed a key or clicked in the window (sent at most every few
   * seconds): the auto-lock's idle time starts again. Only input counts, never
   * the window's own reloads (main/core/auto-lock.ts).
   */
  'app:activity': { request: Empty, response: Empty },
  'accounts:list': { request: Empty, response: v.array(AccountSummarySchema) },
  'accounts:get': { request: v.strictObject({ name: AccountName }), response: PublicAccountSchema },
  /** Parses without storing; secrets come back masked (only `has*` flags). */
  /**
   * `names[i]`, when not empty, is the name of the i-th account of the text (the preview's name field).
   * `notes`: what TokenDesk changed or recognised to read the text, in plain words.
   * `conflicts`: accounts whose name is already in the vault (`index` counts as `names` does, the order
   * of the text, which is the order of `accounts` whenever `problems` is empty), with a free name.
   */
  'accounts:preview': {
    request: v.strictObject({ text: ImportText, fileName: v.optional(ShortText), names: v.optional(ImportNames) }),
    response: v.object({
      accounts: v.array(PublicAccountSchema),
      problems: v.array(ImportProblemSchema),
      notes: v.array(v.string()),
      conflicts: v.array(ImportConflictSchema),
    }),
  },
  /** Stores every account of the text, or none; `names` as for `accounts:preview`. */
  'accounts:import': {
    request: v.strictObject({ text: ImportText, fileName: v.optional(ShortText), names: v.optional(ImportNames) }),
    response: v.object({ names: v.array(v.string()) }),
  },
  /**
   * `dropped`: stored secrets the change removed because it would have sent
   * them somewhere new (shared/secret-exposure.ts).
   */
  'accounts:update': {
    request: v.strictObject({ name: AccountName, patch: AccountPatchSchema }),
    response: v.object({ dropped: v.array(v.picklist(['clientSecret', 'password', 'key', 'accessToken', 'tokens'])) }),
  },
  'accounts:rename': { request: v.strictObject({ name: AccountName, newName: AccountName }), response: Empty },
  'accounts:remove': { request: v.strictObject({ name: AccountName }), response: Empty },
  'accounts:history': {
    request: v.strictObject({ name: AccountName }),
    response: v.object({ entries: v.array(HistoryEntrySchema), budget: v.optional(BudgetSchema) }),
  },
  /** OpenID Connect / RFC 8414 discovery: endpoints for the add-account form. */
  'accounts:discover': {
    request: v.strictObject({ issuer: v.pipe(ShortText, v.minLength(1)) }),
    response: v.object({
      issuer: v.string(),
      tokenUrl: v.optional(v.string()),
      authorizeUrl: v.optional(v.string()),
      revokeUrl: v.optional(v.string()),
      deviceAuthorizationUrl: v.optional(v.string()),
      grantTypes: v.optional(v.array(v.string())),
      scopes: v.optional(v.array(v.string())),
    }),
  },
  'tokens:copy': {
    request: v.strictObject({ name: AccountName, what: v.picklist(['token', 'header']), force: v.optional(v.boolean()) }),
    response: v.object({ expiresAt: v.optional(v.number()), clearsAt: v.optional(v.number()) }),
  },
  /**
   * Gets a token (new when `force`) without copying it. `newToken`: the token
   * now stored differs from the one stored before the call (false for a
   * static token, or when the provider gave the same token back).
   */
  'tokens:refresh': {
    request: v.strictObject({ name: AccountName, force: v.optional(v.boolean()) }),
    response: v.object({ expiresAt: v.optional(v.number()), newToken: v.boolean() }),
  },
  /** Decodes the cached token in the main process: no raw token, no signature. */
  'tokens:inspect': { request: v.strictObject({ name: AccountName }), response: v.nullable(TokenInspectionSchema) },
  /** The raw access token, only on the user's explicit request. */
  'tokens:reveal': { request: v.strictObject({ name: AccountName }), response: v.object({ accessToken: v.string(), tokenType: v.string() }) },
  /** Forgets the tokens; `revokedAtServer` says whether the server was told too (it needs a revoke URL). */
  'tokens:revoke': { request: v.strictObject({ name: AccountName }), response: v.object({ revokedAtServer: v.boolean() }) },
  /** GET the account's api_url with the token: status and a short excerpt. */
  'tokens:test-api': {
    request: v.strictObject({ name: AccountName }),
    response: v.object({ url: v.string(), status: v.number(), statusText: v.string(), contentType: v.optional(v.string()), excerpt: v.string(), durationMs: v.number() }),
  },
  /** The "paste the URL you were redirected to" fallback. */
  'flows:complete': { request: v.strictObject({ callbackUrl: v.pipe(v.string(), v.minLength(1), v.maxLength(8192)) }), response: Empty },
  /** Opens the current flow's page (authorize URL, device verification link) in the system browser again. */
  'flows:open-browser': { request: v.strictObject({ name: AccountName }), response: Empty },
  /** Copies the pending device sign-in's user code in the main process (the page has no clipboard permission). */
  'flows:copy-code': { request: v.strictObject({ name: AccountName }), response: Empty },
  /** Cancels whatever long operation runs for the account (browser wait, device code, token request, revoke, API test). */
  'flows:cancel': { request: v.strictObject({ name: AccountName, flowId: v.optional(ShortText) }), response: Empty },
  /** The user's answer to a program's request (an `agent-approval` event). */
  'agent:answer': { request: v.strictObject({ id: v.pipe(v.string(), v.minLength(1), v.maxLength(100)), answer: v.picklist(['once', 'session', 'deny']) }), response: Empty },
  /** The request waiting for an answer, if any: a window opened (or reloaded) after its event shows it too. */
  'agent:pending': { request: Empty, response: v.array(AgentApprovalEventSchema) },
  ...BACKUP_CHANNELS,
  /**
   * How strong a new passphrase is, by the main process's rule (the one the
   * vault and the CLI enforce), for the strength meter. Never logged.
   */
  'passphrase:check': {
    request: v.strictObject({ passphrase: v.pipe(v.string(), v.maxLength(1024)) }),
    response: v.object({
      acceptable: v.boolean(),
      score: v.union([v.literal(0), v.literal(1), v.literal(2), v.literal(3), v.literal(4)]),
      feedback: v.string(),
    }),
  },
} as const;

export type IpcContract = typeof IPC_CONTRACT;
export type IpcChannel = keyof IpcContract;
export type IpcRequest<C extends IpcChannel> = v.InferInput<IpcContract[C]['request']>;
export type IpcResponse<C extends IpcChannel> = v.InferOutput<IpcContract[C]['response']>;

/** The main process's handler table: one function per channel. */
export type IpcHandlers = { [C in IpcChannel]: (request: IpcRequest<C>) => Promise<IpcResult<IpcResponse<C>>> };

/** One-way events from main to renderer (token changed, flow prompts, ...). */
export const IPC_EVENT_CHANNEL = 'tokendesk:event';

export const AppEventSchema = v.variant('type', [
  v.object({ type: v.literal('accounts-changed') }),
  v.object({ type: v.literal('authorization-prompt'), flowId: v.string(), account: v.string(), url: v.string(), listening: v.boolean(), expiresAt: v.number() }),
  v.object({ type: v.literal('device-code-prompt'), account: v.string(), userCode: v.string(), verificationUri: v.string(), verificationUriComplete: v.optional(v.string()), expiresAt: v.number() }),
  v.object({ type: v.literal('clipboard'), state: v.picklist(['copied', 'cleared']), account: v.string() }),
  /** Short progress line for a long operation ("Waiting for the browser..."). */
  v.object({ type: v.literal('progress'), account: v.string(), message: v.string() }),
  /** A plain-words warning, e.g. the request budget is nearly used up. */
  v.object({ type: v.literal('warning'), account: v.string(), message: v.string() }),
  /** An interactive flow (browser or device code) ended, whatever the outcome. */
  v.object({ type: v.literal('flow-ended'), account: v.string() }),
  AgentApprovalEventSchema,
  /** The approval's question is answered, timed out or withdrawn (the program went away): its dialog closes. */
  v.object({ type: v.literal('agent-approval-closed'), id: v.string() }),
  /** The vault was locked (from the tray, or the window): show the unlock screen. `reason`: why (main/core/auto-lock.ts LockReason). */
  v.object({ type: v.literal('locked'), reason: v.optional(v.picklist(['user', 'idle', 'screen-locked', 'suspend'])) }),
]);
export type AppEvent = v.InferOutput<typeof AppEventSchema>;

/** What the preload exposes as `window.tokendesk`. */
export type TokenDeskApi = { [C in IpcChannel]: (request: IpcRequest<C>) => Promise<IpcResult<IpcResponse<C>>> } & {
  onEvent(listener: (event: AppEvent) => void): () => void;
};

/** The channel list, for the preload to build its allow-listed object. */
export const IPC_CHANNELS = Object.keys(IPC_CONTRACT) as IpcChannel[];

/**
 * Validates a request against its channel's schema. Returns the typed request
 * or an input error result; the main process (and the test harness) call this
 * before any handler runs. The message names no value: it may be a secret.
 */
export function parseIpcRequest<C extends IpcChannel>(channel: C, request: unknown): { ok: true; value: IpcRequest<C> } | { ok: false; error: IpcError } {
  const schema = IPC_CONTRACT[channel].request as v.GenericSchema;
  const result = v.safeParse(schema, request ?? {});
  if (result.success) return { ok: true, value: result.output as IpcRequest<C> };
  const fields = result.issues.map((issue) => v.getDotPath(issue) ?? '(request)').join(', ');
  return { ok: false, error: { kind: 'input', code: 'ERR_IPC_REQUEST', message: `The request for ${channel} is not valid (${fields}).` } };
}

export function isIpcChannel(value: unknown): value is IpcChannel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(IPC_CONTRACT, value);
}
