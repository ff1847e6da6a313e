// @ts-check
/** Options from config, environment variables, docblock pragmas and test code; bad values. */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runJest, failedTests, JEST_VERSIONS, root } = require('./helpers/run-jest');

/** @param {object} leakwatch */
const options = (leakwatch) => ['-i', `--testEnvironmentOptions=${JSON.stringify({ leakwatch })}`];

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  test('fail mode: pragmas, leakwatch.ignore() and concurrent tests', () => {
    const run = runJest(version, 'options', { args: ['-i'] });
    expect(failedTests(run)).toEqual(['leaks 1 MiB', 'rejects an unknown check name']);
    expect(run.tests.get('leaks 1 MiB')?.message).toMatch(/^leakwatch: "leaks 1 MiB" leaked ~1\.0 MB of heap/);
    expect(run.tests.get('rejects an unknown check name')?.message).toContain(
      `leakwatch.ignore() got "heep"; allowed: 'heap', 'external', 'handles', 'fds', 'listeners', 'globals', 'tempFiles', 'native' (or no argument for all checks).`,
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

  // Every bad-input message is checked in lib/core/__tests__/config.test.ts; this one shows how Jest surfaces them.
  test('a bad option fails the test file as "Test suite failed to run" with the message', () => {
    const run = runJest(version, 'options', { args: [...options({ mode: 'strict' }), '__tests__/leak.test.js'] });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('● Test suite failed to run');
    expect(run.stderr).toContain(`leakwatch: testEnvironmentOptions.leakwatch.mode is "strict"; allowed: 'fail', 'warn', 'off'.`);
  });
});

/** How many objects of 1 MB or more a .heapsnapshot holds, read with the format's own field list. */
function bigObjects(file) {
  const { snapshot, nodes } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const fields = snapshot.meta.node_fields;
  const size = fields.indexOf('self_size');
  let count = 0;
  for (let i = 0; i < nodes.length; i += fields.length) if (nodes[i + size] >= 1024 * 1024) count += 1;
  return count;
}

describe('snapshots', () => {
  test.each(JEST_VERSIONS)('Jest %s: an offender gets a 0600 before/after pair under outputDir whose difference is the leak', (version) => {
    const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-snapshots-'));
    const run = runJest(version, 'options', {
      args: [...options({ outputDir }), '__tests__/leak.test.js', '__tests__/ignore.test.js'],
      env: { LEAKWATCH_SNAPSHOTS: '1' },
    });
    const files = fs.readdirSync(outputDir).sort();
    expect(files).toHaveLength(2);
    const name = /^tests___leak.test.js-[0-9a-f]{8}--leaks_1_MiB-[0-9a-f]{8}--w\d+-p\d+-1-(after|before)\.heapsnapshot$/;
    for (const file of files) {
      expect(file).toMatch(name);
      expect(fs.statSync(path.join(outputDir, file)).mode & 0o777).toBe(0o600);
    }
    const [after, before] = files.map((file) => path.join(outputDir, file));
    expect(after).toMatch(/-after\.heapsnapshot$/);
    expect(run.tests.get('leaks 1 MiB')?.message).toContain(`Heap snapshots around one more run of the test: ${before} and ${after} `);
    // The run between the two kept one more 1 MiB array: the Comparison view shows it.
    expect(bigObjects(after) - bigObjects(before)).toBe(1);
    // `leakwatch diff` (leakwatch's own snapshot reader) names the same difference and what holds it.
    const diff = spawnSync(
      process.execPath,
      [path.join(root, 'dist', 'cli.js'), 'diff', before, after, '--root', path.join(root, 'fixtures', 'options')],
      {
        encoding: 'utf8',
      },
    );
    expect(diff.stderr).toBe('');
    expect(diff.stdout).toMatch(
      /^New in .*-after\.heapsnapshot \(objects by kind, biggest first\):\n +1\.0 MB +\d+ × \(object elements\)\n/,
    );
    expect(diff.stdout).toMatch(
      /What holds them:\n {2}~1\.0 MB in \d+ × \(object elements\): __tests__\/leak\.test\.js: kept \(Array\) → \[\d\] \(Array\) → elements\n/,
    );
    fs.rmSync(outputDir, { recursive: true, force: true });
  });

  test('limits: maxPerFile keeps the first pairs of a file, maxSize keeps no snapshot over it', () => {
    const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-snapshot-limits-'));
    // faults' hostile-names file has 6 leaking tests.
    const leakwatch = { outputDir, snapshots: { maxPerFile: 2 }, heap: { retainers: false } };
    const many = runJest('30', 'faults', {
      args: ['-i', `--testEnvironmentOptions=${JSON.stringify({ leakwatch })}`, '__tests__/hostile-names.test.js'],
    });
    expect(failedTests(many)).toHaveLength(6);
    expect(fs.readdirSync(outputDir).filter((file) => file.endsWith('.heapsnapshot'))).toHaveLength(4);
    const limited = [...many.tests.values()].filter(({ message }) =>
      message.includes('No heap snapshot: this file has its 2 pair(s) already (testEnvironmentOptions.leakwatch.snapshots.maxPerFile).'),
    );
    expect(limited).toHaveLength(4);
    fs.rmSync(outputDir, { recursive: true, force: true });

    const small = runJest('30', 'options', { args: [...options({ outputDir, snapshots: { maxSize: '1KB' } }), '__tests__/leak.test.js'] });
    expect(failedTests(small)).toEqual(['leaks 1 MiB']);
    expect(small.tests.get('leaks 1 MiB')?.message).toMatch(
      /No heap snapshot: writing \S+-before\.heapsnapshot failed \(the snapshot is larger than testEnvironmentOptions\.leakwatch\.snapshots\.maxSize \(1\.0 KB\)\); the unfinished snapshot files were removed\./,
    );
    expect(fs.existsSync(outputDir) ? fs.readdirSync(outputDir).filter((file) => file.endsWith('.heapsnapshot')) : []).toEqual([]);
    fs.rmSync(outputDir, { recursive: true, force: true });
  });
});
