// @ts-check
/**
 * Memory a test keeps once in module-level state (issue #22): the article's memoised function,
 * in JS and TS (ts-jest), fails with a message naming the cache, its line and its size; the clean
 * twins (a lazy singleton, a full LRU, a library's one-time table, a describe-level fixture) pass.
 */
'use strict';
const path = require('node:path');
const { runJest, failedTests, JEST_VERSIONS, root } = require('./helpers/run-jest');

const KEPT = {
  api: /leakwatch: "api" kept ~2\.3 MB in module-level state: cache \(Map\) in src\/api\.js:2, \+1 entry, ~2\.3 MB\./,
  'api (typescript)':
    /leakwatch: "api \(typescript\)" kept ~2\.3 MB in module-level state: cache \(Map\) in src\/api-ts\.ts:2, \+1 entry, ~2\.3 MB\./,
};
const ADVICE = [
  /Run again with the same input, the test adds nothing: the memory stays, but does not grow\. A cache keyed on its input grows with every new input/,
  /Fix: bound it \(an LRU with a maximum size\), or clear it in afterEach \(e\.g\. cache\.clear\(\)\)\. If it is meant to stay, call leakwatch\.ignore\('heap'\) in this test, or list it in testEnvironmentOptions\.leakwatch\.heap\.keptOnce\.allow/,
];
const CLEAN = [
  'api with a small input',
  'clean builds a lazy singleton',
  'clean adds to an LRU that is already full',
  'clean calls a library that builds a table on its first call',
  'a describe-level fixture clean reads the fixture',
  'a describe-level fixture clean reads the next fixture',
];

const [OLDER, NEWER] = JEST_VERSIONS;
describe.each([
  [OLDER, 'workers', []],
  [NEWER, 'in band', ['-i']],
])('Jest %s, %s', (version, _mode, args) => {
  /** @type {ReturnType<typeof runJest>} */
  let run;
  beforeAll(() => {
    const installed = path.join(root, 'test-env', `jest${version}`, 'node_modules');
    run = runJest(version, 'kept-once', { args: /** @type {string[]} */ (args), env: { LEAKWATCH_INSTALLED: installed } });
  });

  test('exactly the memoised calls of the JS and TS files fail', () => {
    expect(failedTests(run).sort()).toEqual(Object.keys(KEPT).sort());
  });

  test.each(Object.keys(KEPT))('%s: names the cache, its line, the entry and the size, then what to do', (name) => {
    const message = run.tests.get(name)?.message ?? '';
    expect(message).toMatch(KEPT[/** @type {keyof typeof KEPT} */ (name)]);
    for (const advice of ADVICE) expect(message).toMatch(advice);
  });

  test.each(CLEAN)('%s passes', (name) => {
    expect(run.tests.get(name)?.status).toBe('passed');
  });
});
