/** Types for scripts/electronegativity.js (used by test/unit/electron/electronegativity.test.ts). */
export type Finding = Record<string, string> & { issue: string; severity: string; filename: string; location: string };
export function parseCsv(text: string): string[][];
export function readFindings(csvText: string): Finding[];
export function judge(findings: Finding[], config: { accepted?: Array<{ check: string; file: string; why: string }> }): { blocking: Finding[]; accepted: Finding[] };
