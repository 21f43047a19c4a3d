/**
 * Pending authorization-code flows (RFC 6749 4.1 with PKCE and state). One
 * instance per host (app or CLI run): it builds the authorize URL, waits for
 * the callback (loopback listener, custom protocol or a pasted URL), checks
 * `state` exactly, and exchanges the code once.
 */
import type { AccountSettings, TokenSet } from '../../../shared/account.js';
import { AuthServerError, CancelledError, InputError, TransportError } from '../errors.js';
import type { CorePorts } from '../ports.js';
import type { GrantContext } from './context.js';
import { assertSecureEndpoint, quoteServerText } from './http.js';
import { startLoopbackListener } from './loopback-listener.js';
import type { CallbackOutcome, LoopbackListener } from './loopback-listener.js';
import { loopbackBindAddress } from './loopback.js';
import { computeCodeChallenge, generateCodeVerifier, generateState } from './pkce.js';
import { extraParams } from './protocol-params.js';
import { setTargetQuery } from './resource-indicators.js';
import { requestTokens } from './token-endpoint.js';

/** SPEC 3: a pending flow expires after 10 minutes. */
export const DEFAULT_FLOW_TTL_MS = 600_000;

/** How many finished states are remembered to explain a replayed or late callback. */
const FINISHED_MEMORY = 64;

export interface AuthorizationFlowsOptions {
  ports: CorePorts;
  flowTtlMs?: number;
}

export interface PendingFlowInfo {
  flowId: string;
  accountName: string;
  expiresAt: number;
}

type FinishReason = 'completed' | 'expired' | 'cancelled';

interface PendingFlow {
  flowId: string;
  state: string;
  verifier: string;
  redirectUri: string;
  settings: AccountSettings;
  ctx: GrantContext;
  expiresAt: number;
  listener: LoopbackListener | undefined;
  /** `host:port` this flow claimed for its listener (a fixed port only), released when it finishes. */
  portClaim: string | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  onAbort: (() => void) | undefined;
  resolve(tokens: Promise<TokenSet>): void;
  reject(error: unknown): void;
}

/** Where the browser is sent back to, decided from the account's redirect_uri. */
type RedirectPlan =
  | { kind: 'loopback'; host: string; port: number; path: string; uri: URL }
  | { kind: 'external'; uri: string };

export class AuthorizationFlows {
  readonly #ports: CorePorts;
  readonly #ttlMs: number;
  readonly #byId = new Map<string, PendingFlow>();
  readonly #byState = new Map<string, PendingFlow>();
  /** state -> why it finished, so a replay or a late callback gets a precise message. */
  readonly #finished = new Map<string, FinishReason>();
  /**
   * `host:port` -> the account whose pending sign-in listens there. Claimed
   * before binding, so two accounts whose redirect URIs share a fixed port get
   * told which sign-in holds it instead of "another program is using that port".
   */
  readonly #portClaims = new Map<string, string>();

  constructor(options: AuthorizationFlowsOptions) {
    this.#ports = options.ports;
    this.#ttlMs = options.flowTtlMs ?? DEFAULT_FLOW_TTL_MS;
  }

  /**
   * Starts a flow and resolves with the tokens once the callback arrived and
   * the code was exchanged. The host opens `prompt.url` (ctx.onAuthorizationPrompt).
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
   * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
   */
  async start(settings: AccountSettings, ctx: GrantContext): Promise<TokenSet> {
    if (!settings.authorizeUrl) throw new InputError('ERR_INPUT_MISSING', 'The authorization_code grant needs authorize_url.');
    if (!settings.clientId) throw new InputError('ERR_INPUT_MISSING', 'The authorization_code grant needs client_id.');
    // The browser will carry our state and challenge there: the same https rule as the endpoints.
    assertSecureEndpoint(settings.authorizeUrl, 'authorization');
    if (ctx.signal?.aborted) throw new CancelledError();

    const plan = planRedirect(settings.redirectUri);
    const verifier = generateCodeVerifier(this.#ports);
    const state = generateState(this.#ports);
    const flowId = Buffer.from(this.#ports.randomBytes(16)).toString('hex');
    const expiresAt = this.#ports.clock.now() + this.#ttlMs;

    let resolveFlow!: (tokens: Promise<TokenSet>) => void;
    let rejectFlow!: (error: unknown) => void;
    const result = new Promise<TokenSet>((resolve, reject) => {
      resolveFlow = resolve;
      rejectFlow = reject;
    });

    const flow: PendingFlow = {
      flowId,
      state,
      verifier,
      redirectUri: plan.kind === 'external' ? plan.uri : '',
      settings,
      ctx,
      expiresAt,
      listener: undefined,
      portClaim: undefined,
      timer: undefined,
      onAbort: undefined,
      resolve: resolveFlow,
      reject: rejectFlow,
    };

    if (plan.kind === 'loopback') {
      if (plan.port !== 0) {
        const claim = `${plan.host}:${plan.port}`;
        const holder = this.#portClaims.get(claim);
        if (holder !== undefined) {
          throw new TransportError(
            'ERR_NETWORK',
            `The sign-in for "${holder}" is still waiting on port ${plan.port}: finish or cancel it first. (Both accounts' redirect_uri use that port; a different port for one of them lets both sign in at once.)`,
          );
        }
        this.#portClaims.set(claim, settings.name);
        flow.portClaim = claim;
      }
      try {
        flow.listener = await startLoopbackListener({
          host: plan.host,
          port: plan.port,
          path: plan.path,
          onCallback: (url) => this.#completeFromListener(url, flowId),
        });
      } catch (error) {
        this.#releasePort(flow);
        throw error;
      }
      // The redirect_uri sent must name the port actually bound (RFC 8252 7.3: any port is allowed).
      plan.uri.port = String(flow.listener.port);
      flow.redirectUri = plan.uri.href;
      if (ctx.signal?.aborted) {
        this.#releasePort(flow);
        await flow.listener.close();
        throw new CancelledError();
      }
    }

    this.#byId.set(flowId, flow);
    this.#byState.set(state, flow);
    flow.timer = setTimeout(() => this.#expire(flow), this.#ttlMs);
    flow.timer.unref?.();
    if (ctx.signal) {
      flow.onAbort = () => this.#finish(flow, 'cancelled', new CancelledError());
      ctx.signal.addEventListener('abort', flow.onAbort, { once: true });
    }

    try {
      const url = buildAuthorizeUrl(settings, {
        redirectUri: flow.redirectUri,
        state,
        codeChallenge: computeCodeChallenge(verifier),
      });
      ctx.onAuthorizationPrompt?.({ flowId, url, redirectUri: flow.redirectUri, listening: flow.listener !== undefined, expiresAt });
      ctx.onProgress?.(flow.listener ? 'Waiting for the sign-in in the browser...' : 'Waiting for the address the browser was redirected to...');
    } catch (error) {
      this.#finish(flow, 'cancelled', error);
    }
    return result;
  }

  /**
   * Completes a pending flow from the URL the browser was redirected to (the
   * custom protocol, or the user pasting it). Resolves once the tokens are
   * obtained; rejects with the flow's error. A URL whose `state` matches no
   * pending flow is refused (ERR_AUTH_STATE) and sends nothing anywhere.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
   */
  async complete(callbackUrl: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(callbackUrl.trim());
    } catch {
      throw new InputError('ERR_INPUT_FIELD', 'That is not the address the browser was redirected to (it is not a URL).');
    }
    await this.#complete(url, undefined);
  }

  /** Cancels one pending flow; its `start` rejects with CancelledError. Returns false when no such flow is pending. */
  cancel(flowId: string): boolean {
    const flow = this.#byId.get(flowId);
    if (!flow) return false;
    this.#finish(flow, 'cancelled', new CancelledError());
    return true;
  }

  /** Cancels every pending flow (app quit, CLI exit). */
  cancelAll(): void {
    for (const flow of [...this.#byId.values()]) this.#finish(flow, 'cancelled', new CancelledError());
  }

  /** The flows waiting for a callback. No state, verifier or URL: nothing secret-adjacent leaves. */
  pending(): PendingFlowInfo[] {
    return [...this.#byId.values()].map((f) => ({ flowId: f.flowId, accountName: f.settings.name, expiresAt: f.expiresAt }));
  }

  async #completeFromListener(url: URL, flowId: string): Promise<CallbackOutcome> {
    try {
      return { ok: true, accountName: await this.#complete(url, flowId) };
    } catch (error) {
      return { ok: false, reason: describeForPage(error) };
    }
  }

  /** Resolves with the account name once the tokens are obtained. */
  async #complete(url: URL, viaFlowId: string | undefined): Promise<string> {
    const params = url.searchParams;
    const state = params.get('state');
    const flow = state === null ? undefined : this.#byState.get(state);
    // A callback on one flow's listener must carry that flow's state.
    if (!flow || (viaFlowId !== undefined && flow.flowId !== viaFlowId)) {
      const finished = state === null ? undefined : this.#finished.get(state);
      if (finished === 'expired') {
        throw new AuthServerError('ERR_AUTH_EXPIRED', 'This sign-in expired before the browser came back. Start it again.', { error: 'expired' });
      }
      throw new AuthServerError(
        'ERR_AUTH_STATE',
        finished === 'completed'
          ? 'This sign-in address was already used. Each sign-in can be completed only once; start a new one if needed.'
          : 'This address does not belong to a sign-in TokenDesk is waiting for (its "state" does not match). Start the sign-in again from TokenDesk.',
        { error: 'invalid_state' },
      );
    }
    if (this.#ports.clock.now() >= flow.expiresAt) {
      this.#expire(flow);
      throw new AuthServerError('ERR_AUTH_EXPIRED', 'This sign-in expired before the browser came back. Start it again.', { error: 'expired' });
    }

    // RFC 9207 2.4, before anything of the answer is believed (an error too): the server
    // that answers must be the issuer the request went to (mix-up defence). The expected
    // issuer is the one its discovery metadata names, else the account's issuer setting.
    const expectedIssuer = flow.settings.issuerMetadata?.issuer ?? flow.settings.issuer;
    const iss = params.get('iss');
    if (iss === null && flow.settings.issuerMetadata?.issParameterSupported) {
      const failure = new AuthServerError(
        'ERR_AUTH_SERVER',
        `The sign-in answer for ${flow.settings.name} does not say which server sent it (no "iss"), although ${quoteServerText(flow.settings.issuerMetadata.issuer, 120)} always says so; TokenDesk refused it. Start the sign-in again.`,
        { error: 'missing_issuer' },
      );
      this.#finish(flow, 'completed', failure);
      throw failure;
    }
    if (iss !== null && expectedIssuer && iss !== expectedIssuer) {
      const failure = new AuthServerError(
        'ERR_AUTH_SERVER',
        `The sign-in answer came from ${quoteServerText(iss, 120)}, not from ${quoteServerText(expectedIssuer, 120)}; TokenDesk refused it.`,
        { error: 'issuer_mismatch' },
      );
      this.#finish(flow, 'completed', failure);
      throw failure;
    }

    const error = params.get('error');
    if (error !== null) {
      const known = flow.ctx.knownSecrets ?? [];
      const description = params.get('error_description') ?? undefined;
      const failure = new AuthServerError(
        'ERR_AUTH_DENIED',
        error === 'access_denied'
          ? `Access was not granted for ${flow.settings.name}${description ? `: ${quoteServerText(description, 200, known)}` : ''}.`
          : `The sign-in for ${flow.settings.name} failed: ${quoteServerText(error, 80, known)}${description ? ` (${quoteServerText(description, 200, known)})` : ''}.`,
        { error: quoteServerText(error, 200, known), ...(description ? { errorDescription: quoteServerText(description, 500, known) } : {}) },
      );
      this.#finish(flow, 'completed', failure);
      throw failure;
    }

    const code = params.get('code');
    if (!code) {
      const failure = new TransportError('ERR_RESPONSE_INVALID', 'The sign-in answer carried neither a code nor an error.');
      this.#finish(flow, 'completed', failure);
      throw failure;
    }

    // Mark the flow finished before any await: a concurrent replay must find nothing pending.
    const tokens = requestTokens(
      flow.settings,
      'token',
      { grant_type: 'authorization_code', code, redirect_uri: flow.redirectUri, code_verifier: flow.verifier },
      flow.ctx,
    );
    this.#finish(flow, 'completed', undefined, tokens);
    await tokens;
    return flow.settings.name;
  }

  #expire(flow: PendingFlow): void {
    this.#finish(
      flow,
      'expired',
      new AuthServerError(
        'ERR_AUTH_EXPIRED',
        `The sign-in for ${flow.settings.name} was not finished within ${Math.round(this.#ttlMs / 60_000) || 1} minute(s). Start it again.`,
        { error: 'expired' },
      ),
    );
  }

  #finish(flow: PendingFlow, reason: FinishReason, error: unknown, tokens?: Promise<TokenSet>): void {
    if (this.#byId.get(flow.flowId) !== flow) return;
    this.#byId.delete(flow.flowId);
    this.#byState.delete(flow.state);
    this.#finished.set(flow.state, reason);
    if (this.#finished.size > FINISHED_MEMORY) {
      const oldest = this.#finished.keys().next().value;
      if (oldest !== undefined) this.#finished.delete(oldest);
    }
    if (flow.timer) clearTimeout(flow.timer);
    if (flow.onAbort) flow.ctx.signal?.removeEventListener('abort', flow.onAbort);
    this.#releasePort(flow);
    // The listener stops accepting now; a callback page in flight is still delivered.
    void flow.listener?.close();
    if (tokens) flow.resolve(tokens);
    else flow.reject(error);
  }

  #releasePort(flow: PendingFlow): void {
    if (flow.portClaim !== undefined && this.#portClaims.get(flow.portClaim) === flow.settings.name) this.#portClaims.delete(flow.portClaim);
    flow.portClaim = undefined;
  }
}

function planRedirect(redirectUri: string | undefined): RedirectPlan {
  if (redirectUri === undefined || redirectUri.trim() === '') {
    return { kind: 'loopback', host: '127.0.0.1', port: 0, path: '/callback', uri: new URL('http://127.0.0.1/callback') };
  }
  let uri: URL;
  try {
    uri = new URL(redirectUri);
  } catch {
    throw new InputError('ERR_INPUT_FIELD', 'The redirect_uri is not a valid URL.');
  }
  if (uri.protocol === 'http:') {
    // The one loopback rule (loopback.ts): a redirect_uri that imports is one that can be listened on.
    const host = loopbackBindAddress(uri.hostname);
    if (!host) {
      throw new InputError(
        'ERR_INPUT_INSECURE_URL',
        `The redirect_uri ${uri.origin} uses plain http on another machine. Use http://127.0.0.1/..., https, or tokendesk://.`,
      );
    }
    return { kind: 'loopback', host, port: uri.port === '' ? 0 : Number(uri.port), path: uri.pathname, uri };
  }
  if (uri.protocol === 'javascript:' || uri.protocol === 'data:' || uri.protocol === 'file:') {
    throw new InputError('ERR_INPUT_FIELD', `The redirect_uri scheme ${uri.protocol} cannot be used.`);
  }
  // https (claimed URL) or a private-use scheme: the host completes the flow with `complete()`.
  return { kind: 'external', uri: redirectUri };
}

/**
 * The authorization request URL: the configured URL, then the account's
 * extra parameters (without any protocol parameter, protocol-params.ts), then
 * every protocol parameter last (RFC 8707 `resource` once per value, and
 * `audience`, among them), so that nothing configured can replace one
 * (an extra `response_type=token` would turn this into the implicit grant, an
 * extra `redirect_uri` would send the code elsewhere).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 * @see https://www.rfc-editor.org/rfc/rfc8707#section-2.1
 */
export function buildAuthorizeUrl(settings: AccountSettings, p: { redirectUri: string; state: string; codeChallenge: string }): string {
  const url = new URL(settings.authorizeUrl!);
  const q = url.searchParams;
  for (const [key, value] of Object.entries(extraParams(settings, 'authorize'))) q.set(key, value);
  q.set('response_type', 'code');
  q.set('client_id', settings.clientId!);
  q.set('redirect_uri', p.redirectUri);
  if (settings.scopes.length > 0) q.set('scope', settings.scopes.join(settings.scopeSeparator || ' '));
  setTargetQuery(q, settings);
  q.set('state', p.state);
  q.set('code_challenge', p.codeChallenge);
  q.set('code_challenge_method', 'S256');
  return url.href;
}

function describeForPage(error: unknown): string {
  if (error instanceof AuthServerError || error instanceof TransportError || error instanceof InputError || error instanceof CancelledError) {
    return error.message;
  }
  return 'TokenDesk could not finish the sign-in.';
}
