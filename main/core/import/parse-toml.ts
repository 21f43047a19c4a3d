/**
 * TOML text -> plain object, with syntax errors turned into located
 * InputErrors in plain words. smol-toml (TOML 1.0) is used because pasted
 * credentials carry comments, CRLF and byte-order marks, all of which it
 * accepts (SPEC 5: `@iarna/toml` rejects every one of those).
 */
import { parse, TomlError } from 'smol-toml';
import { InputError } from '../errors.js';

/** Removes one UTF-8 byte-order mark and turns CRLF (and lone CR) into LF. */
export function cleanText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

/** smol-toml's explanations, said for people who do not know TOML. */
const PLAIN_WORDS: Record<string, string> = {
  'invalid value': 'a value is missing or not valid here (text needs "quotes", lists need [brackets])',
  'unfinished string': 'a quoted text is not closed (a closing quote is missing)',
  // A line break inside "..." is how a missing closing quote usually shows up.
  'control characters are not allowed in strings':
    'a quoted text is not closed on its line (a closing quote is missing), or it contains an invisible control character',
  'trying to redefine an already defined table or value': 'this key or [section] was already given earlier in the file',
  'trying to redefine an already defined value': 'this key was already given earlier in the file',
  'each key-value declaration must be followed by an end-of-line': 'only one key = value per line; something follows the value here',
  'incomplete key-value: cannot find end of key': 'a line must look like key = "value"; the "=" is missing',
  'unfinished table': 'a [section] header is not closed with "]"',
  'unfinished array': 'a list is not closed with "]"',
  'expected comma or end of structure': 'items in a list or { } table must be separated by commas',
  'illegal character in key': 'this key contains a character that keys cannot have (use letters, digits, _ and -, or put it in quotes)',
};

/**
 * Parses TOML, after `cleanText`. The error message names file, line and
 * column and explains the problem; it never quotes the offending line, since
 * that line may hold a secret.
 */
export function parseTomlText(text: string, fileName?: string): Record<string, unknown> {
  try {
    return parse(cleanText(text)) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    // smol-toml's message is "Invalid TOML document: <why>\n\n<code block>"; keep only <why>.
    const why = error.message.replace(/^Invalid TOML document:\s*/, '').split('\n')[0]!.trim();
    const plain = PLAIN_WORDS[why] ?? why;
    const location = { ...(fileName !== undefined && { file: fileName }), line: error.line, column: error.column };
    throw new InputError('ERR_INPUT_SYNTAX', `this is not valid TOML: ${plain}`, location);
  }
}
