// @ts-check
/** The traps that fool naive detectors: every test here must pass, on both Jest versions. */
'use strict';
const { runJest, failedTests, JEST_VERSIONS } = require('./helpers/run-jest');

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  test.each([
    ['workers', []],
    ['in band', ['-i']],
  ])('no clean test fails (%s)', (_mode, args) => {
    const run = runJest(version, 'heap-clean', { args: /** @type {string[]} */ (args) });
    expect(failedTests(run)).toEqual([]);
    expect(run.tests.size).toBe(343);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).not.toContain('leakwatch:');
  });
});
