// Preloaded (--require) by bench.js's "without the addon" variant: @datadog/pprof cannot be
// resolved, as for a user whose install left out optional dependencies (--omit=optional), or
// on a platform it has no prebuilt module for.
'use strict';
const Module = require('node:module');

const HIDDEN = '@datadog/pprof';
const resolve = Module._resolveFilename;
Module._resolveFilename = function resolveWithoutAddon(request, ...rest) {
  if (request === HIDDEN || request.startsWith(`${HIDDEN}/`)) {
    const error = new Error(`Cannot find module '${request}' (hidden by scripts/without-addon.js)`);
    error.code = 'MODULE_NOT_FOUND';
    throw error;
  }
  return resolve.call(this, request, ...rest);
};
