/**
 * A JSON text is either a Zitadel key file (`{type, keyId, key, userId}`) or
 * the credentials themselves as a JSON object
 * (`{"client_id": …, "client_secret": …, "token_url": …}`), as an API console
 * or a colleague's script hands them out. This module tells the two apart and
 * locates the keys of the second for messages.
 */
import { canonicalKey, canonicalKeyField } from './aliases.js';
import { lineColumnAt } from './json-syntax.js';
import type { Position } from './key-locator.js';

/**
 * True when a parsed JSON object holds account settings rather than a key:
 * it names no key `type` or `keyId`, and at least one of its keys is a
 * setting that a key file does not have (`client_secret`, `token_url`, ...).
 * Anything else is read as a key file, whose messages say what a key needs.
 */
export function isSettingsObject(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  const keyField = (k: string): string | undefined => canonicalKeyField(k);
  if (keys.some((k) => keyField(k) === 'type' || keyField(k) === 'keyId')) return false;
  return keys.some((k) => canonicalKey(k) !== undefined && keyField(k) === undefined);
}

/** Position of the first `"name":` of each key in a JSON text. */
export function jsonKeyPositions(text: string): Map<string, Position> {
  const positions = new Map<string, Position>();
  const keyPattern = /"((?:[^"\\\n]|\\.)*)"\s*:/g;
  for (const match of text.matchAll(keyPattern)) {
    let name: string;
    try {
      name = JSON.parse(`"${match[1]!}"`) as string;
    } catch {
      continue;
    }
    if (!positions.has(name)) positions.set(name, lineColumnAt(text, match.index));
  }
  return positions;
}
