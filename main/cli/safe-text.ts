/**
 * Text that came from a server or a file is printed only once it cannot
 * drive the terminal: an ESC sequence in an issuer, a device code or an
 * account name could clear the screen, rewrite earlier lines into a fake
 * prompt, retitle the window or hide text (SPEC 3).
 */

/**
 * C0 controls other than tab and newline, DEL, the C1 controls (U+0080 to
 * U+009F, among them U+009B, a one-character CSI on many terminals) and the
 * bidirectional overrides and isolates (U+202A to U+202E, U+2066 to U+2069),
 * which make text display in another order than it reads.
 */
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
const UNSAFE_IN_CELL = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** `text` with every terminal control character removed; newlines and tabs are kept. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, '');
}

/** For one cell of a table: also a newline or tab becomes a space, so the row stays one row. */
export function terminalSafeCell(text: string): string {
  return text.replace(UNSAFE_IN_CELL, (char) => (char === '\n' || char === '\t' || char === '\r' ? ' ' : ''));
}

/**
 * JSON for stdout. `JSON.stringify` escapes C0 controls but leaves DEL, the
 * C1 controls, the bidi characters and the line and paragraph separators raw;
 * they are written as `\uXXXX` escapes here, so the JSON means the same to a
 * parser and shows nothing hostile when it reaches a terminal.
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
