/**
 * One account table as parsed from TOML -> the account's explicit settings.
 * Keys are mapped through their aliases (unknown keys are refused with the
 * closest known name), values are type-checked and cleaned (whitespace and
 * copy-pasted quotes). Every problem is collected with its location, so the
 * live preview can show them all.
 */
import type { AccountSettings, RequestBudget, RevokeStyle } from '../../../shared/account.js';
import { isPresetId, PRESET_IDS } from '../../../shared/presets.js';
import type { PresetId } from '../../../shared/presets.js';
import type { RequestKind } from '../../../shared/types.js';
import { GRANT_TYPES, CLIENT_AUTH_METHODS, REQUEST_KINDS } from '../../../shared/types.js';
import { InputError } from '../errors.js';
import type { ErrorCode, InputLocation } from '../errors.js';
import {
  canonicalClientAuth,
  canonicalGrant,
  canonicalKey,
  canonicalRequestKind,
  foldKey,
  suggestClientAuth,
  suggestGrant,
  suggestKey,
  suggestName,
} from './aliases.js';
import type { CanonicalKey } from './aliases.js';
import { checkServiceAccountKey, describeType, parseKeyJson } from './key-json.js';
import type { Locator } from './key-locator.js';
import { MAX_TOKEN_LIFETIME_SECONDS } from './limits.js';
import { cleanString } from './strings.js';

/** The document an account comes from, for locating problems. */
export interface DocContext {
  file?: string;
  locator: Locator;
}

/** `['accounts', '0', 'client_id']` -> `accounts[0].client_id`. */
export function fieldName(path: readonly string[]): string {
  return path.reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');
}

/** Location of `path` in the document; `field` names `path` even when only a parent was found. */
export function locate(doc: DocContext, path: readonly string[]): InputLocation {
  const position = doc.locator.find(path) ?? { line: 1, column: 1 };
  return { ...(doc.file !== undefined && { file: doc.file }), ...position, ...(path.length > 0 && { field: fieldName(path) }) };
}

/** What one table says, before presets and validation. */
export interface NormalisedTable {
  explicit: Partial<AccountSettings>;
  /** Scopes as one string, split once the separator is known. */
  scopesText?: string;
  presetId?: PresetId;
  baseUrl?: string;
  keyFile?: string;
  /** The client certificate's settings as written (PEM text or paths, Base64 or a path): read and checked in client-certificate-import.ts. */
  clientCertificate?: ClientCertificateInput;
  /** Document path of each key as written, for locating later problems. */
  origin: Partial<Record<CanonicalKey, string[]>>;
  problems: InputError[];
}

const STRING_KEYS = {
  name: 'name',
  token_url: 'tokenUrl',
  authorize_url: 'authorizeUrl',
  revoke_url: 'revokeUrl',
  device_authorization_url: 'deviceAuthorizationUrl',
  issuer: 'issuer',
  client_id: 'clientId',
  client_secret: 'clientSecret',
  username: 'username',
  password: 'password',
  redirect_uri: 'redirectUri',
  access_token: 'accessToken',
  api_url: 'apiUrl',
  notes: 'notes',
} as const satisfies Partial<Record<CanonicalKey, keyof AccountSettings>>;

/**
 * Normalises one table. `tablePath` is its path in the document (`[]` for a
 * single-account file, `['accounts', 'prod']`, `['accounts', '0']`).
 */
export function normaliseTable(table: Record<string, unknown>, tablePath: readonly string[], doc: DocContext, skip: readonly string[] = []): NormalisedTable {
  const out: NormalisedTable = { explicit: {}, origin: {}, problems: [] };
  const problem = (code: ErrorCode, message: string, path: readonly string[]): void => {
    out.problems.push(new InputError(code, message, locate(doc, path)));
  };

  for (const [written, value] of Object.entries(table)) {
    if (skip.includes(written)) continue;
    const path = [...tablePath, written];
    const key = canonicalKey(written);
    if (!key) {
      const suggestion = suggestKey(written);
      problem('ERR_INPUT_UNKNOWN', `"${written}" is not a known setting${suggestion ? `; did you mean "${suggestion}"?` : ''}`, path);
      continue;
    }
    const earlier = out.origin[key];
    if (earlier) {
      problem('ERR_INPUT_FIELD', `"${written}" and "${earlier.at(-1)}" both set ${key}; keep only one`, path);
      continue;
    }
    out.origin[key] = path;
    const wrongType = (expected: string): void =>
      problem('ERR_INPUT_FIELD', `"${written}" must be ${expected}, not ${describeType(value)}`, path);
    const text = (): string | undefined => {
      if (typeof value === 'string') return cleanString(value);
      wrongType('text in quotes');
      return undefined;
    };

    if (key in STRING_KEYS) {
      const v = text();
      if (v !== undefined) out.explicit[STRING_KEYS[key as keyof typeof STRING_KEYS]] = v;
      continue;
    }
    switch (key) {
      // Values are never echoed: someone may have pasted a secret into the wrong field.
      case 'preset': {
        const v = text();
        if (v === undefined) break;
        const id = foldKey(v);
        if (isPresetId(id)) out.presetId = id;
        else {
          const suggestion = suggestName(v, PRESET_IDS);
          problem('ERR_INPUT_UNKNOWN', `there is no such preset; expected one of ${PRESET_IDS.join(', ')}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`, path);
        }
        break;
      }
      case 'base_url': {
        const v = text();
        if (v !== undefined) out.baseUrl = v;
        break;
      }
      case 'grant': {
        const v = text();
        if (v === undefined) break;
        const grant = canonicalGrant(v);
        if (grant) out.explicit.grant = grant;
        else if (foldKey(v) === 'refresh_token') {
          problem('ERR_INPUT_FIELD', 'refresh_token is not a way to start: use the grant that first obtains the token (authorization_code or password); refreshing happens on its own', path);
        } else {
          const suggestion = suggestGrant(v);
          problem('ERR_INPUT_FIELD', `this grant is not supported; expected one of ${GRANT_TYPES.join(', ')}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`, path);
        }
        break;
      }
      case 'client_auth': {
        const v = text();
        if (v === undefined) break;
        const method = canonicalClientAuth(v);
        if (method) out.explicit.clientAuth = method;
        else {
          const suggestion = suggestClientAuth(v);
          problem('ERR_INPUT_FIELD', `this client_auth is not supported; expected one of ${CLIENT_AUTH_METHODS.join(', ')}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`, path);
        }
        break;
      }
      case 'revoke_style': {
        const v = text();
        if (v === undefined) break;
        const style = foldKey(v);
        if (style === 'rfc7009' || style === 'access_token_query') out.explicit.revokeStyle = style as RevokeStyle;
        else problem('ERR_INPUT_FIELD', 'revoke_style must be "rfc7009" or "access_token_query"', path);
        break;
      }
      case 'scope_separator': {
        // Not cleaned: " " is a legitimate value that trimming would destroy.
        if (typeof value !== 'string') wrongType('text in quotes');
        else if (value.length !== 1) problem('ERR_INPUT_FIELD', 'scope_separator must be exactly one character, " " or ","', path);
        else out.explicit.scopeSeparator = value;
        break;
      }
      case 'scopes': {
        if (typeof value === 'string') out.scopesText = value;
        else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
          out.explicit.scopes = value.map(cleanString).filter((item) => item !== '');
        } else wrongType('a list of texts, such as ["openid", "profile"], or one text');
        break;
      }
      case 'resource': {
        // Checked as URIs by validate.ts (the same rule for an edit); here only the shape.
        const values = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
        if (!values) {
          wrongType('a web address in quotes, or a list of them such as ["https://api.example/a", "https://api.example/b"]');
          break;
        }
        // Kept as written (servers compare resource indicators as strings); a value given twice is sent once.
        const cleaned = [...new Set(values.map(cleanString).filter((item) => item !== ''))];
        if (cleaned.length > 0) out.explicit.resource = cleaned;
        break;
      }
      case 'audience': {
        if (Array.isArray(value)) {
          problem(
            'ERR_INPUT_FIELD',
            `"${written}" is one text, not a list: servers read a single audience (Ory Hydra takes several separated by spaces in that one text); for several APIs give resource = ["…", "…"] instead`,
            path,
          );
          break;
        }
        const v = text();
        if (v !== undefined) out.explicit.audience = v;
        break;
      }
      case 'token_lifetime': {
        const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
        if (typeof n === 'number' && Number.isInteger(n) && n > MAX_TOKEN_LIFETIME_SECONDS) {
          problem('ERR_INPUT_FIELD', `token_lifetime must be at most ${MAX_TOKEN_LIFETIME_SECONDS} seconds (10 years); it is the lifetime assumed for tokens whose server gives none`, path);
        } else if (typeof n === 'number' && Number.isInteger(n) && n > 0) out.explicit.defaultTokenLifetimeSeconds = n;
        else wrongType('a whole number of seconds above 0');
        break;
      }
      case 'use_refresh_token': {
        if (typeof value === 'boolean') out.explicit.useRefreshToken = value;
        else wrongType('true or false');
        break;
      }
      case 'request_budget': {
        const budget = requestBudget(value);
        if (budget) out.explicit.requestBudget = budget;
        else wrongType('a table { max_requests = 20, window_seconds = 86400 }');
        break;
      }
      case 'extra': {
        const extra = extraParams(value, path, problem);
        if (extra) out.explicit.extra = extra;
        break;
      }
      case 'key_file': {
        const v = text();
        if (v !== undefined) out.keyFile = v;
        break;
      }
      case 'key':
        normaliseKey(value, path, doc, out, wrongType);
        break;
      case 'client_certificate':
      case 'client_key':
      case 'client_key_password':
      case 'client_pkcs12':
      case 'client_pkcs12_password': {
        // PEM text is kept exactly (cleaning could break it); passwords are never trimmed either: a space may be part of one.
        if (typeof value !== 'string') wrongType('text in quotes');
        else if (value.trim() === '') problem('ERR_INPUT_FIELD', `${key} is empty`, path);
        else out.clientCertificate = { ...out.clientCertificate, [CERTIFICATE_INPUT[key]]: value };
        break;
      }
    }
  }
  return out;
}

/** The client certificate's settings as the file gives them. */
export interface ClientCertificateInput {
  certificate?: string;
  key?: string;
  keyPassword?: string;
  pkcs12?: string;
  pkcs12Password?: string;
}

const CERTIFICATE_INPUT = {
  client_certificate: 'certificate',
  client_key: 'key',
  client_key_password: 'keyPassword',
  client_pkcs12: 'pkcs12',
  client_pkcs12_password: 'pkcs12Password',
} as const satisfies Partial<Record<CanonicalKey, keyof ClientCertificateInput>>;

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function requestBudget(value: unknown): RequestBudget | undefined {
  if (!isTable(value)) return undefined;
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) fields[foldKey(k)] = v;
  const max = fields['max_requests'];
  const window = fields['window_seconds'];
  if (typeof max !== 'number' || typeof window !== 'number' || Object.keys(fields).length !== 2) return undefined;
  return { maxRequests: max, windowSeconds: window };
}

function extraParams(
  value: unknown,
  path: readonly string[],
  problem: (code: ErrorCode, message: string, path: readonly string[]) => void,
): AccountSettings['extra'] | undefined {
  if (!isTable(value)) {
    problem('ERR_INPUT_FIELD', `extra must be tables such as [extra.token], not ${describeType(value)}`, path);
    return undefined;
  }
  const extra: AccountSettings['extra'] = {};
  let ok = true;
  for (const [writtenKind, params] of Object.entries(value)) {
    const kindPath = [...path, writtenKind];
    const kind: RequestKind | undefined = canonicalRequestKind(writtenKind);
    if (!kind) {
      const suggestion = suggestName(writtenKind, REQUEST_KINDS);
      problem('ERR_INPUT_UNKNOWN', `extra.${writtenKind} is not a request kind; expected one of ${REQUEST_KINDS.join(', ')}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`, kindPath);
      ok = false;
      continue;
    }
    if (!isTable(params)) {
      problem('ERR_INPUT_FIELD', `extra.${writtenKind} must be a table of parameters, not ${describeType(params)}`, kindPath);
      ok = false;
      continue;
    }
    const out: Record<string, string> = {};
    for (const [name, param] of Object.entries(params)) {
      if (typeof param === 'string') out[name] = cleanString(param);
      else if (typeof param === 'number' || typeof param === 'boolean') out[name] = String(param);
      else {
        problem('ERR_INPUT_FIELD', `extra parameter "${name}" must be text, a number or true/false, not ${describeType(param)}`, [...kindPath, name]);
        ok = false;
      }
    }
    extra[kind] = out;
  }
  return ok ? extra : undefined;
}

/**
 * `key = { type, keyId, key, userId }` (inline or `[key]` table), the key JSON
 * pasted as one string, or a string that is a path (treated as key_file).
 */
function normaliseKey(value: unknown, path: readonly string[], doc: DocContext, out: NormalisedTable, wrongType: (expected: string) => void): void {
  const keyCtx = {
    ...(doc.file !== undefined && { file: doc.file }),
    fieldPrefix: fieldName(path),
    locate: (field: string | undefined) => doc.locator.find(field === undefined ? path : [...path, field]),
  };
  if (isTable(value)) {
    const checked = checkServiceAccountKey(value, keyCtx);
    out.problems.push(...checked.problems);
    if (checked.key) out.explicit.key = checked.key;
    return;
  }
  if (typeof value !== 'string') {
    wrongType('a table { type, keyId, key, userId } or the name of a key file');
    return;
  }
  const text = value.trim();
  if (text.startsWith('{')) {
    const parsed = parseKeyJson(text);
    // Positions inside the pasted string mean little to the user: point at the key line.
    const where = locate(doc, path);
    out.problems.push(...parsed.problems.map((p) => new InputError(p.code, `in the key: ${stripLocation(p)}`, where)));
    if (parsed.key) out.explicit.key = parsed.key;
  } else if (text.includes('-----BEGIN')) {
    out.problems.push(
      new InputError(
        'ERR_INPUT_FIELD',
        'a private key alone is not enough: give the whole key file (key_file = "key.json") or key = { type = "serviceaccount", keyId = "…", key = """…""", userId = "…" }',
        locate(doc, path),
      ),
    );
  } else if (out.keyFile === undefined) {
    out.keyFile = cleanString(text);
  }
}

function stripLocation(error: InputError): string {
  const { location } = error;
  if (!location) return error.message;
  return error.message.replace(/^[^:]*: /, '');
}
