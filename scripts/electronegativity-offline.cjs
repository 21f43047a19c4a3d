// Loaded with `node --require` before Electronegativity: its i18n module
// downloads translations from the internet on every run (and the excluded
// AvailableSecurityFixesGlobalCheck fetches release notes). Both go through
// `got`; this answers every such request with an immediate failure, so the
// scan stays offline and falls back to its bundled English texts.
'use strict';
const Module = require('node:module');

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'got') {
    return () => Promise.reject(new Error('TokenDesk runs Electronegativity offline.'));
  }
  return originalLoad.call(this, request, parent, isMain);
};
