#!/usr/bin/env node
// The `tokendesk` command: runs the compiled CLI (npm run build creates dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main/cli/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('tokendesk: the command line is not built yet. Run "npm run build" in the TokenDesk folder first.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
