/**
 * The account model: what the importer produces, what the vault stores, what
 * the grant engines read. Field names are camelCase; the TOML keys and wire
 * fields stay snake_case (see main/core/import/aliases.ts).
 */
import type { ClientAuthMethod, GrantType, RequestKind } from './types.js';

/** A Zitadel-style service-account or application key file (myfiber seed). */
export interface ServiceAccountKey {
  type: 'serviceaccount' | 'application';
  keyId: string;
  /** PEM private key (PKCS#1 "RSA PRIVATE KEY" or PKCS#8). Secret. */
  key: string;
  /** `serviceaccount` keys: the subject and issuer of the assertion. */
  userId?: string;
  /** `application` keys: the subject and issuer of the assertion. */
  clientId?: string;
}

/**
 * What the account's client certificate is, as shown to the user (never the
 * key). Read from the certificate at import.
 */
export interface ClientCertificateInfo {
  /** The subject's distinguished name, RFC 4514 order as Node prints it ("CN=…, O=…"). */
  subject: string;
  issuer: string;
  /** Epoch milliseconds. */
  notBefore: number;
  /** Epoch milliseconds. */
  notAfter: number;
  /** SHA-256 fingerprint, colon-separated hex (what `openssl x509 -fingerprint -sha256` prints). */
  fingerprint256: string;
  serialNumber: string;
}

/**
 * A client certificate for mutual TLS (RFC 8705 `tls_client_auth` and
 * `self_signed_tls_client_auth`), imported into the vault: never a path read
 * at each request. Secret: the key, the PKCS#12 file and their passwords.
 */
export type ClientCertificate =
  | {
      format: 'pem';
      /** PEM certificate, optionally followed by its intermediate authorities. */
      certificate: string;
      /** PEM private key (PKCS#8, PKCS#1 or SEC1; possibly encrypted). Secret. */
      key: string;
      /** Password of an encrypted key. Secret. */
      keyPassword?: string;
      info: ClientCertificateInfo;
    }
  | {
      format: 'pkcs12';
      /** The .p12 / .pfx file, base64. Secret. */
      pkcs12: string;
      /** Secret. */
      password?: string;
      info: ClientCertificateInfo;
    };

/** How revocation is sent: RFC 7009 form POST, or Netrex's `?access_token=`. */
export type RevokeStyle = 'rfc7009' | 'access_token_query';

/** A per-account limit on token requests (Myfox deactivates greedy apps). */
export interface RequestBudget {
  /** At most this many token requests... */
  maxRequests: number;
  /** ...within this sliding window, in seconds. */
  windowSeconds: number;
}

export interface AccountSettings {
  /** Unique, user-chosen display name; also the CLI's NAME. */
  name: string;
  /** Preset the account was created from, if any (`myfiber`, `netrex`, ...). */
  preset?: string;
  grant: GrantType;
  tokenUrl?: string;
  authorizeUrl?: string;
  revokeUrl?: string;
  revokeStyle?: RevokeStyle;
  deviceAuthorizationUrl?: string;
  /** Discovery base and the jwt_bearer audience. */
  issuer?: string;
  clientId?: string;
  /** Secret. */
  clientSecret?: string;
  clientAuth: ClientAuthMethod;
  /**
   * true: nobody chose `clientAuth` (neither the credentials text nor a
   * preset said), so it is TokenDesk's guess (`basic`). When the server
   * refuses it with invalid_client, the other ways are tried once (the secret
   * in the form body, then `basic_raw`) and the one that works replaces the
   * guess, removing this flag (main/core/oauth/token-endpoint.ts).
   */
  clientAuthAuto?: true;
  username?: string;
  /** Secret. */
  password?: string;
  scopes: string[];
  /** " " (standard) or "," (Netrex). */
  scopeSeparator: string;
  redirectUri?: string;
  /** jwt_bearer and private_key_jwt. Secret (its `key`). */
  key?: ServiceAccountKey;
  /** static grant: a personal access token. Secret. */
  accessToken?: string;
  /**
   * Presented on every TLS connection of this account (token, refresh,
   * revoke, discovery, Test API call, `request`): mutual TLS, RFC 8705.
   * Secret (its key, PKCS#12 file and passwords); its `info` is public.
   */
  clientCertificate?: ClientCertificate;
  /** Optional GET endpoint to test a token. */
  apiUrl?: string;
  /**
   * RFC 8707 resource indicators: the APIs the token is for, each an absolute
   * URI without a fragment (kept exactly as written: servers compare them as
   * strings). Sent as one `resource` parameter per value on the authorization
   * request, the device authorization request, every token request and every
   * refresh. Undefined when none.
   * @see https://www.rfc-editor.org/rfc/rfc8707#section-2
   */
  resource?: string[];
  /**
   * The `audience` request parameter, sent on the same requests as `resource`,
   * once. One text, not a list, because every vendor that reads `audience`
   * outside token exchange reads ONE parameter: Auth0 takes one API
   * identifier, Ory Hydra takes several audiences space-separated in that one
   * value (`audience = "https://a https://b"` is sent as written). Repeating
   * the parameter, as RFC 8693 2.1 allows for token exchange, would break
   * both. Several targets in the standard way are what `resource` is for.
   * @see https://www.rfc-editor.org/rfc/rfc8693#section-2.1
   */
  audience?: string;
  /** Extra form parameters per request kind. */
  extra: Partial<Record<RequestKind, Record<string, string>>>;
  /**
   * false: never use a refresh token, sign in again instead. Vyopta sends one
   * but "Refreshing the session is not implemented", so trying costs a
   * refused request every time. Default true.
   */
  useRefreshToken?: boolean;
  /**
   * false: the desktop app gives this account's access token to a program
   * that asks its agent (the command line, a script) without asking the user
   * first. Default (undefined or true): ask. Removing, revoking and importing
   * are always asked. Set in the window only (not a TOML key): whoever can
   * write a credentials file must not be able to switch the question off.
   */
  agentApproval?: boolean;
  /** Lifetime to assume when neither expires_in nor a JWT exp is available. */
  defaultTokenLifetimeSeconds?: number;
  requestBudget?: RequestBudget;
  /** Free-text note shown in the UI (e.g. where the credentials came from). */
  notes?: string;
  /**
   * What the issuer's discovery metadata says (never imported: filled in by
   * discovery at use time). `issuer` is the metadata's own issuer identifier,
   * which an RFC 9207 `iss` in the authorization response must equal;
   * `issParameterSupported` is `authorization_response_iss_parameter_supported`:
   * when true, a response without `iss` is refused (RFC 9207 2.4).
   */
  issuerMetadata?: IssuerMetadata;
}

/** See AccountSettings.issuerMetadata. */
export interface IssuerMetadata {
  issuer: string;
  issParameterSupported: boolean;
}

/** Names of the settings fields that hold secrets. Never logged, never sent to the renderer. */
export const SECRET_FIELDS = ['clientSecret', 'password', 'accessToken', 'key', 'clientCertificate'] as const satisfies readonly (keyof AccountSettings)[];

/** An access token as TokenDesk keeps it. */
export interface TokenSet {
  /** Secret. */
  accessToken: string;
  /** Normalised: "Bearer" when the server said "bearer" or nothing. */
  tokenType: string;
  /** Epoch milliseconds; undefined when unknown. */
  expiresAt?: number;
  /** Secret. */
  refreshToken?: string;
  /** Epoch milliseconds when the refresh token expires, if the server said. */
  refreshExpiresAt?: number;
  /** Space- or comma-joined as the server sent it; undefined for null/missing. */
  scope?: string;
  /** Secret. */
  idToken?: string;
  /** Epoch milliseconds when TokenDesk received it. */
  obtainedAt: number;
}
