#!/usr/bin/env node
// The `tokendesk` command: runs the compiled CLI (npm run build creates dist/).
//
// CommonJS on purpose: a script pays this file's start-up for every token,
// and Node's ES module loader costs more to start than require() does
// (npm run bench, "tokendesk token NAME ... over node -e 0"). The fast path
// (`token NAME` answered by a running agent) is one CommonJS bundle; the
// full command line is ES modules, loaded only when needed.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const dist = join(__dirname, '..', 'dist');

async function run() {
  const argv = process.argv.slice(2);
  const entry = join(dist, 'main', 'cli', 'index.js');
  if (!existsSync(entry)) {
    process.stderr.write('tokendesk: the command line is not built yet. Run "npm run build" in the TokenDesk folder first.\n');
    return 1;
  }
  let code;
  if (argv[0] === 'token') {
    const bundle = join(dist, 'fast-path', 'fast-token.cjs');
    // After `npm run build:main` alone there is no bundle: the plain modules do the same, a little slower.
    const { tryFastToken } = existsSync(bundle) ? require(bundle) : await import(pathToFileURL(join(dist, 'main', 'cli', 'fast-token.js')).href);
    code = await tryFastToken(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env });
  }
  if (code === undefined) {
    const { main } = await import(pathToFileURL(entry).href);
    code = await main(argv);
  }
  return code;
}

run().then((code) => {
  // Cancelled (130): exit now rather than wait for whatever the cancelled
  // command left behind (a sign-in listener, a request being torn down).
  if (code === 130) process.exit(code);
  process.exitCode = code;
});
