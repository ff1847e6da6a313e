// @ts-check
/**
 * Native ES modules (NODE_OPTIONS=--experimental-vm-modules): a module-scope Map that keeps
 * every login is named with its module's file in "What holds it", as in CommonJS, though V8
 * holds an ES module's scope through the module record rather than a function.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runJest, failedTests, JEST_VERSIONS, root } = require('./helpers/run-jest');

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  /** @type {ReturnType<typeof runJest>} */
  let run;
  beforeAll(() => {
    run = runJest(version, 'esm', { env: { NODE_OPTIONS: '--experimental-vm-modules --no-warnings' } });
  });

  test('fails the heap leak and the interval, and passes the clean twin', () => {
    expect(failedTests(run)).toEqual(['leaves an interval running (esm)', 'login many users (esm)']);
    for (const name of ['a', 'b', 'c']) expect(run.tests.get(`reads table ${name} (esm)`)?.status).toBe('passed');
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

  // Node keeps every native ES module test file's environment (jestjs/jest#14605): no file of
  // the user's to blame. 3 tables of ~46 MB take the heap past 128 MB, where no snapshot says
  // what holds a file.
  test('files whose environment Node keeps are not reported as retained, in band with the reporter', () => {
    const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-esm-'));
    try {
      const reported = runJest(version, 'esm', {
        args: ['-i', '--config', 'jest.report.config.js', 'table'],
        env: {
          NODE_OPTIONS: '--experimental-vm-modules --no-warnings',
          LEAKWATCH_ESM_ROWS: '6000000',
          LEAKWATCH_INSTALLED: path.join(root, 'test-env', `jest${version}`, 'node_modules'),
          LEAKWATCH_OUTPUT_DIR: outputDir,
        },
      });
      expect([...reported.tests.values()].map((t) => t.status)).toEqual(['passed', 'passed', 'passed']);
      expect(reported.stderr).not.toContain('was not freed');
      expect(JSON.parse(fs.readFileSync(path.join(outputDir, 'report.json'), 'utf8')).retained).toEqual([]);
    } finally {
      fs.rmSync(outputDir, { recursive: true, force: true });
    }
  });
});
