#!/usr/bin/env node
// npm run bench: wall time of the same suites under plain jest-environment-node, leakwatch's
// default, LEAKWATCH=off and Jest's --detectLeaks. Runs alternate and the median of N is kept,
// because this machine is shared: compare the ratios, not the seconds.
// Usage: node scripts/bench.js [--runs N] [--jest 29|30] [suite-dir …]  (default: the bundled fixtures)
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  if (index < 0) return fallback;
  const [, value] = args.splice(index, 2);
  return value;
};
const runs = Number(option('--runs', '3'));
const version = option('--jest', '30');
const suites = args.length > 0 ? args.map((dir) => path.resolve(dir)) : [path.join(root, 'fixtures', 'heap-clean')];
const jestBin = path.join(root, 'test-env', `jest${version}`, 'node_modules', 'jest', 'bin', 'jest.js');
const leakwatch = path.join(root, 'test-env', `jest${version}`, 'node_modules', 'jest-environment-leakwatch', 'dist', 'index.js');

const variants = {
  plain: { args: ['--testEnvironment=node'], env: {} },
  leakwatch: { args: [`--testEnvironment=${leakwatch}`], env: {} },
  'LEAKWATCH=off': { args: [`--testEnvironment=${leakwatch}`], env: { LEAKWATCH: 'off' } },
  '--detectLeaks': { args: ['--testEnvironment=node', '--detectLeaks'], env: {} },
};

function timeRun(cwd, variant) {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [jestBin, '--ci', '--silent', '--coverage=false', ...variant.args], {
    cwd,
    env: { ...process.env, ...variant.env },
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const summary = /Tests:\s+(.*)/.exec(child.stderr)?.[1] ?? '?';
  return { seconds, summary };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

console.log(`Jest ${version}, Node ${process.version}, ${runs} runs each, alternating; ${new Date().toISOString()}`);
for (const suite of suites) {
  const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  const summaries = {};
  timeRun(suite, variants.plain); // warm Jest's transform cache
  for (let i = 0; i < runs; i++) {
    for (const [name, variant] of Object.entries(variants)) {
      const { seconds, summary } = timeRun(suite, variant);
      times[name].push(seconds);
      summaries[name] = summary;
    }
  }
  const plain = median(times.plain);
  console.log(`\n${path.relative(process.cwd(), suite) || suite}`);
  console.log('| variant | median wall (s) | ratio vs plain | tests |');
  console.log('|---|---|---|---|');
  for (const name of Object.keys(variants)) {
    const m = median(times[name]);
    console.log(`| ${name} | ${m.toFixed(2)} | ${(m / plain).toFixed(2)}× | ${summaries[name]} |`);
  }
}
