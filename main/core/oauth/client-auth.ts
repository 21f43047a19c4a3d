/**
 * Client authentication, the same for token, refresh and revocation requests
 * (SPEC 2). Each method turns the request parameters into the URL, headers and
 * body that go on the wire.
 */
import type { AccountSettings } from '../../../shared/account.js';
import type { ClientAuthMethod } from '../../../shared/types.js';
import { InputError } from '../errors.js';
import type { GrantContext } from './context.js';
import { assertAudienceOrigin, createJwtAssertion } from './jwt-assertion.js';
import { basicAuthorization, basicVariantsDiffer, formEncode } from './basic-credentials.js';
import type { RequestParams } from './request-params.js';
import { toSearchParams } from './request-params.js';

export const JWT_BEARER_CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface WireRequest {
  /** The endpoint exactly as configured, plus a query for the `query` method. */
  url: string;
  headers: Record<string, string>;
  /** application/x-www-form-urlencoded; undefined for an empty body. */
  body: string | undefined;
  /** The secret values this authentication put on the wire (client secret, Basic credentials, client assertion), for redaction. */
  secrets: string[];
}

export { basicAuthorization, basicVariantsDiffer, formEncode };

/** Appends parameters to a URL string without re-serialising what was given (never normalise: SPEC 2). */
export function appendQuery(url: string, params: URLSearchParams): string {
  const query = params.toString();
  if (!query) return url;
  const hash = url.indexOf('#');
  const base = hash >= 0 ? url.slice(0, hash) : url;
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${sep}${query}`;
}

/**
 * Authenticates a request with `method`. `params` are the request parameters
 * (extras and protocol, already merged with the protocol last; an array
 * value goes on the wire once per element, as RFC 8707 `resource` does); client
 * authentication is set after them, so nothing in `params` can replace it.
 * `audience` is the client assertion's `aud` for private_key_jwt; it must be
 * on the endpoint's origin (checked before signing).
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-2.2
 * @see https://www.rfc-editor.org/rfc/rfc8705#section-2
 */
export async function authenticateRequest(
  method: ClientAuthMethod,
  settings: AccountSettings,
  endpointUrl: string,
  params: RequestParams,
  ctx: GrantContext,
  audience: string = endpointUrl,
): Promise<WireRequest> {
  const form = toSearchParams(params);
  // Client authentication is the method's alone: whatever `params` says about it goes.
  for (const name of ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type']) form.delete(name);
  const headers: Record<string, string> = { Accept: 'application/json' };
  const secrets: string[] = [];
  const clientId = settings.clientId;
  const requireId = (): string => {
    if (!clientId) throw new InputError('ERR_INPUT_MISSING', `Client authentication "${method}" needs client_id.`, { field: 'client_id' });
    return clientId;
  };
  const requireSecret = (): string => {
    if (settings.clientSecret === undefined) {
      throw new InputError('ERR_INPUT_MISSING', `Client authentication "${method}" needs client_secret.`, { field: 'client_secret' });
    }
    return settings.clientSecret;
  };
  switch (method) {
    case 'basic':
    case 'basic_raw':
      headers.Authorization = basicAuthorization(requireId(), requireSecret(), method === 'basic_raw');
      secrets.push(requireSecret(), headers.Authorization.slice('Basic '.length));
      break;
    case 'body':
      form.set('client_id', requireId());
      if (settings.clientSecret !== undefined) {
        form.set('client_secret', settings.clientSecret);
        secrets.push(settings.clientSecret);
      }
      break;
    case 'tls_client_auth':
    case 'self_signed_tls_client_auth':
      // RFC 8705 2: the certificate presented in the TLS handshake authenticates; the body names the client, and no secret is sent.
      if (!settings.clientCertificate) {
        throw new InputError('ERR_INPUT_MISSING', `Client authentication "${method}" needs a client certificate (client_certificate and client_key, or client_pkcs12).`, {
          field: 'client_certificate',
        });
      }
      form.set('client_id', requireId());
      break;
    case 'none':
      // Without a client_id this is no client authentication at all (a jwt-bearer grant needs none).
      if (clientId) form.set('client_id', clientId);
      break;
    case 'query': {
      // Netrex reads parameters from the query string only and ignores the body.
      form.set('client_id', requireId());
      if (settings.clientSecret !== undefined) {
        form.set('client_secret', settings.clientSecret);
        secrets.push(settings.clientSecret);
      }
      return { url: appendQuery(endpointUrl, form), headers, body: undefined, secrets };
    }
    case 'private_key_jwt': {
      if (!settings.key) {
        throw new InputError('ERR_INPUT_MISSING', 'Client authentication "private_key_jwt" needs a key file.', { field: 'key' });
      }
      assertAudienceOrigin(audience, endpointUrl, 'private_key_jwt client assertion', 'token_url');
      const id = clientId ?? settings.key.clientId;
      if (id) form.set('client_id', id);
      form.set('client_assertion_type', JWT_BEARER_CLIENT_ASSERTION_TYPE);
      const assertion = await createJwtAssertion(settings.key, audience, ctx.ports, 300);
      form.set('client_assertion', assertion);
      secrets.push(assertion);
      break;
    }
  }
  headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return { url: endpointUrl, headers, body: form.toString(), secrets };
}
