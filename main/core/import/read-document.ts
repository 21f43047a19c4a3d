/**
 * What a pasted text is, before any account is built from it: TOML, a JSON
 * object of settings, a Zitadel key file, or "Label: value" lines. Each is
 * read as written first and, only when that fails, with the curly quotes and
 * Unicode spaces of mail programs straightened (one character for one, so
 * every line and column still matches what the user sees). `notes` say in
 * plain words what was changed or recognised.
 */
import { InputError } from '../errors.js';
import { findJsonSyntaxProblem } from './json-syntax.js';
import { isSettingsObject, jsonKeyPositions } from './json-settings.js';
import { KeyLocator, NameLocator } from './key-locator.js';
import { readLabelText } from './label-text.js';
import type { DocContext } from './normalise.js';
import { parseTomlText } from './parse-toml.js';
import { straightenText } from './sloppy-text.js';

const JSON_SETTINGS_NOTE = 'The text was a JSON object of settings and was read as such.';
const LABEL_TEXT_NOTE = 'The text was in “Client ID: …” lines and was read as settings.';

export type DocumentReading =
  | { kind: 'settings'; document: Record<string, unknown>; doc: DocContext; notes: string[]; problems: InputError[] }
  | { kind: 'key-json'; text: string; notes: string[] }
  | { kind: 'problems'; problems: InputError[]; notes: string[] };

/**
 * Finds out what the text is: TOML, a JSON object of settings, a key file,
 * or "Label: value" lines, each read as written first and, only when that
 * fails, with curly quotes and Unicode spaces straightened (a text that reads
 * as it is keeps a ’ inside a value).
 */
export function readDocument(text: string, fileName: string | undefined): DocumentReading {
  const file = fileName !== undefined ? { file: fileName } : {};
  const straight = straightenText(text);
  const candidates = straight.notes.length > 0 ? [{ text, notes: [] as string[] }, straight] : [{ text, notes: [] as string[] }];

  if (straight.text.trimStart().startsWith('{')) {
    const readable = candidates.find((candidate) => candidate.text.trimStart().startsWith('{') && !findJsonSyntaxProblem(candidate.text));
    // Unreadable JSON: the key-file reader names the line and column of the slip.
    if (!readable) return { kind: 'key-json', text: straight.text, notes: straight.notes };
    const value: unknown = JSON.parse(readable.text);
    if (isTable(value) && isSettingsObject(value)) {
      const doc: DocContext = { ...file, locator: new NameLocator(jsonKeyPositions(readable.text)) };
      return { kind: 'settings', document: value, doc, notes: [...readable.notes, JSON_SETTINGS_NOTE], problems: [] };
    }
    return { kind: 'key-json', text: readable.text, notes: readable.notes };
  }

  let syntaxError: InputError | undefined;
  for (const candidate of candidates) {
    try {
      const document = parseTomlText(candidate.text, fileName);
      return { kind: 'settings', document, doc: { ...file, locator: new KeyLocator(candidate.text) }, notes: candidate.notes, problems: [] };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      // The straightened text's message is the one about the real slip (positions are the same).
      syntaxError = error;
    }
  }

  const labels = readLabelText(text);
  if (labels.kind === 'settings') {
    const doc: DocContext = { ...file, locator: new NameLocator(labels.positions) };
    const problems = labels.duplicates.map(
      (d) => new InputError('ERR_INPUT_FIELD', `${d.key} is given twice (also on line ${d.firstLine}); keep only one`, { ...file, line: d.line, column: 1, field: d.key }),
    );
    return { kind: 'settings', document: labels.document, doc, notes: [LABEL_TEXT_NOTE], problems };
  }
  if (labels.kind === 'unreadable') {
    const message =
      'this text is in “Label: value” lines, but TokenDesk cannot tell which setting this line is. ' +
      'Use “Choose a provider” and copy the values into its form, or write the settings as key = "value" lines (client_id = "…").';
    return { kind: 'problems', problems: [new InputError('ERR_INPUT_SYNTAX', message, { ...file, line: labels.line, column: 1 })], notes: [] };
  }
  return { kind: 'problems', problems: [syntaxError!], notes: straight.notes };
}

export function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
