// @ts-check
/**
 * Workers that die (fixtures/faults-worker): a test calls process.exit(3), another kills its
 * own process with SIGKILL. With workers, every other file's results must be plain Jest's
 * (but for the planted leak) and the dead files must be reported as plain Jest reports them;
 * in band, process.exit ends the whole run with and without leakwatch alike.
 *
 * `--workerIdleMemoryLimit` only makes Jest use workers whatever its timings of earlier runs
 * say (under 20 fast files it would run them in band, and a SIGKILL would end the whole run).
 */
'use strict';
const path = require('node:path');
const { runJest, JEST_VERSIONS } = require('./helpers/run-jest');

const WORKERS = ['-w', '2', '--workerIdleMemoryLimit=8GB'];

/** @param {string} text */
const normalize = (text) =>
  text
    .replace(/pid=\d+/g, 'pid=N')
    // Jest's own frames, and the retried worker's, differ from run to run.
    .replace(/^\s+at .*\n?/gm, '')
    .trim();

/**
 * file → its status and suite-level message (what Jest says of a dead worker), and each
 * test's "status: first line of its failure". @param {ReturnType<typeof runJest>} run
 */
function byFile(run) {
  /** @type {Record<string, { status: string, message: string, tests: Record<string, string> }>} */
  const files = {};
  for (const file of run.files) {
    const tests = Object.fromEntries(
      file.assertionResults.map((/** @type {any} */ test) => [
        test.fullName,
        `${test.status}: ${test.failureMessages.join('\n').split('\n')[0]}`,
      ]),
    );
    const deadWorker = file.assertionResults.length === 0;
    files[path.basename(file.name)] = { status: file.status, message: deadWorker ? normalize(file.message) : '', tests };
  }
  return files;
}

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  test('a worker that exits or is killed changes no other file, and is reported as plain Jest reports it', () => {
    const plain = runJest(version, 'faults-worker', { args: [...WORKERS, '--testEnvironment=node'] });
    const watched = runJest(version, 'faults-worker', { args: WORKERS });
    const expected = byFile(plain);
    expect(Object.keys(expected).sort()).toEqual([
      'clean-1.test.js',
      'clean-2.test.js',
      'clean-3.test.js',
      'exits.test.js',
      'killed.test.js',
      'leaks.test.js',
    ]);
    expect(expected['exits.test.js'].message).toMatch(
      /^● Test suite failed to run\n\n\s*Jest worker encountered 4 child process exceptions, exceeding retry limit$/,
    );
    expect(expected['killed.test.js'].message).toMatch(
      /^● Test suite failed to run\n\n\s*A jest worker process \(pid=N\) was terminated by another process: signal=SIGKILL, exitCode=null\. Operating system logs may contain more information on why this occurred\.$/,
    );
    expect(expected['leaks.test.js'].tests['leaks 1 MiB']).toBe('passed: ');
    expected['leaks.test.js'].tests['leaks 1 MiB'] = 'failed: leakwatch: "leaks 1 MiB" leaked ~1.0 MB of heap per run.';
    const actual = byFile(watched);
    // A sampled estimate of 1 MiB: ~1.0 MB or ~1.1 MB.
    actual['leaks.test.js'].tests['leaks 1 MiB'] = actual['leaks.test.js'].tests['leaks 1 MiB'].replace('~1.1 MB', '~1.0 MB');
    expect(actual).toEqual(expected);
    expect(watched.exitCode).toBe(plain.exitCode);
    expect(watched.stderr).not.toContain('internal error');
  });

  test('in band, process.exit ends the whole run, with leakwatch as without', () => {
    const args = ['-i', 'exits', 'clean'];
    const plain = runJest(version, 'faults-worker', { args: [...args, '--testEnvironment=node'] });
    const watched = runJest(version, 'faults-worker', { args });
    expect(plain.exitCode).toBe(3);
    expect(plain.json).toBeNull();
    expect(watched.exitCode).toBe(3);
    expect(watched.json).toBeNull();
    expect(watched.stderr).toContain('process.exit called with "3"');
    expect(watched.stderr).not.toContain('leakwatch');
  });
});
