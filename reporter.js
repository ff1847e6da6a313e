// `reporters: ['default', 'jest-environment-leakwatch/reporter']` loads this file.
'use strict';
module.exports = require('./dist/jest/reporter.js').default;
