/**
 * Device authorization grant (RFC 8628): ask for a user code, show it, and
 * poll the token endpoint until the user approved, refused, or the code expired.
 */
import type { AccountSettings, TokenSet } from '../../../../shared/account.js';
import { AuthServerError, InputError, TransportError } from '../../errors.js';
import { authenticateRequest } from '../client-auth.js';
import type { DeviceCodePrompt, GrantContext } from '../context.js';
import { assertSecureEndpoint, safeRequest, withRateLimitRetry } from '../http.js';
import { extraParams } from '../protocol-params.js';
import type { RequestParams } from '../request-params.js';
import { targetParams } from '../resource-indicators.js';
import { quoteServerText } from '../redaction.js';
import { joinScopes, requestSecrets, requestTokens } from '../token-endpoint.js';
import { httpStatusError, notJsonError, parseErrorResponse } from '../token-response.js';
import { sleep } from '../sleep.js';

export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/** RFC 8628 3.2: "If no value is provided, clients MUST use 5 as the default." */
const DEFAULT_INTERVAL_SECONDS = 5;
/** RFC 8628 3.5: slow_down adds 5 seconds to every later poll. */
const SLOW_DOWN_STEP_SECONDS = 5;
/** A device code older than this is not believable; bounds the polling loop whatever the server says. */
const MAX_EXPIRES_IN_SECONDS = 3600;

const WHAT = 'device authorization endpoint';

/** RFC 8628 6.1 suggests 8 characters; anything past this is no code a person types. */
const MAX_USER_CODE_LENGTH = 64;

export interface DeviceCodeOptions {
  /**
   * Length of one protocol "second" in milliseconds (default 1000). Only tests
   * shorten it, so that interval and slow_down arithmetic can be observed fast.
   */
  secondMs?: number;
}

/** The parsed device authorization response. */
export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresIn: number;
  interval: number;
}

/**
 * Sends the device authorization request (client authentication as for token requests).
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.2
 */
export async function requestDeviceAuthorization(settings: AccountSettings, ctx: GrantContext): Promise<DeviceAuthorization> {
  const url = settings.deviceAuthorizationUrl;
  if (!url) throw new InputError('ERR_INPUT_MISSING', 'The device_code grant needs device_authorization_url.', { field: 'device_authorization_url' });
  assertSecureEndpoint(url, WHAT);
  // Extras first, the account's resource, audience and scope over them, client
  // authentication last (client-auth.ts). RFC 8628 3.1 defines no resource, but this
  // request is where the grant's target is asked for, as an authorization request's is.
  const params: RequestParams = { ...extraParams(settings, 'device'), ...targetParams(settings) };
  const scope = joinScopes(settings);
  if (scope !== undefined) params.scope = scope;
  const secrets = requestSecrets(settings, params, ctx);

  const response = await withRateLimitRetry(
    async () => {
      const wire = await authenticateRequest(settings.clientAuth, settings, url, params, ctx);
      secrets.push(...wire.secrets);
      return safeRequest(wire.url, { method: 'POST', headers: wire.headers, ...(wire.body !== undefined ? { body: wire.body } : {}), secrets }, ctx, WHAT);
    },
    ctx,
    WHAT,
  );
  const oauthError = parseErrorResponse(response.json, response.status, WHAT, secrets);
  if (oauthError) throw oauthError;
  if (response.status < 200 || response.status >= 300) throw httpStatusError(response, WHAT, secrets);
  if (response.json === undefined) throw notJsonError(response, WHAT, secrets);
  return parseDeviceAuthorization(response.json);
}

function parseDeviceAuthorization(json: unknown): DeviceAuthorization {
  const invalid = (why: string): TransportError =>
    new TransportError('ERR_RESPONSE_INVALID', `The ${WHAT} answered with JSON that is not a device authorization response (${why}).`);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('expected an object');
  const o = json as Record<string, unknown>;
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const num = (v: unknown): number | undefined => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isFinite(n) && n > 0 ? n : undefined;
  };
  const deviceCode = text(o.device_code);
  const userCode = text(o.user_code);
  // Google's older endpoint says verification_url.
  const verificationUri = webUrl(text(o.verification_uri) ?? text(o.verification_url));
  const expiresIn = num(o.expires_in);
  if (!deviceCode) throw invalid('no device_code');
  if (!userCode) throw invalid('no user_code');
  // The user code is printed on a terminal and shown in the app as it is: it
  // must be something a person can read and type, not escape sequences.
  if (userCode.length > MAX_USER_CODE_LENGTH || quoteServerText(userCode, MAX_USER_CODE_LENGTH) !== userCode) {
    throw invalid('a user_code with control characters, line breaks or more than 64 characters');
  }
  if (!verificationUri) throw invalid('no http(s) verification_uri');
  if (expiresIn === undefined) throw invalid('no expires_in');
  const complete = webUrl(text(o.verification_uri_complete));
  return {
    deviceCode,
    userCode,
    verificationUri,
    ...(complete ? { verificationUriComplete: complete } : {}),
    expiresIn: Math.min(expiresIn, MAX_EXPIRES_IN_SECONDS),
    interval: num(o.interval) ?? DEFAULT_INTERVAL_SECONDS,
  };
}

/**
 * An http(s) URL as the URL parser serialises it, so that control characters
 * (an ESC sequence meant to clear the screen) come out percent-encoded and
 * cannot act on a terminal; undefined when it is not one.
 */
function webUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs the device authorization grant: request a user code, show it
 * (ctx.onDeviceCodePrompt), then poll until approved, refused or expired.
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export async function runDeviceCodeGrant(settings: AccountSettings, ctx: GrantContext, options: DeviceCodeOptions = {}): Promise<TokenSet> {
  if (!settings.tokenUrl) throw new InputError('ERR_INPUT_MISSING', 'The device_code grant needs token_url.', { field: 'token_url' });
  if (!settings.clientId) throw new InputError('ERR_INPUT_MISSING', 'The device_code grant needs client_id.', { field: 'client_id' });
  assertSecureEndpoint(settings.tokenUrl, 'token endpoint');
  const secondMs = options.secondMs ?? 1000;

  const auth = await requestDeviceAuthorization(settings, ctx);
  const start = ctx.ports.clock.now();
  const expiresAt = start + auth.expiresIn * 1000;
  // Wall-clock bound for the loop, independent of the injected clock (which tests may freeze).
  const deadline = Date.now() + auth.expiresIn * secondMs;
  let interval = auth.interval;

  const prompt: DeviceCodePrompt = {
    userCode: auth.userCode,
    verificationUri: auth.verificationUri,
    ...(auth.verificationUriComplete ? { verificationUriComplete: auth.verificationUriComplete } : {}),
    expiresAt,
    intervalSeconds: interval,
  };
  ctx.onDeviceCodePrompt?.(prompt);
  ctx.onProgress?.('Waiting for the code to be confirmed...');

  const expired = (): AuthServerError =>
    new AuthServerError('ERR_AUTH_EXPIRED', `The code ${quoteServerText(auth.userCode, MAX_USER_CODE_LENGTH)} expired before it was confirmed. Start the sign-in again.`, {
      error: 'expired_token',
    });

  for (;;) {
    // Never sleep past the code's expiry, whatever interval the server asked for.
    await sleep(Math.min(interval * secondMs, Math.max(0, deadline - Date.now())), ctx.signal);
    if (Date.now() >= deadline || ctx.ports.clock.now() >= expiresAt) throw expired();
    try {
      return await requestTokens(settings, 'token', { grant_type: DEVICE_CODE_GRANT_TYPE, device_code: auth.deviceCode }, ctx);
    } catch (error) {
      if (!(error instanceof AuthServerError)) throw error;
      switch (error.error) {
        case 'authorization_pending':
          continue;
        case 'slow_down':
          interval += SLOW_DOWN_STEP_SECONDS;
          ctx.onProgress?.(`The server asked TokenDesk to poll more slowly (every ${interval} s).`);
          continue;
        case 'access_denied':
          throw new AuthServerError(
            'ERR_AUTH_DENIED',
            `Access was not granted for ${settings.name}${error.errorDescription ? `: ${error.errorDescription}` : ''}.`,
            { error: error.error, ...(error.errorDescription ? { errorDescription: error.errorDescription } : {}), ...(error.status !== undefined ? { status: error.status } : {}) },
          );
        case 'expired_token':
          throw expired();
        default:
          throw error;
      }
    }
  }
}

