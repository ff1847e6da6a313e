// @ts-check
/** A probe registered from a setup file fails the test whose number grew; a broken probe only warns. */
'use strict';
const { runJest, failedTests, JEST_VERSIONS } = require('./helpers/run-jest');

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  test.each([
    ['workers', []],
    ['in band', ['-i']],
  ])(
    '%s: db-pool fails the test that kept a connection; ignore() and a throwing probe change no result, and the test keeping one on purpose is not run again',
    (_mode, args) => {
      const run = runJest(version, 'user-probes', { args: /** @type {string[]} */ (args) });
      expect(failedTests(run)).toEqual(['forgets to release a connection']);
      expect(run.tests.get('forgets to release a connection')?.message).toBe(
        'leakwatch: "forgets to release a connection" leaked 1 connection(s) (probe "db-pool").\n' +
          '  "db-pool" measured 0 before the test and 1 after it (tolerance 0).',
      );
      expect(run.tests.get('runs after the flaky probe broke')?.status).toBe('passed');
      expect(run.stderr).toContain('probe "flaky-gpu" failed and is off for the rest of this file: device lost');
      expect(run.exitCode).toBe(1);
    },
  );
});

describe('a bad probe definition names the field and what is allowed', () => {
  test.each([
    [{ name: 'pool' }, 'leakwatch.registerProbe(): measure is undefined; allowed: a function returning a number (or a promise of one).'],
    [{ name: 'heap', measure: () => 0 }, "leakwatch.registerProbe(): the name 'heap' is taken; pick another."],
    [
      { name: 'pool', measure: () => 0, tolerence: 1 },
      'leakwatch.registerProbe() got an unknown field tolerence; allowed: name, measure, tolerance, unit, message.',
    ],
  ])('%j', (definition, message) => {
    const { parseProbeDefinition } = require('../dist/core/test-api-arguments');
    expect(() => parseProbeDefinition(definition, ['heap'])).toThrow(`leakwatch: ${message}`);
  });
});
