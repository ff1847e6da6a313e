#!/usr/bin/env node
// Cost of each probe per test: 300 small tests in one file, in band, each probe alone on top
// of the heap probe. Median of 5 runs after a warm-up per variant; compare ratios, not seconds.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const version = process.argv[2] ?? '30';
const jestBin = path.join(root, 'test-env', `jest${version}`, 'node_modules', 'jest', 'bin', 'jest.js');
const env = path.join(root, 'test-env', `jest${version}`, 'node_modules', 'jest-environment-leakwatch', 'dist', 'index.js');
const cwd = path.join(root, 'fixtures', 'heap-clean');
const file = '__tests__/many-small.test.js';
const none = { handles: false, fds: false, listeners: false, globals: false, external: false, native: false, tempFiles: false };

const variants = {
  'plain jest-environment-node': ['--testEnvironment=node'],
  'heap only': [`--testEnvironment=${env}`, `--testEnvironmentOptions=${JSON.stringify({ leakwatch: none })}`],
  'heap + external': [`--testEnvironment=${env}`, `--testEnvironmentOptions=${JSON.stringify({ leakwatch: { ...none, external: {} } })}`],
  'heap + native': [`--testEnvironment=${env}`, `--testEnvironmentOptions=${JSON.stringify({ leakwatch: { ...none, native: {} } })}`],
  'heap + handles': [`--testEnvironment=${env}`, `--testEnvironmentOptions=${JSON.stringify({ leakwatch: { ...none, handles: true } })}`],
  'heap + fds': [`--testEnvironment=${env}`, `--testEnvironmentOptions=${JSON.stringify({ leakwatch: { ...none, fds: true } })}`],
  'heap + listeners': [
    `--testEnvironment=${env}`,
    `--testEnvironmentOptions=${JSON.stringify({ leakwatch: { ...none, listeners: true } })}`,
  ],
  'heap + tempFiles': [`--testEnvironment=${env}`, `--testEnvironmentOptions=${JSON.stringify({ leakwatch: { ...none, tempFiles: {} } })}`],
  'heap + globals': [`--testEnvironment=${env}`, `--testEnvironmentOptions=${JSON.stringify({ leakwatch: { ...none, globals: true } })}`],
  defaults: [`--testEnvironment=${env}`],
};

const run = (args) => {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [jestBin, '--ci', '-i', '--silent', ...args, file], { cwd, encoding: 'utf8' });
  if (!/Tests:\s+300 passed/.test(child.stderr)) throw new Error(child.stderr);
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One native-memory reading (statm and V8's numbers), in process: µs, median of 5 × 20,000. */
function nativeReadingMicros() {
  const { openStatm, readNative } = require(path.join(root, 'dist', 'probes', 'native-reading.js'));
  const statm = openStatm();
  if (!statm) return null;
  const rounds = [];
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 20000; i++) readNative(statm.read);
    rounds.push(Number(process.hrtime.bigint() - start) / 20000 / 1000);
  }
  statm.close();
  return median(rounds);
}
const micros = nativeReadingMicros();
console.log(micros === null ? 'native reading: no /proc/self/statm here' : `native reading: ${micros.toFixed(1)} µs`);

const results = {};
for (const args of Object.values(variants)) run(args);
for (let i = 0; i < 5; i++) for (const [name, args] of Object.entries(variants)) (results[name] ??= []).push(run(args));
const plain = median(results['plain jest-environment-node']);
console.log(`Jest ${version}, Node ${process.version}, 300 small tests in band, median of 5`);
console.log('| variant | wall (ms) | per test vs plain (ms) |');
console.log('|---|---|---|');
for (const name of Object.keys(variants)) {
  const m = median(results[name]);
  console.log(`| ${name} | ${m.toFixed(0)} | ${((m - plain) / 300).toFixed(3)} |`);
}
