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
const code = await main(process.argv.slice(2));
// Cancelled (130): exit now rather than wait for whatever the cancelled
// command left behind (a sign-in listener, a request being torn down).
if (code === 130) process.exit(code);
process.exitCode = code;
