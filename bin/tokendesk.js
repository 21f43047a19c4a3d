#!/usr/bin/env node
// The `tokendesk` command: runs the compiled CLI (npm run build creates dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main/cli/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('tokendesk: the command line is not built yet. Run "npm run build" in the TokenDesk folder first.\n');
  process.exit(1);
}
const argv = process.argv.slice(2);
let code;
// `token NAME` answered by a running agent loads a few small modules only (main/cli/fast-token.ts).
if (argv[0] === 'token') {
  const { tryFastToken } = await import(new URL('../dist/main/cli/fast-token.js', import.meta.url).href);
  code = await tryFastToken(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env });
}
if (code === undefined) {
  const { main } = await import(entry.href);
  code = await main(argv);
}
// Cancelled (130): exit now rather than wait for whatever the cancelled
// command left behind (a sign-in listener, a request being torn down).
if (code === 130) process.exit(code);
process.exitCode = code;
