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
};
const CLEAN_FILES = [
  'server-closed.test.js',
  'listener-removed.test.js',
  'fixture-dropped.test.js',
  'temp-dir-removed.test.js',
  // `process` in a test file is Jest's per-file copy, freed with the file: a listener left on
  // it keeps nothing (__tests__/retained-environment.test.js shows the file freed).
  'listener-left.test.js',
  'module-scope-listener.test.js',
];

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

    test('every test keeps its own result: only the test that leaked its own interval fails', () => {
      const failed = [...run.tests].filter(([, outcome]) => outcome.status === 'failed').map(([name]) => name);
      expect(failed).toEqual(['leaves an interval (failed for it, not again for the file)']);
      expect(run.tests.size).toBe(10);
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

    test("a test's own leak is not reported again for its file", () => {
      const file = run.files.find((f) => baseName(f) === 'test-leaves-timer.test.js');
      expect(file?.message).not.toContain('leakwatch: test file');
      expect(file?.message).toContain('leakwatch: "leaves an interval (failed for it, not again for the file)" leaked 1 open handle.');
    });

    test('nothing internal went wrong', () => {
      expect(run.stderr).not.toContain('internal error');
    });
  });
});
