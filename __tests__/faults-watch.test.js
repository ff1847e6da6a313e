// @ts-check
/**
 * `--watchAll` re-runs (fixtures/faults-watch): real Jest in watch mode in a child process
 * (stdin a pipe, so no interactive prompt), a file touched to start each next run. Every run
 * must report what the first did, and the process that ran the tests (in band: Jest's main
 * process, which lives across runs; workers are new for each run in Jest 29 and 30) must not
 * hold more of leakwatch after run N than after run 1.
 */
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runJest, JEST_VERSIONS, root } = require('./helpers/run-jest');

const fixture = path.join(root, 'fixtures', 'faults-watch');
const RUNS = 3;

/**
 * @typedef {{ objects: Record<string, number>, listeners: number, resources: string[], fds: number, heapUsed: number }} ProcessState
 * @typedef {{ outcomes: Map<string, string>, stderr: string }} WatchRun
 */

/** fullName → "status: failure message" with what differs between runs by design (a temp folder's random name). @param {any} json */
function outcomesOf(json) {
  /** @type {Map<string, string>} */
  const outcomes = new Map();
  for (const file of json.testResults) {
    for (const test of file.assertionResults) {
      outcomes.set(test.fullName, `${test.status}: ${normalize(test.failureMessages.join('\n'))}`);
    }
  }
  return outcomes;
}

/** @param {string} text */
const normalize = (text) =>
  text
    .replace(/leakwatch-watch-[A-Za-z0-9]{6}/g, 'leakwatch-watch-XXXXXX')
    // Jest's own frames: in band they are index.js, in a worker testWorker.js.
    .replace(/^\s+at .*node_modules.*\n?/gm, '')
    // Jest's promise frames come and go with timing, as do durations (ms, or s past 5 s).
    .replace(/^\s+at new Promise \(<anonymous>\)\n?/gm, '')
    .replace(/ \(\d+(\.\d+)? m?s\)/g, '')
    .replace(/^Time: .*$/gm, 'Time: …')
    .replace(/^Test results written to: .*$/gm, '')
    // Sampled sizes of the 1 MiB leak: ~1.0 MB, sometimes ~1.1 MB.
    .replace(/~1\.[01] MB/g, '~1 MB');

/**
 * Runs `jest --watchAll` on the fixture for `runs` runs and stops it.
 * @param {string} version @param {string[]} args @param {number} runs
 * @returns {Promise<{ runs: WatchRun[], states: ProcessState[] }>}
 */
function watch(version, args, runs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-watch-e2e-'));
  const outputFile = path.join(dir, 'results.json');
  const stateFile = path.join(dir, 'state.jsonl');
  const jestBin = path.join(root, 'test-env', `jest${version}`, 'node_modules', 'jest', 'bin', 'jest.js');
  const env = { ...process.env, FORCE_COLOR: '0', LEAKWATCH_WATCH_STATE: stateFile };
  delete env.LEAKWATCH;
  delete env.LEAKWATCH_SNAPSHOTS;
  const child = spawn(
    process.execPath,
    [
      jestBin,
      '--ci',
      '--watchAll',
      '--json',
      `--outputFile=${outputFile}`,
      '--cacheDirectory',
      path.join(os.tmpdir(), `leakwatch-jest${version}-cache`),
      ...args,
    ],
    { cwd: fixture, env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    /** @type {WatchRun[]} */
    const done = [];
    let stderr = '';
    let from = 0;
    const timer = setTimeout(
      () => finish(new Error(`watch mode stopped after ${done.length} of ${runs} runs:\n${stderr.slice(-3000)}`)),
      90000,
    );
    /** @param {Error} [error] */
    const finish = (error) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.once('exit', () => {
        try {
          if (error) throw error;
          const states = fs
            .readFileSync(stateFile, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line));
          resolve({ runs: done, states });
        } catch (failure) {
          reject(failure);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
      child.kill();
    };
    child.on('exit', (code, signal) => finish(new Error(`jest --watchAll exited (${code ?? signal}):\n${stderr.slice(-3000)}`)));
    child.stdout.resume();
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      // Jest prints this line once the run's results are on disk.
      const end = stderr.indexOf('Test results written to', from);
      const lineEnd = end === -1 ? -1 : stderr.indexOf('\n', end);
      if (lineEnd !== -1) runEnded(lineEnd);
    });
    /** @param {number} lineEnd where the run's last line ends in `stderr` */
    const runEnded = (lineEnd) => {
      done.push({
        outcomes: outcomesOf(JSON.parse(fs.readFileSync(outputFile, 'utf8'))),
        stderr: normalize(stderr.slice(from, lineEnd)).trim(),
      });
      from = lineEnd + 1;
      if (done.length === runs) return finish();
      // A changed file starts the next run (--watchAll: all files run again).
      setTimeout(() => {
        const now = new Date();
        fs.utimesSync(path.join(fixture, '__tests__', 'clean.test.js'), now, now);
      }, 300);
    };
  });
}

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  /** @type {{ runs: WatchRun[], states: ProcessState[] }} */
  let inBand;
  /** @type {{ runs: WatchRun[], states: ProcessState[] }} */
  let workers;
  /** @type {Map<string, string>} */
  let plain;

  beforeAll(async () => {
    inBand = await watch(version, ['-i'], RUNS);
    workers = await watch(version, ['-w', '2'], 2);
    const run = runJest(version, 'faults-watch', { args: ['--testEnvironment=node'] });
    plain = outcomesOf(run.json);
  });

  test('every watch run reports what the first did, in band and with workers', () => {
    const [first] = inBand.runs;
    expect(first.outcomes.size).toBe(12);
    const failed = [...first.outcomes].filter(([, outcome]) => outcome.startsWith('failed')).map(([name]) => name);
    expect(failed).toEqual(['leaks 1 MiB', 'leaves an interval', 'adds a process listener', 'leaves a temp folder', 'fails on its own']);
    for (const name of failed.slice(0, 4)) expect(first.outcomes.get(name)).toMatch(/^failed: leakwatch: /);
    // Plain Jest fails only the test that fails on its own.
    expect([...plain].filter(([, outcome]) => outcome.startsWith('failed')).map(([name]) => name)).toEqual(['fails on its own']);
    expect(first.outcomes.get('fails on its own')).toBe(plain.get('fails on its own'));
    for (const run of [...inBand.runs, ...workers.runs]) expect(run.outcomes).toEqual(first.outcomes);
    // What leakwatch printed, run after run: the same.
    expect(first.stderr).toContain('leakwatch: "leaves an interval" leaked 1 open handle.');
    for (const run of inBand.runs.slice(1)) expect(run.stderr).toBe(first.stderr);
    expect(first.stderr).not.toContain('internal error');
  });

  test('the in-band process keeps the same listeners, handles and fds from run to run', () => {
    expect(inBand.states).toHaveLength(RUNS);
    // From the second run on: the first one starts some of Jest's own timers.
    const same = (/** @type {ProcessState} */ state) => ({
      listeners: state.listeners,
      resources: [...state.resources].sort(),
      fds: state.fds,
    });
    for (const state of inBand.states.slice(2)) expect(same(state)).toEqual(same(inBand.states[1]));
  });

  // Probes that wrap the same fs functions (fds, temp files) must unwrap in reverse order:
  // disposed in set-up order, each file left one more wrapper (and its FdsProbe) behind.
  test('no object of leakwatch outlives the run that made it', () => {
    // At most one run's worth (2 files): Jest itself sometimes keeps the environments of the
    // run that just ended (plain Jest's NodeEnvironments too), never those of earlier runs.
    for (const state of inBand.states) {
      const ours = Object.entries(state.objects).filter(([name]) => name !== 'NodeEnvironment');
      for (const [, count] of ours) expect(count).toBeLessThanOrEqual(2);
    }
    expect(inBand.states.at(-1)?.objects.FdsProbe).toBe(0);
  });
});
