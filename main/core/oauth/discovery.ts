/**
 * Endpoint discovery from an issuer URL: OpenID Connect Discovery first, then
 * RFC 8414 authorization server metadata.
 */
import type { AccountSettings } from '../../../shared/account.js';
import { InputError, TransportError } from '../errors.js';
import type { GrantContext } from './context.js';
import { assertSecureEndpoint, displayUrl, safeRequest } from './http.js';

export interface DiscoveredEndpoints {
  issuer: string;
  tokenUrl?: string;
  authorizeUrl?: string;
  revokeUrl?: string;
  deviceAuthorizationUrl?: string;
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
      const named = typeof record.issuer === 'string' ? `"${record.issuer.slice(0, 200)}"` : 'no issuer';
      throw new InputError(
        'ERR_INPUT_FIELD',
        `The discovery document at ${displayUrl(url)} names ${named}, not "${issuer}". TokenDesk does not use metadata of another issuer.`,
        { field: 'issuer' },
      );
    }
    const found: DiscoveredEndpoints = { issuer: record.issuer };
    for (const [wire, field, label] of FIELDS) {
      const value = record[wire];
      if (typeof value !== 'string' || value === '') continue;
      assertSecureEndpoint(value, `${label} (from discovery)`);
      found[field] = value;
    }
    return found;
  }
  throw new TransportError('ERR_HTTP_STATUS', `No discovery document found for ${issuer}. Tried ${tried.join(' and ')}.`);
}

/**
 * Fills missing endpoints from discovery when the account names an issuer but
 * no token URL. Configured values always win. Returns a new settings object.
 */
export async function resolveEndpoints(settings: AccountSettings, ctx: GrantContext): Promise<AccountSettings> {
  if (!settings.issuer || settings.tokenUrl) return settings;
  const found = await discoverEndpoints(settings.issuer, ctx);
  const resolved: AccountSettings = { ...settings };
  for (const [, field] of FIELDS) {
    if (resolved[field] === undefined && found[field] !== undefined) resolved[field] = found[field];
  }
  return resolved;
}
