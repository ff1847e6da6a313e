// Preloaded (--require) by bench.js's "without the addon" variant: v8-profiler-next cannot be
// resolved, as for a user whose install built no addon (pnpm 10, Bun, --ignore-scripts).
'use strict';
const Module = require('node:module');

const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveWithoutAddon(request, ...rest) {
  if (request === 'v8-profiler-next' || request.startsWith('v8-profiler-next/')) {
    const error = new Error(`Cannot find module '${request}' (hidden by scripts/without-addon.js)`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
