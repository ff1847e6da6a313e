#!/usr/bin/env node
// Installs Jest 29 and Jest 30 under test-env/ (once, or when their lockfiles change) and
// copies the built package into each, as `npm i jest-environment-leakwatch` would place it.
// The end-to-end tests then run real Jest of both versions on the projects in fixtures/.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));

if (!fs.existsSync(path.join(root, 'dist', 'index.js'))) {
  console.error('prepare-test-env: dist/ is missing; run `npm run build` first.');
  process.exit(1);
}

for (const name of fs.readdirSync(path.join(root, 'test-env'))) {
  const dir = path.join(root, 'test-env', name);
  if (!fs.existsSync(path.join(dir, 'package.json'))) continue;
  const lock = path.join(dir, 'package-lock.json');
  const installed = path.join(dir, 'node_modules', '.package-lock.json');
  const stale = !fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs;
  if (stale) {
    console.log(`prepare-test-env: npm ci in test-env/${name}`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
  }
  const target = path.join(dir, 'node_modules', pkg.name);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(target, 'package.json'));
  for (const shim of ['jsdom.js', 'reporter.js']) fs.copyFileSync(path.join(root, shim), path.join(target, shim));
  fs.cpSync(path.join(root, 'dist'), path.join(target, 'dist'), { recursive: true });
}

// The HTML report's test loads the page in Debian's Chromium (puppeteer-core downloads no
// browser). Installed here when missing and we may (root with apt-get, as on CI).
const CHROMIUM = '/usr/bin/chromium';
if (!fs.existsSync(CHROMIUM)) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = fs.existsSync('/usr/bin/apt-get');
  if (root && apt) {
    console.log('prepare-test-env: apt-get install chromium (for the HTML report test)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  } else {
    console.log(
      `prepare-test-env: ${CHROMIUM} is missing and cannot be installed here; the HTML report test will fail until Debian's chromium package is installed.`,
    );
  }
}
