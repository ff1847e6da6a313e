// `reporters: ['default', 'jest-environment-leakwatch/reporter']` loads this file.
'use strict';
module.exports = require('./dist/reporter/index.js').default;
