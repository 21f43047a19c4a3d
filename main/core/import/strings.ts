/**
 * Clean-up of string values pasted from browsers, mail and password managers.
 */

/**
 * Trims stray whitespace and removes ONE level of matching surrounding quotes
 * that came along with a copy (`"'abc'"` and `"\"abc\""` both give `abc`).
 */
export function cleanString(value: string): string {
  const trimmed = value.trim();
  for (const quote of ['"', "'", '`', '“', '‘']) {
    const close = quote === '“' ? '”' : quote === '‘' ? '’' : quote;
    if (trimmed.length >= 2 && trimmed.startsWith(quote) && trimmed.endsWith(close)) return trimmed.slice(1, -1).trim();
  }
  return trimmed;
}

/**
 * One scope string -> scope list. A "," separator splits on commas (Netrex
 * `read,write`); otherwise on whitespace, and a comma-only string such as
 * `read,write` pasted into a space-separated account is split on the commas,
 * and so is a prose list such as `openid, profile`.
 */
export function splitScopes(value: string, separator: string): string[] {
  const text = cleanString(value);
  let parts: string[];
  if (separator.trim() !== '') parts = text.split(separator);
  else if (!/\s/.test(text) && text.includes(',')) parts = text.split(',');
  // "openid, profile" as people write a list in prose: the comma is not part of a scope.
  else if (/,\s/.test(text)) parts = text.split(/\s*,\s*|\s+/);
  else parts = text.split(/\s+/);
  return parts.map(cleanString).filter((part) => part !== '');
}
