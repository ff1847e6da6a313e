// @ts-check
/** Each planted ≥ 1 MiB heap leak fails its test with a clear message; its clean twin passes. */
'use strict';
const { runJest, failedTests, JEST_VERSIONS } = require('./helpers/run-jest');

const LEAKS = {
  'pushes 1 MiB into a module-level array': /makeOneMiB \(src\/make\.js:2\) ← \(anonymous\) \(__tests__\/module-array\.test\.js:9\)/,
  // register() and makeRecords() run hot enough to be inlined: V8 then reports the test body.
  'registers 32768 records in a module-level Map': / \(__tests__\/module-map\.test\.js:8\)\n/,
  'leaves a listener holding 1 MiB on a module-level emitter': /makeOneMiB \(src\/make\.js:2\) ← \(anonymous\) \(__tests__\/emitter-listener\.test\.js:12\)/,
  // Runs again inside the test's scope, where Jest 30 lets it use fake timers.
  'uses fake timers and keeps 1 MiB': /makeOneMiB \(src\/make\.js:2\) ← \(anonymous\) \(__tests__\/test-scope\.test\.js:7\)/,
  'keeps the records made by beforeEach': /makeRecords \(src\/make\.js:7\) ← \(anonymous\) \(__tests__\/before-each-kept\.test\.js:6\)/,
};
const CLEAN = ['adds two numbers', 'registers a small entry', 'adds and removes a listener', 'reads the records'];

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  describe.each([['workers', []], ['in band', ['-i']]])('%s', (_mode, args) => {
    /** @type {ReturnType<typeof runJest>} */
    let run;
    beforeAll(() => {
      run = runJest(version, 'heap-leaks', { args: /** @type {string[]} */ (args) });
    });

    test('fails exactly the leaking tests, and Jest exits non-zero', () => {
      expect(failedTests(run)).toEqual(Object.keys(LEAKS).sort());
      expect(CLEAN.map((name) => run.tests.get(name)?.status)).toEqual(CLEAN.map(() => 'passed'));
      expect(run.exitCode).toBe(1);
    });

    test.each(Object.entries(LEAKS))('"%s" says how much leaked, the threshold, where, and what next', (name, site) => {
      const message = run.tests.get(name)?.message ?? '';
      expect(message).toMatch(new RegExp(`^leakwatch: "${name}" leaked ~\\d+(\\.\\d)? MB of heap per run\\.`));
      expect(message).toContain('threshold 512 KB, set by testEnvironmentOptions.leakwatch.heap.threshold');
      expect(message).toMatch(/Run three times more, the test left ~[\d.]+ MB, ~[\d.]+ MB and ~[\d.]+ MB behind, allocated by its code and still reachable after the last run/);
      expect(message).toMatch(site);
      expect(message).toContain('LEAKWATCH_SNAPSHOTS=1');
    });
  });
});
