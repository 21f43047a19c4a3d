/**
 * What mail programs and word processors do to a pasted credentials text:
 * straight quotes become curly (“ ” ‘ ’), spaces become non-breaking or other
 * Unicode spaces. TOML reads neither, so the importer straightens them and
 * says so (`notes`).
 *
 * Every replacement is ONE UTF-16 unit for ONE, so a line and column found in
 * the straightened text are the line and column the user sees in the
 * original: messages stay right without any position mapping.
 */

/** Double quotation marks TOML would need as `"`. */
const CURLY_DOUBLE = /[\u201C\u201D\u201E\u201F\u2033]/g;
/** Single quotation marks TOML would need as `'`. */
const CURLY_SINGLE = /[\u2018\u2019\u201A\u201B\u2032]/g;
/**
 * Unicode space separators other than the plain space: no-break (U+00A0),
 * the typographic spaces U+2000-U+200A, narrow no-break (U+202F), medium
 * mathematical (U+205F), ideographic (U+3000), Ogham (U+1680). Zero-width
 * characters are left alone: replacing one by a space would put a space
 * where the user sees none.
 */
const UNICODE_SPACES = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;

export const SLOPPY_NOTES = {
  quotes: 'Curly quotes from the mail program were straightened.',
  spaces: 'Non-breaking spaces were replaced by spaces.',
} as const;

export interface StraightenedText {
  text: string;
  /** What was changed, in plain words; empty when nothing was. */
  notes: string[];
}

/** Straightens curly quotes and Unicode spaces, one character for one. */
export function straightenText(text: string): StraightenedText {
  const notes: string[] = [];
  const quotes = text.replace(CURLY_DOUBLE, '"').replace(CURLY_SINGLE, "'");
  if (quotes !== text) notes.push(SLOPPY_NOTES.quotes);
  const spaces = quotes.replace(UNICODE_SPACES, ' ');
  if (spaces !== quotes) notes.push(SLOPPY_NOTES.spaces);
  return { text: spaces, notes };
}
