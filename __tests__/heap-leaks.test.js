// @ts-check
/** Each planted ≥ 1 MiB heap leak fails its test with a clear message; its clean twin passes. */
'use strict';
const { runJest, failedTests, JEST_VERSIONS } = require('./helpers/run-jest');

/**
 * Where each leak was allocated: the allocating statement's line (found with logpoints in one
 * more run), the function, and the line of the test that called it. The helpers allocate on
 * a later line than the one they start on, so a function-level position would not match.
 */
const LEAKS = {
  'pushes 1 MiB into a module-level array': /~1\.0 MB {2}src\/make\.js:3 in makeOneMiB, called from __tests__\/module-array\.test\.js:11\n/,
  // register() and makeRecords() run hot enough to be inlined: the sampling profiler then
  // reports the test body, whose biggest line is the loop filling the Map (or the line making
  // the records, when makeRecords is not a site of its own; when it is, its allocating line). When register() is not inlined
  // it is the site, and its line is not found (the Map's table grows after its lines' first
  // 100 hits, where logpoints stop): the site stays function-level. On Node 22 the test body
  // itself was seen as such a site (its Map growth past the cap), at its function's line 8;
  // and register() as the site with its lines found: 7 (`entries.set`), or 6, 7, or once 8
  // (`return`, one after the set that grows the Map: an imprecision of the statement lines).
  'registers 32768 records in a module-level Map':
    /Allocated at \(sampled, biggest first\):\n\s+~[\d.]+ MB {2}(?:__tests__\/module-map\.test\.js:(?:9|10|9, 10) in \(anonymous\)|src\/make\.js:9 in makeRecords, called from __tests__\/module-map\.test\.js:9|\(anonymous\) \(__tests__\/module-map\.test\.js:8\)|src\/registry\.js:[678](?:, [678])* in register, called from __tests__\/module-map\.test\.js:10|register \(src\/registry\.js:5\) ← \(anonymous\) \(__tests__\/module-map\.test\.js:8\))\n/,
  'leaves a listener holding 1 MiB on a module-level emitter':
    /~1\.0 MB {2}src\/make\.js:3 in makeOneMiB, called from __tests__\/emitter-listener\.test\.js:13\n/,
  // Runs again inside the test's scope, where Jest 30 lets it use fake timers.
  'uses fake timers and keeps 1 MiB': /~1\.0 MB {2}src\/make\.js:3 in makeOneMiB, called from __tests__\/test-scope\.test\.js:11\n/,
  'keeps the records made by beforeEach':
    /~[\d.]+ MB {2}src\/make\.js:9 in makeRecords, called from __tests__\/before-each-kept\.test\.js:7\n/,
  // Its runs leave fake timers pending too; read again with them cleared, it still keeps its MiB.
  'keeps 1 MiB and leaves a fake timer pending':
    /~1\.0 MB {2}src\/make\.js:3 in makeOneMiB, called from __tests__\/fake-timers-pending\.test\.js:16\n/,
  // Jest 30 keeps the global's replaced values until teardown; leakwatch does not count them.
  'keeps every batch in a global list it replaces':
    /~1\.0 MB {2}src\/make\.js:3 in makeOneMiB, called from __tests__\/global-history\.test\.js:6\n/,
};
/**
 * What holds each leak: a path from the variable down, computed from heap snapshots. The
 * element index counts the runs before it (the test, a first look when v8-profiler-next is
 * installed, three confirming runs, the statement-line run).
 */
const HOLDERS = {
  'pushes 1 MiB into a module-level array':
    /~1\.0 MB in \d+ × \(object elements\): __tests__\/module-array\.test\.js: kept \(Array\) → \[\d+\] \(Array\) → elements\n/,
  // The snapshot run may be the one in which the Map's table doubles (which run that is
  // depends on how many ran before): then the new table, ~10× the run's records, is listed.
  'registers 32768 records in a module-level Map':
    /(~1\.\d MB in \d+ × Object|~\d+\.\d MB in 1 × array): __tests__\/module-map\.test\.js: register \(function register\) → entries \(Map\) → entries \(array\)( → entry \(Object\))?\n/,
  'leaves a listener holding 1 MiB on a module-level emitter':
    /~1\.0 MB in \d+ × \(object elements\): __tests__\/emitter-listener\.test\.js: bus \(EventEmitter\) → \._events \(Object\) → \.ping \(Array\) → \[\d+\] \(function\) → data \(Array\) → elements\n/,
  'keeps the records made by beforeEach':
    /~1\.\d MB in \d+ × Object: __tests__\/before-each-kept\.test\.js: records \(Array\) → \[\d+\] \(Object\)\n/,
  'uses fake timers and keeps 1 MiB':
    /~1\.0 MB in \d+ × \(object elements\): __tests__\/test-scope\.test\.js: kept \(Array\) → \[\d+\] \(Array\) → elements\n/,
};
const CLEAN = ['adds two numbers', 'registers a small entry', 'adds and removes a listener', 'reads the records'];

// Each Jest version in one mode, and each mode on one version: the heap check does not
// depend on the pairing, and each run takes ~20 s. JEST_VERSIONS is ['29', '30'].
const [OLDER, NEWER] = JEST_VERSIONS;
describe.each([
  [OLDER, 'workers', []],
  [NEWER, 'in band', ['-i']],
])('Jest %s, %s', (version, _mode, args) => {
  /** @type {ReturnType<typeof runJest>} */
  let run;
  beforeAll(() => {
    run = runJest(version, 'heap-leaks', { args: /** @type {string[]} */ (args) });
  });

  test.each(Object.entries(HOLDERS))('"%s" says what holds the leaked memory', (name, holder) => {
    const message = run.tests.get(name)?.message ?? '';
    expect(message).toContain('What holds it (objects new after one more run of the test, by kind, biggest first):\n');
    expect(message).toMatch(holder);
  });

  test('the extra runs print nothing: the test logged once', () => {
    expect(run.stderr.split('pushing one more MiB').length - 1).toBe(1);
  });

  test('a test whose runs each leave a fake timer holding their memory passes, and says nothing', () => {
    expect(run.tests.get('leaves a fake timer holding 1 MiB')?.status).toBe('passed');
    expect(run.stderr).not.toContain('"leaves a fake timer holding 1 MiB"');
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
    expect(message).toMatch(
      /Run four times more, the test left ~[\d.]+ MB, ~[\d.]+ MB and ~[\d.]+ MB behind in the first three, allocated by its code and still reachable after the last run/,
    );
    expect(message).toMatch(site);
    expect(message).toContain('LEAKWATCH_SNAPSHOTS=1');
  });
});
