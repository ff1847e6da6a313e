// @ts-check
/**
 * What a test file's own code (module scope, beforeAll, afterAll) leaves open fails the file,
 * as a failing afterAll hook does: every test keeps its own result. Clean twins pass.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runJest, JEST_VERSIONS } = require('./helpers/run-jest');

/** File-level messages, from the first line through the creating line. */
const FILE_LEAKS = {
  'server-left-open.test.js':
    /leakwatch: test file __tests__\/server-left-open\.test\.js leaked 1 open handle\.\n\s+TCP server listening on 127\.0\.0\.1:\d+, created at __tests__\/server-left-open\.test\.js:6 \(beforeAll\)\n\s+Still open 100 ms after the file's last afterAll hook/,
  'timer-left-at-module-scope.test.js':
    /leakwatch: test file __tests__\/timer-left-at-module-scope\.test\.js leaked 1 open handle\.\n\s+setInterval timer \(every 60000 ms\), created at __tests__\/timer-left-at-module-scope\.test\.js:1 \(module scope\)\n/,
  'temp-dir-left.test.js':
    /leakwatch: test file __tests__\/temp-dir-left\.test\.js left 1 path in the temp folder\.\n\s+\/.*\/leakwatch-file-level-\w{6}, created at __tests__\/temp-dir-left\.test\.js:7 \(beforeAll\)\n\s+Remove them in an afterAll hook/,
  'fd-left.test.js':
    /leakwatch: test file __tests__\/fd-left\.test\.js leaked 1 file descriptor\.\n\s+fd \d+ → \/.*\/__tests__\/fd-left\.test\.js, opened at __tests__\/fd-left\.test\.js:5 \(beforeAll\)\n\s+Still open 100 ms after the file's last afterAll hook: close it/,
  'global-left.test.js':
    /leakwatch: test file __tests__\/global-left\.test\.js leaked 1 global: sharedClient\.\n\s+sharedClient, set in beforeAll\n\s+Still on the global object after the file's last afterAll hook\. Delete it in an afterAll hook/,
  'db-pool-left.test.js':
    /leakwatch: test file __tests__\/db-pool-left\.test\.js leaked 1 open handle\.\n\s+TCP socket to 127\.0\.0\.1:\d+, created at __tests__\/db-pool-left\.test\.js:15 \(opened in test "queries and never ends the pool"\)\n\s+Still open 100 ms after the file's last afterAll hook/,
  'pool-left.test.js':
    /leakwatch: test file __tests__\/pool-left\.test\.js leaked 1 connection\(s\) \(probe "db-pool"\)\.\n\s+"db-pool" measured 0 at the file's start and 1 after its last afterAll hook; the file's own code changed it by \+1 in beforeAll \(tolerance 0\)\.\n\s+Release it in an afterAll hook\./,
};
const CLEAN_FILES = [
  'server-closed.test.js',
  'listener-removed.test.js',
  'fixture-dropped.test.js',
  'temp-dir-removed.test.js',
  'fd-closed.test.js',
  'global-deleted.test.js',
  // Module scope declares the file's globals; memory module scope keeps is freed with the file's environment.
  'global-at-module-scope.test.js',
  'pool-released.test.js',
  // A library's pool connects at a test's first query and keeps the socket: ended in afterAll, no leak.
  'db-pool-ended.test.js',
  'external-kept-in-module.test.js',
  // `process` in a test file is Jest's per-file copy, freed with the file: a listener left on
  // it keeps nothing (__tests__/retained-environment.test.js shows the file freed).
  'listener-left.test.js',
  'module-scope-listener.test.js',
];
/** Files whose one test leaks and is failed for it: the file is not failed again. */
const TEST_LEAKS = {
  'test-leaves-timer.test.js': 'leakwatch: "leaves an interval (failed for it, not again for the file)" leaked 1 open handle.',
  'test-leaves-fd.test.js': 'leakwatch: "leaves a descriptor open (failed for it, not again for the file)" leaked 1 file descriptor.',
};

/** @param {{ name: string }} file */
const baseName = (file) => file.name.replace(/^.*\//, '');

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  describe.each([
    ['workers', ['-w', '2']],
    ['in band', ['-i']],
  ])('%s', (_mode, args) => {
    /** @type {ReturnType<typeof runJest>} */
    let run;
    afterAll(() => {
      // The leaky fixture's folders, left in the temp folder on purpose.
      for (const name of fs.readdirSync(os.tmpdir())) {
        if (name.startsWith('leakwatch-file-level-')) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
      }
    });
    beforeAll(() => {
      // The leaky files keep handles open on purpose: without --forceExit, Jest in band would wait for them.
      run = runJest(version, 'file-level', { args: [...args, '--forceExit'] });
    });

    test('every test keeps its own result: only the tests that leaked themselves fail', () => {
      const failed = [...run.tests].filter(([, outcome]) => outcome.status === 'failed').map(([name]) => name);
      expect(failed.sort()).toEqual([
        'leaves a descriptor open (failed for it, not again for the file)',
        'leaves an interval (failed for it, not again for the file)',
      ]);
      expect(run.tests.size).toBe(21);
      expect(run.exitCode).toBe(1);
    });

    test.each(Object.entries(FILE_LEAKS))('%s fails as a file, naming the line that opened it', (name, message) => {
      const file = run.files.find((f) => baseName(f) === name);
      expect(file?.status).toBe('failed');
      expect(file?.message).toMatch(message);
    });

    test.each(CLEAN_FILES)('clean twin %s passes', (name) => {
      const file = run.files.find((f) => baseName(f) === name);
      expect(file?.status).toBe('passed');
      expect(file?.message).toBe('');
    });

    test.each(Object.entries(TEST_LEAKS))("%s: a test's own leak is not reported again for its file", (name, message) => {
      const file = run.files.find((f) => baseName(f) === name);
      expect(file?.message).not.toContain('leakwatch: test file');
      expect(file?.message).toContain(message);
    });

    test('nothing internal went wrong', () => {
      expect(run.stderr).not.toContain('internal error');
    });
  });
});
