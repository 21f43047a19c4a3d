/**
 * Credentials as vendors type them into a mail or a web page, one
 * "Label: value" per line:
 *
 *     Client ID: abc
 *     Client secret: xyz
 *     Token URL: https://so.yio.at/oauth/v2/token
 *
 * Labels are read case-insensitively through the same aliases as TOML keys
 * (`Client ID` folds to `client_id`, `Token endpoint` to `token_url`), plus the
 * wordings vendors use in prose (`Secret`, `Application ID`). A line such as
 * "Your credentials:" (a label without a value) is a heading and skipped.
 *
 * Only tried when the text is not TOML. A value is never quoted in a message.
 */
import { canonicalKey, foldKey } from './aliases.js';
import type { CanonicalKey } from './aliases.js';
import type { Position } from './key-locator.js';

/** Wordings seen in vendors' mails and pages, folded as foldKey folds them. */
const LABEL_ALIASES: Record<string, CanonicalKey> = {
  id: 'client_id',
  app_id: 'client_id',
  application_id: 'client_id',
  client_identifier: 'client_id',
  oauth_client_id: 'client_id',
  secret: 'client_secret',
  app_secret: 'client_secret',
  application_secret: 'client_secret',
  oauth_client_secret: 'client_secret',
  token_address: 'token_url',
  token_endpoint_url: 'token_url',
  access_token_endpoint: 'token_url',
  authentication_service: 'token_url',
  authentication_url: 'token_url',
  oauth_token_url: 'token_url',
  authorize_endpoint: 'authorize_url',
  login_url: 'authorize_url',
  revoke_endpoint: 'revoke_url',
  revoke_token_endpoint: 'revoke_url',
  username_or_email: 'username',
  email: 'username',
  e_mail: 'username',
  pass: 'password',
  grant: 'grant',
  provider_address: 'base_url',
  api_test_url: 'api_url',
};

/** `Label: value`; the label is words (letters, digits, spaces, _ - . /), at most 60 characters. */
const LABEL_LINE = /^(\s*)([A-Za-z][A-Za-z0-9_./\s-]{0,59}?)(?:\s*\([^)\n]*\))?\s*:\s*(.*?)\s*$/;
/** A line that is TOML (`key = …`, `[section]`): such a text is TOML with a mistake, not label text. */
const TOML_LINE = /^\s*(?:[A-Za-z0-9_."'-]+\s*=|\[)/;

/** The canonical key a label names, or undefined. */
export function labelKey(label: string): CanonicalKey | undefined {
  const folded = foldKey(label.replace(/\//g, ' '));
  return LABEL_ALIASES[folded] ?? canonicalKey(folded);
}

export type LabelTextReading =
  /** Every line is a known label, a heading or blank: the settings, keyed by canonical key. */
  | { kind: 'settings'; document: Record<string, string | boolean>; positions: Map<string, Position>; duplicates: { key: CanonicalKey; line: number; firstLine: number }[] }
  /** It looks like label lines, but line `line` is not one TokenDesk can read. */
  | { kind: 'unreadable'; line: number }
  /** Not label text at all. */
  | { kind: 'none' };

/** Reads a text of "Label: value" lines (after cleanText: LF line ends). */
export function readLabelText(text: string): LabelTextReading {
  const document: Record<string, string | boolean> = {};
  const positions = new Map<string, Position>();
  const duplicates: { key: CanonicalKey; line: number; firstLine: number }[] = [];
  let labelLines = 0;
  let firstUnknownLabel: number | undefined;
  let firstOtherLine: number | undefined;
  let tomlLines = 0;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const match = LABEL_LINE.exec(line);
    if (!match) {
      if (TOML_LINE.test(line)) tomlLines++;
      firstOtherLine ??= index + 1;
      continue;
    }
    const key = labelKey(match[2]!);
    const value = match[3]!;
    if (value === '' && !key) continue; // "Your credentials:" is a heading
    labelLines++;
    if (!key) {
      firstUnknownLabel ??= index + 1;
      continue;
    }
    const position = { line: index + 1, column: match[1]!.length + 1 };
    const earlier = positions.get(key);
    if (earlier) {
      duplicates.push({ key, line: position.line, firstLine: earlier.line });
      continue;
    }
    positions.set(key, position);
    document[key] = key === 'use_refresh_token' && /^(true|false)$/i.test(value) ? value.toLowerCase() === 'true' : value;
  }
  // A TOML text with a slip, or prose: the TOML message says more than ours would.
  if (labelLines === 0 || tomlLines > 0 || (positions.size === 0 && firstOtherLine !== undefined)) return { kind: 'none' };
  const unreadable = Math.min(firstUnknownLabel ?? Infinity, firstOtherLine ?? Infinity);
  if (unreadable !== Infinity) return { kind: 'unreadable', line: unreadable };
  return { kind: 'settings', document, positions, duplicates };
}
