// @ts-check
/** A user's environment that extends leakwatch's and defines its own handleTestEvent method. */
'use strict';
const path = require('node:path');
const { runJest, failedTests, JEST_VERSIONS, root } = require('./helpers/run-jest');

test.each(JEST_VERSIONS)("Jest %s: the subclass's handler runs, and leakwatch's still judges every test", (version) => {
  const run = runJest(version, 'subclass', { env: { LEAKWATCH_INSTALLED: path.join(root, 'test-env', `jest${version}`, 'node_modules') } });
  expect(failedTests(run)).toEqual(['keeps 1 MiB in a module array']);
  expect(run.tests.get('keeps 1 MiB in a module array')?.message).toMatch(
    /^leakwatch: "keeps 1 MiB in a module array" leaked ~1\.0 MB of heap per run\./,
  );
  expect(run.tests.get('adds two numbers')?.status).toBe('passed');
  expect(run.stderr).toContain(
    'my environment saw test_done of "keeps 1 MiB in a module array"\nmy environment saw test_done of "adds two numbers"\n',
  );
});
