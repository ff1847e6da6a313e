// @ts-check
/**
 * TypeScript through ts-jest (typescript 5.9): every message points at the .ts source line
 * (type-only lines make the compiled lines differ). The heap leak names the allocating
 * statement, on the third line of its function (found with logpoints in one more run), and
 * the test's line that called it.
 */
'use strict';
const path = require('node:path');
const { runJest, failedTests, JEST_VERSIONS, root } = require('./helpers/run-jest');

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  /** @type {ReturnType<typeof runJest>} */
  let run;
  beforeAll(() => {
    run = runJest(version, 'typescript', { env: { LEAKWATCH_INSTALLED: path.join(root, 'test-env', `jest${version}`, 'node_modules') } });
  });

  test('fails the three leaks and passes the clean twin', () => {
    expect(failedTests(run)).toEqual([
      'keeps 1 MiB in a module array (typescript)',
      'leaves a file open (typescript)',
      'leaves an interval running (typescript)',
    ]);
    expect(run.tests.get('makes and drops 1 MiB (typescript)')?.status).toBe('passed');
  });

  test('the heap leak names the .ts lines of the allocating statement and of the call in the test', () => {
    expect(run.tests.get('keeps 1 MiB in a module array (typescript)')?.message).toMatch(
      /Allocated at \(sampled, biggest first\):\n\s+~1\.0 MB {2}src\/make\.ts:13 in makeOneMiB, called from __tests__\/leaks\.test\.ts:24\n/,
    );
  });

  test('the handle and the fd name the .ts lines that created them', () => {
    expect(run.tests.get('leaves an interval running (typescript)')?.message).toMatch(
      /^leakwatch: "leaves an interval running \(typescript\)" leaked 1 open handle\.\n\s+setInterval timer \(every 1000 ms\), created at __tests__\/leaks\.test\.ts:28\n/,
    );
    expect(run.tests.get('leaves a file open (typescript)')?.message).toMatch(
      /^leakwatch: "leaves a file open \(typescript\)" leaked 1 file descriptor\.\n\s+fd \d+ → \/.*leakwatch-ts-\d+\.txt, opened at __tests__\/leaks\.test\.ts:32\n/,
    );
  });
});
