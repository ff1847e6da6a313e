// @ts-check
/**
 * Native ES modules (NODE_OPTIONS=--experimental-vm-modules): a module-scope Map that keeps
 * every login is named with its module's file in "What holds it", as in CommonJS, though V8
 * holds an ES module's scope through the module record rather than a function.
 */
'use strict';
const { runJest, failedTests, JEST_VERSIONS } = require('./helpers/run-jest');

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  /** @type {ReturnType<typeof runJest>} */
  let run;
  beforeAll(() => {
    run = runJest(version, 'esm', { env: { NODE_OPTIONS: '--experimental-vm-modules --no-warnings' } });
  });

  test('fails the heap leak and the interval, and passes the clean twin', () => {
    expect(failedTests(run)).toEqual(['leaves an interval running (esm)', 'login many users (esm)']);
    expect(run.tests.get('login then logout (esm)')?.status).toBe('passed');
  });

  test('the heap leak names the allocating line and the module variable that holds it', () => {
    const message = run.tests.get('login many users (esm)')?.message ?? '';
    expect(message).toMatch(/^leakwatch: "login many users \(esm\)" leaked ~1\.[56] MB of heap per run\./);
    expect(message).toMatch(/~1\.[56] MB {2}src\/sessions\.js:7 in login, called from __tests__\/sessions\.test\.js:8\n/);
    expect(message).toMatch(
      /~1\.[56] MB in 10 × \(object elements\): src\/sessions\.js: sessions \(Map\) → entries \(array\) → entry \(Object\) → \.history \(Array\) → elements\n/,
    );
  });

  test('the interval names the line of the test file that set it', () => {
    expect(run.tests.get('leaves an interval running (esm)')?.message).toMatch(
      /^leakwatch: "leaves an interval running \(esm\)" leaked 1 open handle\.\n\s+setInterval timer \(every 1000 ms\), created at __tests__\/sessions\.test\.js:15\n/,
    );
  });
});
