// @ts-check
/** External memory, handles, file descriptors, process listeners, temp files and globals: each leaky twin fails naming the thing; clean twins pass. */
'use strict';
const { runJest, failedTests, JEST_VERSIONS } = require('./helpers/run-jest');

/** @type {Record<string, RegExp[]>} */
const LEAKS = {
  'leaves an interval running': [
    /^leakwatch: "leaves an interval running" leaked 1 open handle\.\n\s+setInterval timer \(every 1000 ms\), created at __tests__\/timers\.test\.js:12\n/,
  ],
  'leaves a timer that never fires': [
    /^leakwatch: "leaves a timer that never fires" leaked 1 open handle\.\n\s+setTimeout timer \(2147483647 ms\), created at __tests__\/timers\.test\.js:40\n/,
  ],
  'leaves a timer as long as the time limit': [
    /^leakwatch: "leaves a timer as long as the time limit" leaked 1 open handle\.\n\s+setTimeout timer \(5000 ms\), created at __tests__\/timers\.test\.js:46\n/,
  ],
  'leaves a server listening': [
    /^leakwatch: "leaves a server listening" leaked 1 open handle\.\n\s+TCP server listening on 127\.0\.0\.1:\d+, created at __tests__\/server\.test\.js:9\n/,
  ],
  'leaves a connection to the shared server open': [
    /^leakwatch: "leaves a connection to the shared server open" leaked 1 open handle\.\n\s+TCP socket to 127\.0\.0\.1:\d+, created at __tests__\/shared-server\.test\.js:38\n/,
  ],
  'leaves a child process running': [
    /^leakwatch: "leaves a child process running" leaked 1 open handle\.\n\s+child process \(pid \d+\), created at __tests__\/child-process\.test\.js:8\n/,
  ],
  'leaves a file open': [
    /^leakwatch: "leaves a file open" leaked 1 file descriptor\.\n\s+fd \d+ → \/.*leakwatch-fds-\d+\.txt, opened at __tests__\/fds\.test\.js:15\n/,
  ],
  'keeps a 4 MiB Buffer': [
    // Net growth between full GCs: other code freeing a little meanwhile (seen: 3.9 MB) is within ±5%.
    /^leakwatch: "keeps a 4 MiB Buffer" leaked ~(3\.[89]|4\.[01]) MB of external memory per run\.\n\s+Run twice more between full GCs, the test kept (3\.[89]|4\.[01]) MB and (3\.[89]|4\.[01]) MB more memory outside the JS heap/,
  ],
  'keeps a 2 MiB ArrayBuffer': [/^leakwatch: "keeps a 2 MiB ArrayBuffer" leaked ~(1\.9|2\.0|2\.1) MB of external memory per run\./],
  'leaves a temp file behind': [
    /^leakwatch: "leaves a temp file behind" left 1 path in the temp folder\.\n\s+\/.*\/leakwatch-left-\d+\.txt, created at __tests__\/temp-files\.test\.js:14\n/,
  ],
  'leaves a temp folder behind': [
    /^leakwatch: "leaves a temp folder behind" left 1 path in the temp folder\.\n\s+\/.*\/leakwatch-left-\w{6}, created at __tests__\/temp-files\.test\.js:18\n/,
  ],
  'leaves a process listener': [
    /^leakwatch: "leaves a process listener" leaked 1 process listener\.\n\s+process\.on\('SIGUSR2'\): 1 added and not removed, at __tests__\/listeners\.test\.js:6\n/,
  ],
};
const GLOBALS_LEAK = /^leakwatch: "leaves a global behind" leaked 1 global: leakedConfig\./;

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  describe.each([
    ['workers', []],
    ['in band', ['-i']],
  ])('%s', (_mode, args) => {
    /** @type {ReturnType<typeof runJest>} */
    let run;
    beforeAll(() => {
      run = runJest(version, 'resources', { args: /** @type {string[]} */ (args) });
    });

    test('fails exactly the leaky twins; clean twins (closed, cleared, unref-ed, awaited, fake timers, dropped Buffer, removed temp files, a file a beforeAll holds, keep-alive requests to a beforeAll server) pass', () => {
      expect(failedTests(run)).toEqual(Object.keys(LEAKS).sort());
      expect(run.tests.size).toBe(31);
      expect(run.exitCode).toBe(1);
    });

    test.each(Object.entries(LEAKS))('"%s" names the kind, the thing and where it was made', (name, patterns) => {
      const message = run.tests.get(name)?.message ?? '';
      for (const pattern of patterns) expect(message).toMatch(pattern);
      // A socket is the handles check's alone: the same socket as a descriptor would say it twice.
      expect(message).not.toMatch(/socket:\[/);
    });
  });

  test('globals are checked when switched on (off by default: libraries create global singletons lazily)', () => {
    const run = runJest(version, 'resources', {
      args: ['-i', '--testEnvironmentOptions={"leakwatch":{"globals":true}}', '__tests__/globals.test.js'],
    });
    expect(failedTests(run)).toEqual(['leaves a global behind']);
    expect(run.tests.get('leaves a global behind')?.message).toMatch(GLOBALS_LEAK);
  });
});
