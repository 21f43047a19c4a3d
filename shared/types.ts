/**
 * Types shared by the main process and the renderer. Plain data only: nothing
 * here may import Node, Electron or the DOM, so both sides can use it.
 */

/** The ways TokenDesk can obtain an access token for an account. */
export const GRANT_TYPES = [
  'client_credentials',
  'password',
  'authorization_code',
  'jwt_bearer',
  'device_code',
  'static',
] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/**
 * Client authentication at the token, refresh and revocation endpoints.
 * - basic: RFC 6749 2.3.1, id and secret form-encoded, then Base64
 * - basic_raw: Base64 of `id:secret` without form-encoding (many servers do not decode)
 * - body: client_id and client_secret in the form body
 * - query: every parameter in the URL query of the POST (Netrex)
 * - none: public client, client_id in the body only
 * - private_key_jwt: RFC 7523 client assertion signed with the account's key
 * - tls_client_auth: RFC 8705 2.1, the client certificate (issued by an authority the server trusts) authenticates; client_id in the body, no secret
 * - self_signed_tls_client_auth: RFC 8705 2.2, the same with a certificate the server knows by its fingerprint
 */
export const CLIENT_AUTH_METHODS = ['basic', 'basic_raw', 'body', 'query', 'none', 'private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** Request kinds that may carry extra parameters (`[extra.token]` and so on). */
export const REQUEST_KINDS = ['token', 'refresh', 'authorize', 'revoke', 'device'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** Stable error codes. Callers switch on these, never on messages. */
export const ERROR_KINDS = ['input', 'auth_server', 'transport', 'vault', 'system', 'cancelled'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];
