// @ts-check
/** Native memory V8 does not see: zlib streams kept open fail with the native message; closed or dropped ones pass. */
'use strict';
const { runJest, failedTests, JEST_VERSIONS } = require('./helpers/run-jest');

const NATIVE_LEAK = new RegExp(
  [
    /^leakwatch: "keeps zlib streams open" leaked ~\d+\.\d MB of native memory per run\.\n/,
    /\s+Run 3 times more with a full GC after each, the test kept \d+\.\d MB, \d+\.\d MB, \d+\.\d MB more of the process's memory \(resident, anonymous\) /,
    /that neither V8's heap nor its external memory counts \(threshold 8\.0 MB, set by testEnvironmentOptions\.leakwatch\.native\.threshold\)\.\n/,
    /\s+Memory V8 does not see is allocated by native code: a native addon, or a native library behind a Node API \(zlib, crypto\)\.\n/,
    /\s+No native addon \(\.node file\) is loaded in this process: look at the Node APIs the test uses \(zlib streams, crypto, sqlite\)\.\n/,
    /\s+Fix: close or free what the native module returns once the test is done \(stream\.close\(\), db\.close\(\), handle\.destroy\(\)\); /,
    /check its close\/destroy\/free API\. Objects dropped without it may keep their native memory until the process exits\./,
  ]
    .map((part) => part.source)
    .join(''),
);

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  describe.each([
    ['workers', []],
    ['in band', ['-i']],
  ])('%s', (_mode, args) => {
    /** @type {ReturnType<typeof runJest>} */
    let run;
    beforeAll(() => {
      run = runJest(version, 'native', { args: /** @type {string[]} */ (args) });
    });

    test('fails the test that keeps zlib streams open; closed, dropped and ignored ones pass', () => {
      expect(failedTests(run)).toEqual(['keeps zlib streams open']);
      expect(run.tests.size).toBe(4);
      expect(run.exitCode).toBe(1);
    });

    test('says what grew, that V8 did not count it, and what to close', () => {
      expect(run.tests.get('keeps zlib streams open')?.message).toMatch(NATIVE_LEAK);
    });
  });
});
