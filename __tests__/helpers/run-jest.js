// @ts-check
/** Runs real Jest (29 or 30, from test-env/) on a project in fixtures/ and reads its JSON results. */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const JEST_VERSIONS = ['29', '30'];

/**
 * @typedef {{ status: string, message: string }} TestOutcome
 * @typedef {{ exitCode: number | null, stderr: string, stdout: string, tests: Map<string, TestOutcome>, files: any[], json: any }} JestRun
 */

/**
 * @param {string} version '29' or '30'
 * @param {string} fixture folder name under fixtures/
 * @param {{ args?: string[], env?: Record<string, string | undefined>, freshCache?: boolean }} [options]
 *   freshCache: a new cache folder, so Jest has no timings of earlier runs: with them, it runs
 *   up to 20 fast files in band whatever -w says.
 * @returns {JestRun}
 */
function runJest(version, fixture, options = {}) {
  const cwd = path.join(root, 'fixtures', fixture);
  const outputFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-e2e-')), 'results.json');
  const jestBin = path.join(root, 'test-env', `jest${version}`, 'node_modules', 'jest', 'bin', 'jest.js');
  const env = { ...process.env, FORCE_COLOR: '0', LEAKWATCH: undefined, LEAKWATCH_SNAPSHOTS: undefined, ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child = spawnSync(
    process.execPath,
    [
      jestBin,
      '--ci',
      '--json',
      `--outputFile=${outputFile}`,
      '--cacheDirectory',
      options.freshCache ? path.join(path.dirname(outputFile), 'cache') : path.join(os.tmpdir(), `leakwatch-jest${version}-cache`),
      ...(options.args ?? []),
    ],
    { cwd, env, encoding: 'utf8', timeout: 110000 },
  );
  let json = null;
  try {
    json = JSON.parse(fs.readFileSync(outputFile, 'utf8'));
  } catch {
    // Jest failed before writing results: callers assert on stderr.
  }
  fs.rmSync(path.dirname(outputFile), { recursive: true, force: true });
  /** @type {Map<string, TestOutcome>} */
  const tests = new Map();
  for (const file of json?.testResults ?? []) {
    for (const test of file.assertionResults) {
      tests.set(test.fullName, { status: test.status, message: test.failureMessages.join('\n') });
    }
  }
  return { exitCode: child.status, stderr: child.stderr, stdout: child.stdout, tests, files: json?.testResults ?? [], json };
}

/** Names of the failed tests, sorted. @param {JestRun} run */
function failedTests(run) {
  return [...run.tests]
    .filter(([, outcome]) => outcome.status === 'failed')
    .map(([name]) => name)
    .sort();
}

module.exports = { runJest, failedTests, JEST_VERSIONS, root };
