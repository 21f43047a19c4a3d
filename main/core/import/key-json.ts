/**
 * Zitadel-style key files (myfiber seed): `{type, keyId, key, userId | clientId}`.
 * `serviceaccount` keys name the user (`userId`), `application` keys the client
 * (`clientId`); that id becomes iss and sub of the RFC 7523 assertion. Vendor
 * files may carry more fields (Zitadel adds `appId`, `expirationDate`): ignored.
 *
 * No message here ever contains the key text: only field names and positions.
 */
import { createPrivateKey } from 'node:crypto';
import type { ServiceAccountKey } from '../../../shared/account.js';
import { InputError } from '../errors.js';
import type { InputLocation } from '../errors.js';
import { canonicalKeyField } from './aliases.js';
import type { KeyField } from './aliases.js';
import { findJsonSyntaxProblem, lineColumnAt } from './json-syntax.js';
import { locatedError } from './missing-fields.js';
import { cleanText } from './parse-toml.js';
import { cleanString } from './strings.js';

/** How a key's fields are located for messages: TOML inline table or JSON file. */
export interface KeyContext {
  file?: string;
  /** Dotted prefix for `location.field`, e.g. `accounts.prod.key`; empty for a key file. */
  fieldPrefix: string;
  /** Position of a field as written (or of the whole key when the field is absent). */
  locate(writtenField: string | undefined): { line: number; column: number } | undefined;
}

function where(ctx: KeyContext, written: string | undefined, fallbackName?: string): InputLocation {
  const name = written ?? fallbackName;
  const field = [ctx.fieldPrefix, name].filter(Boolean).join('.');
  return { ...(ctx.file !== undefined && { file: ctx.file }), ...ctx.locate(written), ...(field && { field }) };
}

/**
 * Copy-paste through mail or chat often joins a PEM into one line, as the
 * myfiber seed itself prints it. Rebuild the 64-column body so node:crypto
 * can read it; returns the input unchanged when it is not PEM-shaped.
 */
export function repairPem(pem: string): string {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!match) return pem;
  const body = match[2]!.replace(/\\n/g, '').replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${match[1]}-----\n${lines.join('\n')}\n-----END ${match[1]}-----\n`;
}

/** Returns the usable PEM text, or a plain-words reason it is not an RSA private key. */
export function checkPrivateKeyPem(pem: string): { pem: string } | { reason: string } {
  for (const candidate of pem === repairPem(pem) ? [pem] : [pem, repairPem(pem)]) {
    try {
      const key = createPrivateKey(candidate);
      if (key.asymmetricKeyType !== 'rsa') return { reason: `it is a ${key.asymmetricKeyType ?? 'non-RSA'} key, but RS256 needs an RSA key` };
      return { pem: candidate };
    } catch {
      // try the next form
    }
  }
  if (!pem.includes('-----BEGIN')) return { reason: 'it is not a PEM private key (expected text starting with -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)' };
  return { reason: 'it looks like a PEM private key but cannot be read (it may be cut short, encrypted, or altered while copying)' };
}

/**
 * Checks a key object from a key file or an inline `key = { ... }` table and
 * builds the ServiceAccountKey, or returns every problem found.
 */
export function checkServiceAccountKey(raw: Record<string, unknown>, ctx: KeyContext): { key?: ServiceAccountKey; problems: InputError[] } {
  const problems: InputError[] = [];
  const fields: Partial<Record<KeyField, { written: string; value: unknown }>> = {};
  for (const [written, value] of Object.entries(raw)) {
    const field = canonicalKeyField(written);
    if (field && !fields[field]) fields[field] = { written, value };
  }
  const text = (name: KeyField, allowNumber = false): string | undefined => {
    const entry = fields[name];
    if (!entry) return undefined;
    if (typeof entry.value === 'string') return cleanString(entry.value);
    if (allowNumber && typeof entry.value === 'number' && Number.isSafeInteger(entry.value)) return String(entry.value);
    problems.push(new InputError('ERR_INPUT_FIELD', `"${entry.written}" must be text in quotes, not ${describeType(entry.value)}`, where(ctx, entry.written)));
    return undefined;
  };
  const missing = (name: KeyField, why: string): void => {
    problems.push(locatedError('ERR_INPUT_MISSING', `the key is missing "${name}" (${why})`, where(ctx, undefined, name)));
  };
  const hasOtherKeyFields = fields.type !== undefined || fields.keyId !== undefined || fields.userId !== undefined || fields.clientId !== undefined;

  const type = text('type');
  const keyId = text('keyId', true);
  const pem = text('key');
  const userId = text('userId', true);
  const clientId = text('clientId', true);

  let keyType: ServiceAccountKey['type'] | undefined;
  if (type === undefined) {
    if (!fields.type) missing('type', 'expected "serviceaccount" or "application"');
  } else if (type.toLowerCase() === 'serviceaccount' || type.toLowerCase() === 'application') {
    keyType = type.toLowerCase() as ServiceAccountKey['type'];
  } else {
    problems.push(new InputError('ERR_INPUT_FIELD', `"type" must be "serviceaccount" or "application"`, where(ctx, fields.type?.written)));
  }
  if (keyId === undefined && !fields.keyId) missing('keyId', 'the id of the key, sent as "kid"');
  if (keyId === '') problems.push(new InputError('ERR_INPUT_FIELD', '"keyId" is empty', where(ctx, fields.keyId?.written)));
  let usablePem: string | undefined;
  if (pem === undefined) {
    if (!fields.key && hasOtherKeyFields) {
      // The rest of a key file without its key: copied short, or exported without it. Only the vendor has the key.
      problems.push(
        locatedError(
          'ERR_INPUT_MISSING',
          'This key file has no private key (its "key" field is missing). Ask the vendor for the complete key file: it holds "type", "keyId", "key" (the private key) and "userId" or "clientId".',
          where(ctx, undefined, 'key'),
        ),
      );
    } else if (!fields.key) missing('key', 'the PEM private key');
  } else {
    const checked = checkPrivateKeyPem(pem);
    if ('reason' in checked) problems.push(new InputError('ERR_INPUT_FIELD', `"key" is not a usable private key: ${checked.reason}`, where(ctx, fields.key?.written)));
    else usablePem = checked.pem;
  }
  if (keyType === 'serviceaccount' && userId === undefined && !fields.userId) missing('userId', 'a "serviceaccount" key names its user');
  if (keyType === 'application' && clientId === undefined && !fields.clientId) missing('clientId', 'an "application" key names its client');

  if (problems.length > 0 || !keyType || !keyId || !usablePem) return { problems };
  const key: ServiceAccountKey = { type: keyType, keyId, key: usablePem };
  if (userId) key.userId = userId;
  if (clientId) key.clientId = clientId;
  return { key, problems };
}

/** Position of `"name":` in a JSON text, for field-level messages. */
function jsonFieldPosition(text: string, name: string | undefined): { line: number; column: number } | undefined {
  // A field that is not in the file has no position (line 1, column 1 would point at something else).
  if (name === undefined) return undefined;
  const index = text.search(new RegExp(`"${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:`));
  return index < 0 ? { line: 1, column: 1 } : lineColumnAt(text, index);
}

/**
 * Parses a key JSON text (a BOM and CRLF are fine).
 * @see https://zitadel.com/docs/guides/integrate/service-users/private-key-jwt
 */
export function parseKeyJson(text: string, fileName?: string): { key?: ServiceAccountKey; problems: InputError[] } {
  const clean = cleanText(text);
  const file = fileName !== undefined ? { file: fileName } : {};
  const syntax = findJsonSyntaxProblem(clean);
  if (syntax) {
    return { problems: [new InputError('ERR_INPUT_SYNTAX', `this is not valid JSON: expected ${syntax.expected}`, { ...file, ...lineColumnAt(clean, syntax.offset) })] };
  }
  const value: unknown = JSON.parse(clean);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: [new InputError('ERR_INPUT_FIELD', 'a key file must be one JSON object { "type", "keyId", "key", ... }', { ...file, line: 1, column: 1 })] };
  }
  return checkServiceAccountKey(value as Record<string, unknown>, { ...file, fieldPrefix: '', locate: (field) => jsonFieldPosition(clean, field) });
}

export function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (value instanceof Date) return 'a date';
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
    case 'bigint':
      return 'a number';
    case 'boolean':
      return 'true/false';
    case 'object':
      return 'a table';
    default:
      return typeof value;
  }
}
