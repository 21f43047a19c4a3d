/** The bench's output: rows against SPEC 8 targets, a fixed-width table and bench/results.json. */
import { cpus } from 'node:os';

export interface Target {
  /** How the figure is compared: `lt` strictly below, `le` at most, `ge` at least, `eq` exactly. */
  op: 'lt' | 'le' | 'ge' | 'eq';
  value: number;
}

export interface Row {
  id: string;
  what: string;
  figure: number;
  unit: string;
  /** Human-readable target ("< 0.05 ms"), or null for a figure reported without a target. */
  target: string | null;
  /** true/false against the target; null when there is none or the figure could not be measured. */
  pass: boolean | null;
  /** Number of timed samples behind the figure. */
  samples?: number;
  /** Why a figure is missing, or how it was obtained. */
  note?: string;
}

export interface Results {
  date: string;
  node: string;
  machine: { cpus: number; model: string };
  rows: Row[];
}

const OP_TEXT = { lt: '<', le: '<=', ge: '>=', eq: '=' } as const;

export function row(id: string, what: string, figure: number, unit: string, target?: Target, extra: { samples?: number; note?: string } = {}): Row {
  const pass = target === undefined || !Number.isFinite(figure) ? null : compare(figure, target);
  return {
    id,
    what,
    figure: round(figure),
    unit,
    target: target ? `${OP_TEXT[target.op]} ${target.value}${unit === 'x' ? '' : ' '}${unit}` : null,
    pass: target === undefined ? null : (pass ?? false),
    ...extra,
  };
}

function compare(figure: number, target: Target): boolean {
  switch (target.op) {
    case 'lt':
      return figure < target.value;
    case 'le':
      return figure <= target.value;
    case 'ge':
      return figure >= target.value;
    case 'eq':
      return figure === target.value;
  }
}

/** Four significant digits are more than the noise allows; more would pretend precision. */
function round(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 6)));
}

export function results(rows: Row[], now = new Date()): Results {
  const list = cpus();
  return { date: now.toISOString(), node: process.version, machine: { cpus: list.length, model: list[0]?.model.trim() ?? 'unknown' }, rows };
}

export function formatTable(rows: readonly Row[]): string {
  const header = ['id', 'what', 'figure', 'target', 'result'];
  const body = rows.map((r) => [
    r.id,
    r.what,
    Number.isFinite(r.figure) ? `${r.figure} ${r.unit}` : 'n/a',
    r.target ?? '-',
    r.pass === null ? (r.target ? 'FAIL' : '') : r.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((_, column) => Math.max(header[column]!.length, ...body.map((cells) => cells[column]!.length)));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** The README's table: rows with a SPEC 8 target only. */
export function formatMarkdown(rows: readonly Row[]): string {
  const lines = ['| what | figure | target | result |', '| --- | --- | --- | --- |'];
  for (const r of rows) {
    if (!r.target) continue;
    lines.push(`| ${r.what} | ${Number.isFinite(r.figure) ? `${r.figure} ${r.unit}` : 'n/a'} | ${r.target} | ${r.pass ? 'pass' : 'FAIL'} |`);
  }
  return lines.join('\n');
}
