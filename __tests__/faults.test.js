// @ts-check
/** leakwatch never changes a result: every outcome Jest can produce stays as plain Jest reports it. */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runJest, JEST_VERSIONS } = require('./helpers/run-jest');

const HOSTILE = ['../../../etc/passwd', 'a/b\\c', 'nul\0byte', 'ctrl\u0001\u001b[31m', '🔥 emoji 🚀', 'x'.repeat(10000)];

/** fullName → "status: first line of the first failure message" @param {ReturnType<typeof runJest>} run */
const outcomes = (run) => new Map([...run.tests].map(([name, { status, message }]) => [name, `${status}: ${message.split('\n')[0]}`]));

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  test('every result is the one plain Jest reports, but for the planted leaks', () => {
    const plain = runJest(version, 'faults', { args: ['--testEnvironment=node'] });
    const watched = runJest(version, 'faults', {});
    expect(plain.tests.size).toBe(28);
    expect(watched.tests.size).toBe(28);
    const expected = outcomes(plain);
    for (const title of HOSTILE) {
      expect(expected.get(title)).toBe('passed: ');
      expected.set(
        title,
        `failed: leakwatch: ${JSON.stringify(title.length > 200 ? `${title.slice(0, 200)}…` : title)} leaked ~1.0 MB of heap per run.`,
      );
    }
    expect(outcomes(watched)).toEqual(expected);
    // What leakwatch could not do is said, not hidden.
    expect(watched.stderr).toContain(
      'leakwatch could not check whether this is a leak: another tool (DevTools, an --inspect client, a profiler) is sampling the heap, and leakwatch does not take it over.',
    );
    expect(watched.stderr).not.toContain('internal error');
  });
});

test('snapshot pairs of tests with hostile titles stay inside outputDir, safe unique names, mode 0600', () => {
  const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-hostile-'));
  const run = runJest('30', 'faults', {
    // Six offenders in one file: over the default of 3 pairs per file.
    args: [
      '-i',
      `--testEnvironmentOptions=${JSON.stringify({ leakwatch: { outputDir, snapshots: { maxPerFile: 6 } } })}`,
      '__tests__/hostile-names.test.js',
    ],
  });
  const files = fs.readdirSync(outputDir);
  expect(files).toHaveLength(HOSTILE.length * 2);
  for (const file of files) {
    expect(file).toMatch(/^[A-Za-z0-9._-]+\.heapsnapshot$/);
    expect(file.length).toBeLessThan(200);
    expect(fs.statSync(path.join(outputDir, file)).mode & 0o777).toBe(0o600);
  }
  for (const title of HOSTILE) {
    const message = run.tests.get(title)?.message ?? '';
    const [, before, after] = /Heap snapshots around one more run of the test: (.*?) and (.*?) \(Chrome DevTools/.exec(message) ?? [];
    expect(path.dirname(before)).toBe(outputDir);
    expect(path.dirname(after)).toBe(outputDir);
  }
  fs.rmSync(outputDir, { recursive: true, force: true });
});
