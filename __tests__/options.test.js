// @ts-check
/** Options from config, environment variables, docblock pragmas and test code; bad values. */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runJest, failedTests, JEST_VERSIONS } = require('./helpers/run-jest');

/** @param {object} leakwatch */
const options = (leakwatch) => ['-i', `--testEnvironmentOptions=${JSON.stringify({ leakwatch })}`];

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  test('fail mode: pragmas, leakwatch.ignore() and concurrent tests', () => {
    const run = runJest(version, 'options', { args: ['-i'] });
    expect(failedTests(run)).toEqual(['leaks 1 MiB', 'rejects an unknown check name']);
    expect(run.tests.get('leaks 1 MiB')?.message).toMatch(/^leakwatch: "leaks 1 MiB" leaked ~1\.0 MB of heap/);
    expect(run.tests.get('rejects an unknown check name')?.message).toContain(
      `leakwatch.ignore() got "heep"; allowed: 'heap', 'external', 'handles', 'fds', 'listeners', 'globals', 'tempFiles' (or no argument for all checks).`,
    );
    expect(run.tests.get('leaks 1 MiB concurrently (a)')?.status).toBe('passed');
    expect(run.stderr).toContain('2 concurrent test(s) not measured');
    expect(run.exitCode).toBe(1);
  });

  test('LEAKWATCH=warn reports without failing', () => {
    const run = runJest(version, 'options', { args: ['-i', '__tests__/leak.test.js'], env: { LEAKWATCH: 'warn' } });
    expect(failedTests(run)).toEqual([]);
    expect(run.stderr).toMatch(/leakwatch: "leaks 1 MiB" leaked ~1\.0 MB of heap/);
    expect(run.exitCode).toBe(0);
  });

  test('LEAKWATCH=off overrides mode: fail from the config', () => {
    const run = runJest(version, 'options', { args: [...options({ mode: 'fail' }), '__tests__/leak.test.js'], env: { LEAKWATCH: 'off' } });
    expect(failedTests(run)).toEqual([]);
    expect(run.stderr).not.toContain('leakwatch:');
    expect(run.exitCode).toBe(0);
  });
});

describe('bad input names the option, the value and the allowed values', () => {
  test.each([
    [{ env: { LEAKWATCH: 'loud' } }, `the environment variable LEAKWATCH is "loud"; allowed: 'fail', 'warn', 'off'.`],
    [{ args: options({ mode: 'strict' }) }, `testEnvironmentOptions.leakwatch.mode is "strict"; allowed: 'fail', 'warn', 'off'.`],
    [
      { args: options({ heap: { threshold: 'lots' } }) },
      `testEnvironmentOptions.leakwatch.heap.threshold is "lots"; allowed: a number of bytes or a string such as '512KB', '2MB', '1GB'.`,
    ],
    [
      { args: options({ heap: { treshold: '1MB' } }) },
      'unknown option testEnvironmentOptions.leakwatch.heap.treshold. Did you mean testEnvironmentOptions.leakwatch.heap.threshold?',
    ],
    [{ args: options({ snapshots: 'yes' }) }, 'testEnvironmentOptions.leakwatch.snapshots is "yes"; allowed: true, false.'],
    [{ env: { LEAKWATCH_SNAPSHOTS: 'maybe' } }, 'the environment variable LEAKWATCH_SNAPSHOTS is "maybe"; allowed: 1, 0, true, false.'],
  ])('%j', (input, message) => {
    const run = runJest('30', 'options', { args: [...(input.args ?? ['-i']), '__tests__/leak.test.js'], env: input.env });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`leakwatch: ${message}`);
  });
});

describe('snapshots', () => {
  test.each(JEST_VERSIONS)('Jest %s: an offender gets a 0600 .heapsnapshot under outputDir, named safely', (version) => {
    const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-snapshots-'));
    const run = runJest(version, 'options', {
      args: [...options({ outputDir }), '__tests__/leak.test.js', '__tests__/ignore.test.js'],
      env: { LEAKWATCH_SNAPSHOTS: '1' },
    });
    const files = fs.readdirSync(outputDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^tests___leak.test.js-[0-9a-f]{8}--leaks_1_MiB-[0-9a-f]{8}--w\d+-p\d+-1-after\.heapsnapshot$/);
    const file = path.join(outputDir, files[0]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(run.tests.get('leaks 1 MiB')?.message).toContain(`Heap snapshot: ${file} (Chrome DevTools → Memory → Load).`);
    const snapshot = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(snapshot.snapshot.node_count).toBeGreaterThan(1000);
    fs.rmSync(outputDir, { recursive: true, force: true });
  });
});
