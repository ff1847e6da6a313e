#!/usr/bin/env node
// Makes the checkouts that scripts/realworld.js and scripts/bench.js run: for each suite of
// scripts/suites.json, clones its repository into <folder>/<name>, checks out the pinned commit
// and runs the suite's install command there. A folder that already holds the commit is kept.
// Needs git, network access to github.com and the npm registry, and for some suites npx to
// fetch yarn or pnpm. It is not run by any test or by CI; it documents how the checkouts used
// in docs/realworld.md and docs/measurements.md are made.
// Usage: node scripts/fetch-suites.js <folder> [name …]   (default: every suite)
// Then: node scripts/realworld.js --dir <folder>, or npm run bench -- --dir <folder>.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const manifest = require('./suites.json').suites;
const [folder, ...names] = process.argv.slice(2);
if (!folder || folder.startsWith('-')) {
  console.error('usage: node scripts/fetch-suites.js <folder> [name …]');
  console.error(`names: ${manifest.map((suite) => suite.name).join(' ')}`);
  process.exit(2);
}
const unknown = names.find((name) => !manifest.some((suite) => suite.name === name));
if (unknown !== undefined) {
  console.error(`fetch-suites: unknown suite ${unknown}; known: ${manifest.map((suite) => suite.name).join(' ')}`);
  process.exit(2);
}

/** Runs a command, echoing it; stops the script when it fails. */
function run(command, args, cwd, options = {}) {
  console.log(`$ (cd ${cwd} && ${[command, ...args].join(' ')})`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`fetch-suites: \`${[command, ...args].join(' ')}\` failed in ${cwd} (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

function headOf(dir) {
  const result = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

fs.mkdirSync(folder, { recursive: true });
for (const suite of manifest.filter((entry) => names.length === 0 || names.includes(entry.name))) {
  const dir = path.resolve(folder, suite.name);
  if (fs.existsSync(path.join(dir, '.git')) && headOf(dir) === suite.commit && fs.existsSync(path.join(dir, 'node_modules'))) {
    console.log(`${suite.name}: already at ${suite.commit.slice(0, 7)} with dependencies installed`);
    continue;
  }
  if (!fs.existsSync(path.join(dir, '.git'))) {
    fs.mkdirSync(dir, { recursive: true });
    run('git', ['init', '--quiet'], dir);
    run('git', ['remote', 'add', 'origin', suite.repo], dir);
  }
  // Only the pinned commit: GitHub serves a commit by its full hash.
  run('git', ['fetch', '--quiet', '--depth', '1', 'origin', suite.commit], dir);
  run('git', ['checkout', '--quiet', '--detach', suite.commit], dir);
  run('sh', ['-c', suite.install], dir);
  console.log(`${suite.name}: ${suite.commit.slice(0, 7)}, ${suite.tests} tests (${suite.environment}), installed`);
}
console.log(`\nDone. Run: node scripts/realworld.js --dir ${folder}`);
