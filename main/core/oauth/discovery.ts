/**
 * Endpoint discovery from an issuer URL: OpenID Connect Discovery first, then
 * RFC 8414 authorization server metadata.
 */
import type { AccountSettings } from '../../../shared/account.js';
import { CancelledError, InputError, TransportError } from '../errors.js';
import type { GrantContext } from './context.js';
import { DEFAULT_TIMEOUT_MS } from './context.js';
import { assertSecureEndpoint, displayUrl, safeRequest } from './http.js';
import { quoteServerText } from './redaction.js';

export interface DiscoveredEndpoints {
  issuer: string;
  tokenUrl?: string;
  authorizeUrl?: string;
  revokeUrl?: string;
  deviceAuthorizationUrl?: string;
  /** `grant_types_supported`, so a form can offer only what the server does. */
  grantTypes?: string[];
  /** `scopes_supported`, as suggestions. */
  scopes?: string[];
  /** RFC 9207 3: `authorization_response_iss_parameter_supported` is true. */
  issParameterSupported?: boolean;
}

/** The two well-known locations for an issuer, in the order they are tried. */
export function wellKnownUrls(issuer: URL): string[] {
  const path = issuer.pathname.replace(/\/+$/, '');
  return [
    // OpenID Connect Discovery 1.0 section 4: appended to the issuer.
    `${issuer.origin}${path}/.well-known/openid-configuration`,
    // RFC 8414 section 3.1: inserted between the host and the issuer's path.
    `${issuer.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

const FIELDS = [
  ['token_endpoint', 'tokenUrl', 'token endpoint'],
  ['authorization_endpoint', 'authorizeUrl', 'authorization endpoint'],
  ['revocation_endpoint', 'revokeUrl', 'revocation endpoint'],
  ['device_authorization_endpoint', 'deviceAuthorizationUrl', 'device authorization endpoint'],
] as const;

/**
 * Reads the issuer's metadata; the document's `issuer` must be the one asked
 * for (RFC 8414 3.3) and every endpoint in it must be https (or loopback).
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
 */
export async function discoverEndpoints(issuer: string, ctx: GrantContext): Promise<DiscoveredEndpoints> {
  const issuerUrl = assertSecureEndpoint(issuer, 'issuer');
  if (issuerUrl.search || issuerUrl.hash) {
    throw new InputError('ERR_INPUT_FIELD', 'An issuer URL has no query or fragment (RFC 8414 2).', { field: 'issuer' });
  }
  const tried: string[] = [];
  for (const url of wellKnownUrls(issuerUrl)) {
    const what = 'discovery endpoint';
    const response = await safeRequest(url, { method: 'GET', headers: { Accept: 'application/json' } }, ctx, what);
    tried.push(`${displayUrl(url)} (HTTP ${response.status})`);
    const metadata = response.json;
    if (response.status !== 200 || typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) continue;
    const record = metadata as Record<string, unknown>;
    // A pasted trailing slash is forgiven; any other difference is a different (or impostor) issuer.
    if (record.issuer !== issuer && record.issuer !== issuer.replace(/\/+$/, '')) {
      const named = typeof record.issuer === 'string' ? `"${quoteServerText(record.issuer, 200, ctx.knownSecrets)}"` : 'no issuer';
      throw new InputError(
        'ERR_INPUT_FIELD',
        `The discovery document at ${displayUrl(url)} names ${named}, not "${quoteServerText(issuer, 200)}". TokenDesk does not use metadata of another issuer.`,
        { field: 'issuer' },
      );
    }
    const found: DiscoveredEndpoints = { issuer: record.issuer };
    if (record.authorization_response_iss_parameter_supported === true) found.issParameterSupported = true;
    for (const [wire, field, label] of FIELDS) {
      const value = record[wire];
      if (typeof value !== 'string' || value === '') continue;
      assertSecureEndpoint(value, `${label} (from discovery)`);
      found[field] = value;
    }
    const grantTypes = stringList(record.grant_types_supported);
    if (grantTypes) found.grantTypes = grantTypes;
    const scopes = stringList(record.scopes_supported);
    if (scopes) found.scopes = scopes;
    return found;
  }
  throw new TransportError('ERR_HTTP_STATUS', `No discovery document found for ${quoteServerText(issuer, 300)}. Tried ${tried.join(' and ')}.`);
}

/** A metadata list of strings, capped so a hostile document cannot flood a form. */
function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const list = value.filter((item): item is string => typeof item === 'string' && item.length > 0 && item.length <= 200).slice(0, 100);
  return list.length > 0 ? list : undefined;
}

/** The endpoints an account's grant cannot work without. */
function missingEndpoint(settings: AccountSettings): boolean {
  if (settings.grant === 'static') return false;
  if (!settings.tokenUrl) return true;
  if (settings.grant === 'authorization_code') return !settings.authorizeUrl;
  if (settings.grant === 'device_code') return !settings.deviceAuthorizationUrl;
  return false;
}

/**
 * Discovery that only adds the RFC 9207 facts to an account whose endpoints
 * are all configured gets less time: the sign-in works without it.
 */
const OPTIONAL_DISCOVERY_TIMEOUT_MS = 10_000;

/**
 * Fills missing endpoints from discovery when the account names an issuer and
 * its grant lacks an endpoint. Configured values always win. An
 * authorization_code account with an issuer is also looked up when nothing
 * is missing, to learn what the issuer says about the RFC 9207 `iss`
 * parameter (settings.issuerMetadata); that look-up failing does not stop the
 * sign-in (only cancellation does). Returns a new settings object, or the same
 * one when nothing was learnt.
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
 */
export async function resolveEndpoints(settings: AccountSettings, ctx: GrantContext): Promise<AccountSettings> {
  if (!settings.issuer) return settings;
  const needed = missingEndpoint(settings);
  const wantsIssFacts = settings.grant === 'authorization_code' && settings.issuerMetadata === undefined;
  if (!needed && !wantsIssFacts) return settings;
  let found: DiscoveredEndpoints;
  if (needed) found = await discoverEndpoints(settings.issuer, ctx);
  else {
    try {
      found = await discoverEndpoints(settings.issuer, { ...ctx, timeoutMs: Math.min(ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS, OPTIONAL_DISCOVERY_TIMEOUT_MS) });
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      return settings;
    }
  }
  const resolved: AccountSettings = { ...settings };
  for (const [, field] of FIELDS) {
    if (resolved[field] === undefined && found[field] !== undefined) resolved[field] = found[field];
  }
  resolved.issuerMetadata = { issuer: found.issuer, issParameterSupported: found.issParameterSupported === true };
  return resolved;
}
