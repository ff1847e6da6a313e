// @ts-check
/**
 * Memory a test keeps once in module-level state (issue #22): the article's memoised function,
 * in JS and TS (ts-jest; an exported cache too), fails with a message naming the cache, its
 * line and its size; the clean twins (a lazy singleton, a full LRU, a library's one-time table, a describe-level fixture, a
 * field set again or built on first use) pass. A memo in a plain object's keys, in a class's
 * static field or in a service instance's field (a Map or a plain object, imported by TypeScript
 * too) fails as one in a Map.
 * A cache that each test grows by less than the threshold fails its file, naming the tests.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runJest, failedTests, JEST_VERSIONS, root } = require('./helpers/run-jest');

const KEPT = {
  api: /leakwatch: "api" kept ~2\.3 MB in module-level state: cache \(Map\) in src\/api\.js:2, \+1 entry, ~2\.3 MB\./,
  'lists ranges api in a describe block':
    /leakwatch: "lists ranges api in a describe block" kept ~1\.5 MB in module-level state: cache \(Map\) in src\/api\.js:2, \+1 entry, ~1\.5 MB\./,
  'api (typescript)':
    /leakwatch: "api \(typescript\)" kept ~2\.3 MB in module-level state: cache \(Map\) in src\/api-ts\.ts:2, \+1 entry, ~2\.3 MB\./,
  'rates in euros (typescript)':
    /leakwatch: "rates in euros \(typescript\)" kept ~2\.3 MB in module-level state: rates \(Map\) in src\/rates-ts\.ts:2, \+1 entry, ~2\.3 MB\./,
  'parses the north region':
    /leakwatch: "parses the north region" kept ~938 KB in module-level state: Regions\.parsed \(Map\) in src\/registry\.js:2, \+1 entry, ~938 KB\./,
  'quotes the first product':
    /leakwatch: "quotes the first product" kept ~938 KB in module-level state: prices\.quotes \(Map\) in src\/prices\.js:12, \+1 entry, ~938 KB\./,
  'quotes the first product (typescript)':
    /leakwatch: "quotes the first product \(typescript\)" kept ~938 KB in module-level state: prices\.quotes \(Map\) in src\/prices\.js:12, \+1 entry, ~938 KB\./,
  'loads the French catalogue':
    /leakwatch: "loads the French catalogue" kept ~938 KB in module-level state: catalogues\.byLocale \(Object\) in src\/prices\.js:25, \+1 entry, ~938 KB\./,
  'parses the sales report':
    /leakwatch: "parses the sales report" kept ~938 KB in module-level state: reports \(Object\) in src\/reports\.js:4, \+1 entry, ~938 KB\./,
};
const ADVICE = [
  /Run again with the same input, the test adds nothing: the memory stays, but does not grow\. A cache keyed on its input grows with every new input/,
  /Fix: bound it \(an LRU with a maximum size\), or clear it in afterEach \(e\.g\. (cache\.clear\(\)|rates\.clear\(\)|Regions\.parsed\.clear\(\)|prices\.quotes\.clear\(\)|for \(const key in catalogues\.byLocale\) delete catalogues\.byLocale\[key\]|for \(const key in reports\) delete reports\[key\])\)\. If it is meant to stay, call leakwatch\.ignore\('heap'\) in this test, or list it in testEnvironmentOptions\.leakwatch\.heap\.keptOnce\.allow/,
];
const GROWN =
  /leakwatch: test file __tests__\/thumbnails\.test\.js grew module-level state test after test: thumbnails \(Map\) in src\/thumbnails\.js:2, \+5 entries in 5 tests, ~1\.1 MB\.\n\s+Grown by "thumbnail of cat\.png", "thumbnail of dog\.png", "thumbnail of bird\.png", "thumbnail of fish\.png" and "thumbnail of horse\.png", and still held after the file's afterAll hooks/;
const GROWN_ADVICE =
  /Fix: bound it \(an LRU with a maximum size\), or clear it in afterEach \(e\.g\. thumbnails\.clear\(\)\)\. If it is meant to grow, list it in testEnvironmentOptions\.leakwatch\.heap\.keptOnce\.allow \(e\.g\. 'src\/thumbnails\.js:thumbnails'\)/;
const GROWN_OBJECT =
  /leakwatch: test file __tests__\/previews\.test\.js grew module-level state test after test: previews \(Object\) in src\/reports\.js:11, \+5 entries in 5 tests, ~1\.1 MB\.[^]*clear it in afterEach \(e\.g\. for \(const key in previews\) delete previews\[key\]\)/;
const CLEAN = [
  'api with a small input',
  'clean builds the settings on first use',
  'clean loads a document',
  'clean builds a lazy singleton',
  'clean adds to an LRU that is already full',
  'clean calls a library that builds a table on its first call',
  "clean registers once in a library's registry instance",
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
    debugFile = path.join(os.tmpdir(), `leakwatch-kept-once-${version}-${process.pid}.jsonl`);
    fs.rmSync(debugFile, { force: true });
    run = runJest(version, 'kept-once', {
      args: /** @type {string[]} */ (args),
      env: { LEAKWATCH_INSTALLED: installed, LEAKWATCH_DEBUG: debugFile },
    });
  });
  /** @type {string} */
  let debugFile;

  afterAll(() => fs.rmSync(debugFile, { force: true }));

  /** The test's message, and its measurement line, which a failure shows: which step cleared it. */
  function resultOf(/** @type {string} */ name) {
    const lines = fs.existsSync(debugFile) ? fs.readFileSync(debugFile, 'utf8').split('\n') : [];
    return { message: run.tests.get(name)?.message ?? '', measured: lines.filter((line) => line.includes(JSON.stringify(name))) };
  }

  test('exactly the memoised calls of the JS and TS files fail', () => {
    expect(failedTests(run).sort()).toEqual(Object.keys(KEPT).sort());
  });

  test.each(Object.keys(KEPT))('%s: names the cache, its line, the entry and the size, then what to do', (name) => {
    const result = resultOf(name);
    // toEqual, not toMatchObject: a failure's diff then shows the measurement lines too.
    expect(result).toEqual({ measured: result.measured, message: expect.stringMatching(KEPT[/** @type {keyof typeof KEPT} */ (name)]) });
    for (const advice of ADVICE) expect(result.message).toMatch(advice);
  });

  test.each(CLEAN)('%s passes', (name) => {
    expect(run.tests.get(name)?.status).toBe('passed');
  });

  test('a cache each test grows a little fails its file, naming the cache, its size and the tests; each test passes', () => {
    const file = run.files.find((f) => f.name.endsWith('thumbnails.test.js'));
    expect(file?.status).toBe('failed');
    expect(file?.message).toMatch(GROWN);
    expect(file?.message).toMatch(GROWN_ADVICE);
    expect(file?.assertionResults.map((/** @type {{ status: string }} */ t) => t.status)).toEqual(Array(5).fill('passed'));
  });

  test("a plain object's keys that each test adds to fail the file the same way", () => {
    const file = run.files.find((f) => f.name.endsWith('previews.test.js'));
    expect(file?.status).toBe('failed');
    expect(file?.message).toMatch(GROWN_OBJECT);
    expect(file?.assertionResults.map((/** @type {{ status: string }} */ t) => t.status)).toEqual(Array(5).fill('passed'));
  });

  test('state that grows and is cleared after each test or when the file ends, or stays small, passes', () => {
    const file = run.files.find((f) => f.name.endsWith('growth-clean.test.js'));
    expect(file?.status).toBe('passed');
    expect(file?.message).toBe('');
    expect(file?.assertionResults).toHaveLength(16);
  });

  test('nothing internal went wrong', () => {
    expect(run.stderr).not.toContain('internal error');
  });
});
