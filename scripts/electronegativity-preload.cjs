// Loaded with `node --require` into the Electronegativity process only
// (scripts/electronegativity.js). Two fixes for the tool as published:
// 1. Offline: its i18n module downloads translations on every run (and the
//    excluded AvailableSecurityFixesGlobalCheck fetches release notes), both
//    through `got`; every such request fails at once, so the scan never leaves
//    the machine and uses its bundled English texts.
// 2. A race in its CSV writer: the header is written with fs.writeFile (which
//    truncates) while the rows are appended with another fs.writeFile, so the
//    header write can land last and wipe findings. Running fs.writeFile
//    synchronously keeps the two in order.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a --require hook is CommonJS by nature */
const Module = require('node:module');
const fs = require('node:fs');

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'got') {
    return () => Promise.reject(new Error('TokenDesk runs Electronegativity offline.'));
  }
  return originalLoad.call(this, request, parent, isMain);
};

fs.writeFile = function writeFileInOrder(file, data, options, callback) {
  const done = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'function' ? undefined : options;
  let error = null;
  try {
    fs.writeFileSync(file, data, opts);
  } catch (caught) {
    error = caught;
  }
  if (done) process.nextTick(done, error);
};
