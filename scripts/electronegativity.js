#!/usr/bin/env node
// Security scan of the Electron layer: runs Electronegativity over main/
// (offline) and fails on any finding of MEDIUM severity or above that
// electronegativity.config.json does not accept with a written reason.
// Usage: node scripts/electronegativity.js [DIR]   (DIR defaults to the config's input, main/)
// Exit 0 clean, 1 blocking findings, 2 the scan itself failed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BLOCKING = new Set(['MEDIUM', 'HIGH', 'CRITICAL']);

/** Minimal RFC 4180 CSV parser (Electronegativity quotes fields that contain commas). */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else field += c;
  }
  if (field || row.length) endRow();
  return rows.filter((r) => r.some((cell) => cell.trim() !== ''));
}

/** Findings as objects keyed by the CSV header (issue, severity, confidence, filename, location, ...). */
export function readFindings(csvText) {
  const [header, ...rows] = parseCsv(csvText);
  if (!header) return [];
  const keys = header.map((h) => h.trim());
  return rows.map((cells) => Object.fromEntries(keys.map((key, i) => [key, (cells[i] ?? '').trim()])));
}

/** Splits findings into blocking ones and those accepted by the config. */
export function judge(findings, config) {
  const accepted = config.accepted ?? [];
  const isAccepted = (f) => accepted.some((a) => a.check === f.issue && a.file === f.filename.replaceAll('\\', '/'));
  const serious = findings.filter((f) => BLOCKING.has(f.severity.toUpperCase()));
  return { blocking: serious.filter((f) => !isAccepted(f)), accepted: serious.filter(isAccepted) };
}

function main() {
  const config = JSON.parse(readFileSync(path.join(root, 'electronegativity.config.json'), 'utf8'));
  for (const entry of config.accepted ?? []) {
    if (!entry.why || entry.why.trim().length < 20) {
      console.error(`electronegativity: the exception for ${entry.check} in ${entry.file} needs a written justification ("why").`);
      process.exit(2);
    }
  }
  const electronVersion = JSON.parse(readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  const out = mkdtempSync(path.join(tmpdir(), 'electronegativity-'));
  const csv = path.join(out, 'result.csv');
  try {
    const cli = path.join(root, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js');
    const run = spawnSync(
      process.execPath,
      ['--require', path.join(root, 'scripts', 'electronegativity-preload.cjs'), cli, '-i', path.resolve(root, process.argv[2] ?? config.input ?? 'main'), '-x', Object.keys(config.excludeChecks ?? {}).join(','), '-e', electronVersion, '-r', '-v', 'false', '-o', csv],
      { cwd: root, encoding: 'utf8', timeout: 300_000, env: { ...process.env, LANG: 'en-US' } },
    );
    let text;
    try {
      text = readFileSync(csv, 'utf8');
    } catch {
      console.error(`electronegativity: the scan did not finish (exit ${run.status}).\n${(run.stderr || run.stdout || '').slice(0, 2000)}`);
      process.exit(2);
    }
    const findings = readFindings(text);
    const { blocking, accepted } = judge(findings, config);
    for (const f of accepted) console.log(`accepted  ${f.severity.padEnd(6)} ${f.issue} ${f.filename}:${f.location}`);
    for (const f of blocking) console.error(`FINDING   ${f.severity.padEnd(6)} ${f.issue} ${f.filename}:${f.location}  ${f.sample ?? ''}  (${f.description ?? ''})`);
    const minor = findings.length - blocking.length - accepted.length;
    console.log(`electronegativity: ${findings.length} findings, ${accepted.length} accepted with a reason, ${minor} below MEDIUM, ${blocking.length} blocking.`);
    process.exit(blocking.length === 0 ? 0 : 1);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
