/**
 * `npm run bench`: measures the SPEC 8 targets, prints a table and writes
 * bench/results.json. Exits 0 even when a target fails (the table says FAIL);
 * exits 1 only when the bench itself breaks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCachedToken, benchCliTransport, benchGrantOverhead, benchRendererSize, benchScryptUnwrap, benchSingleFlight, benchVault } from './cases.js';
import { benchAgent } from './agent.js';
import { benchStalledVendor } from './stalled-vendor.js';
import { formatMarkdown, formatTable, results, type Row } from './report.js';
import { collectGarbage } from './stats.js';

// Compiled to dist/test/bench/run.js; the checkout is three levels up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function main(): Promise<void> {
  const started = Date.now();
  const rows: Row[] = [];
  const cases: [string, () => Promise<Row[]> | Row[]][] = [
    ['cached token', benchCachedToken],
    ['grant over fetch', benchGrantOverhead],
    ['CLI transport', benchCliTransport],
    ['single flight', benchSingleFlight],
    ['vault open and save', benchVault],
    ['scrypt unwrap', benchScryptUnwrap],
    ['renderer size', () => benchRendererSize(ROOT)],
    ['stalled vendor', () => benchStalledVendor(ROOT)],
    ['agent', () => benchAgent(ROOT)],
  ];
  for (const [label, run] of cases) {
    process.stderr.write(`bench: ${label}...\n`);
    collectGarbage();
    rows.push(...(await run()));
  }
  const out = results(rows);
  mkdirSync(join(ROOT, 'bench'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`TokenDesk bench, ${out.date}, Node ${out.node}, ${out.machine.cpus} x ${out.machine.model}\n\n`);
  process.stdout.write(`${formatTable(rows)}\n\n`);
  process.stdout.write(`README table:\n\n${formatMarkdown(rows)}\n\n`);
  const failed = rows.filter((r) => r.target && r.pass !== true);
  process.stdout.write(
    `${failed.length === 0 ? 'All SPEC 8 targets met.' : `${failed.length} target(s) FAILED: ${failed.map((r) => r.id).join(', ')}.`} Wrote bench/results.json in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
