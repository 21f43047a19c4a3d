/**
 * The decoded claims as the JSON staff know from jwt.io, line by line, with
 * the moments (NumericDate, seconds since 1970) also as local times.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1 (iat, exp, nbf)
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken (auth_time)
 */
import { localDateTime } from './format.js';

/** Claims whose value is a NumericDate. */
export const TIME_CLAIMS: readonly string[] = ['iat', 'exp', 'nbf', 'auth_time'];

export interface ClaimLine {
  /** The line as JSON.stringify(claims, null, 2) writes it. */
  text: string;
  /** For a top-level time claim: its name and the local time. */
  time?: { claim: string; local: string };
}

/** Splits pretty-printed claims into lines, marking the top-level time claims. */
export function claimLines(claims: Record<string, unknown>): ClaimLine[] {
  const entries = Object.entries(claims);
  if (entries.length === 0) return [{ text: '{}' }];
  const lines: ClaimLine[] = [{ text: '{' }];
  entries.forEach(([claim, value], index) => {
    const comma = index < entries.length - 1 ? ',' : '';
    const [first = '', ...rest] = `${JSON.stringify(claim)}: ${JSON.stringify(value, null, 2) ?? 'null'}${comma}`.split('\n');
    const seconds = TIME_CLAIMS.includes(claim) && typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    // Beyond what Date can hold, there is no local time to show.
    const local = seconds !== undefined && Math.abs(seconds) < 8.64e12 ? localDateTime(seconds * 1000) : undefined;
    lines.push(local ? { text: `  ${first}`, time: { claim, local } } : { text: `  ${first}` });
    for (const line of rest) lines.push({ text: `  ${line}` });
  });
  lines.push({ text: '}' });
  return lines;
}
