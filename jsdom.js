// `testEnvironment: 'jest-environment-leakwatch/jsdom'` resolves to this file.
module.exports = require('./dist/jsdom');
