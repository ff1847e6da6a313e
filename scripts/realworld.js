#!/usr/bin/env node
// Real suites nobody here wrote, plain and under leakwatch (docs/realworld.md).
// Runs each project's own Jest from a local checkout (scripts/fetch-suites.js makes them from
// scripts/suites.json), plain and under leakwatch, alternating, N times each, one Jest at a time;
// reads the results from Jest's --json --outputFile; prints a markdown table and every test that
// passes plain and fails under leakwatch, with the first line of its message. It is a report: it
// exits 0 even when tests are flagged (2 on bad usage).
//
// Usage: node scripts/realworld.js --dir <folder> [--runs N] [--env29 <path>] [--env30 <path>]
//          [--out <dir>] [--warmup] [--only plain|leakwatch] [name …]
//   --dir <folder> (or LEAKWATCH_SUITES_DIR): the folder holding one checkout per suite, <folder>/<name>.
//   names: the suites of scripts/suites.json (default: all).
//   --env29/--env30: a leakwatch build for Jest 29/30 projects: the package folder or a file in it
//     (default: test-env/jest29|jest30/node_modules/jest-environment-leakwatch in this repo).
//     The package must sit in a node_modules that also holds jest-environment-node (and
//     jest-environment-jsdom for jsdom projects) of that Jest major: leakwatch wraps those.
//   --out: where Jest's JSON results and logs go (default: a new folder under the OS temp dir).
//   --warmup: one uncounted run of each variant first (Jest's transform cache key includes the
//     config, so the first run with a new environment path transforms everything again).
//   --only: run one variant (e.g. with LEAKWATCH_DEBUG=<file> set, to look at the cost).
// Environment variables are passed through to the leakwatch runs (LEAKWATCH_DEBUG, LEAKWATCH=…);
// LEAKWATCH* variables are removed from the plain runs.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { stripVTControlCharacters } = require('node:util');
const { MANIFEST, leakwatchPackage, suiteCommand } = require('./suite-command');

const repoRoot = path.resolve(__dirname, '..');

// What each project needs (commit, environment variables, Jest config): scripts/suites.json.
const PROJECTS = Object.fromEntries(
  MANIFEST.map((suite) => [
    suite.name,
    {
      repo: suite.repo.replace(/^https:\/\/github\.com\//, '').replace(/\.git$/, ''),
      commit: suite.commit,
      env: suite.env,
      unset: suite.unset,
      config: suite.jestConfig,
      jsdom: suite.environment === 'jsdom',
    },
  ]),
);

function usage(message) {
  if (message) console.error(`realworld: ${message}`);
  console.error(
    'usage: node scripts/realworld.js --dir <folder> [--runs N] [--env29 <path>] [--env30 <path>] [--out <dir>] [--warmup] [--only plain|leakwatch] [name …]',
  );
  console.error('  --dir <folder> (or LEAKWATCH_SUITES_DIR): where the checkouts are; `node scripts/fetch-suites.js <folder>` makes them.');
  console.error(`names: ${Object.keys(PROJECTS).join(' ')}`);
  process.exit(2);
}

const args = process.argv.slice(2);
function option(name, fallback) {
  const index = args.indexOf(name);
  if (index < 0) return fallback;
  if (index + 1 >= args.length) usage(`${name} needs a value`);
  const [, value] = args.splice(index, 2);
  return value;
}
function flag(name) {
  const index = args.indexOf(name);
  if (index < 0) return false;
  args.splice(index, 1);
  return true;
}
if (flag('--help') || flag('-h')) usage();
const dirOption = option('--dir', process.env.LEAKWATCH_SUITES_DIR || '');
if (!dirOption) usage('no folder of suite checkouts: pass --dir <folder> or set LEAKWATCH_SUITES_DIR');
const dir = path.resolve(dirOption);
const runs = Number(option('--runs', '1'));
if (!Number.isInteger(runs) || runs < 1) usage('--runs must be a positive integer');
const envOptions = {
  29: option('--env29', path.join(repoRoot, 'test-env', 'jest29', 'node_modules', 'jest-environment-leakwatch')),
  30: option('--env30', path.join(repoRoot, 'test-env', 'jest30', 'node_modules', 'jest-environment-leakwatch')),
};
const outDir = path.resolve(option('--out', '') || fs.mkdtempSync(path.join(os.tmpdir(), 'realworld-')));
const warmup = flag('--warmup');
const only = option('--only', '');
if (only && only !== 'plain' && only !== 'leakwatch') usage('--only must be plain or leakwatch');
const unknownFlag = args.find((arg) => arg.startsWith('-'));
if (unknownFlag) usage(`unknown option ${unknownFlag}`);
const names = args.length > 0 ? args : Object.keys(PROJECTS);
for (const name of names) if (!PROJECTS[name]) usage(`unknown project ${name}`);
fs.mkdirSync(outDir, { recursive: true });

const stripAnsi = (text) => stripVTControlCharacters(text);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const firstLine = (message) =>
  stripAnsi(message ?? '')
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line && !/^●/.test(line)) ?? '';

function commandFor(name, projectDir, variant, pkg, outputFile) {
  return suiteCommand({
    spec: MANIFEST.find((suite) => suite.name === name),
    projectDir,
    variant,
    pkg,
    scratch: outDir,
    extraArgs: ['--json', `--outputFile=${outputFile}`],
  });
}

// One test result per key "file › describe › … › test" (a repeated name gets " #2").
function readResults(file, projectDir) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const tests = new Map();
  const suiteErrors = [];
  for (const suite of json.testResults) {
    const rel = path.relative(projectDir, suite.name);
    const assertions = suite.assertionResults ?? [];
    if (suite.status === 'failed' && !assertions.some((a) => a.status === 'failed')) {
      suiteErrors.push({ file: rel, message: firstLine(suite.message) });
    }
    for (const a of assertions) {
      let key = [rel, ...a.ancestorTitles, a.title].join(' › ');
      for (let n = 2; tests.has(key); n++) key = `${[rel, ...a.ancestorTitles, a.title].join(' › ')} #${n}`;
      tests.set(key, { status: a.status, message: firstLine((a.failureMessages ?? [])[0]) });
    }
  }
  return {
    total: json.numTotalTests,
    passed: json.numPassedTests,
    failed: json.numFailedTests,
    suites: json.numTotalTestSuites,
    failedSuites: json.numFailedTestSuites,
    tests,
    suiteErrors,
  };
}

function runOnce(name, projectDir, variant, pkg, label) {
  const base = path.join(outDir, `${name}.${label}`);
  const outputFile = `${base}.json`;
  fs.rmSync(outputFile, { force: true });
  const { argv, env } = commandFor(name, projectDir, variant, pkg, outputFile);
  const quote = (a) => (/[^\w@%+=:,./-]/.test(a) ? `'${a}'` : a);
  const spec = PROJECTS[name];
  const envText = [
    ...(spec.unset ?? []).map((key) => `-u ${key}`),
    ...Object.entries(spec.env ?? {}).map(([key, value]) => `${key}=${quote(value)}`),
  ].join(' ');
  fs.writeFileSync(`${base}.cmd`, `cd ${projectDir} && ${envText ? `env ${envText} ` : ''}${argv.map(quote).join(' ')}\n`);
  process.stderr.write(`realworld: ${name} ${label} … `);
  const start = process.hrtime.bigint();
  const child = spawnSync(argv[0], argv.slice(1), { cwd: projectDir, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  fs.writeFileSync(`${base}.out`, child.stdout ?? '');
  fs.writeFileSync(`${base}.err`, child.stderr ?? '');
  let results;
  try {
    results = readResults(outputFile, projectDir);
  } catch {
    results = null; // Jest wrote no JSON (it crashed, or the suite did not start)
  }
  process.stderr.write(
    `${seconds.toFixed(1)} s, exit ${child.status}${results ? `, ${results.passed}/${results.total} passed` : ', no JSON results'}\n`,
  );
  return { seconds, status: child.status, results, log: `${base}.err` };
}

const fmtSeconds = (s) => `${s.toFixed(1)} s`;
const range = (values) => {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return min === max ? `${min}` : `${min}–${max}`;
};

function studyProject(name) {
  const spec = PROJECTS[name];
  const projectDir = path.join(dir, name);
  if (!fs.existsSync(projectDir)) return { name, skipped: `folder ${projectDir} not found` };
  const jestManifest = path.join(projectDir, 'node_modules', 'jest', 'package.json');
  if (!fs.existsSync(jestManifest)) return { name, skipped: `no node_modules/jest in ${projectDir} (dependencies not installed)` };
  const jestVersion = JSON.parse(fs.readFileSync(jestManifest, 'utf8')).version;
  const major = Number(jestVersion.split('.')[0]);
  const pkg = envOptions[major] ? leakwatchPackage(envOptions[major]) : null;
  if (!pkg) return { name, skipped: `no leakwatch build for Jest ${major} (--env${major} ${envOptions[major] ?? ''})` };
  const manifest = JSON.parse(fs.readFileSync(path.join(projectDir, 'package.json'), 'utf8'));

  const variants = only ? [only] : ['plain', 'leakwatch'];
  if (warmup) for (const variant of variants) runOnce(name, projectDir, variant, pkg, `${variant}-warmup`);
  const done = { plain: [], leakwatch: [] };
  for (let i = 1; i <= runs; i++) {
    for (const variant of variants) done[variant].push(runOnce(name, projectDir, variant, pkg, `${variant}${i}`));
  }
  return { name, spec, projectDir, jestVersion, pkg, version: manifest.version, done };
}

// Compare: a test is flagged when it passed in every plain run (or, with --only leakwatch, was not
// failing) and failed in at least one leakwatch run.
function compare(study) {
  const plain = study.done.plain.filter((r) => r.results);
  const lw = study.done.leakwatch.filter((r) => r.results);
  const flagged = new Map();
  const plainFailures = new Map();
  for (const run of plain) {
    for (const [key, t] of run.results.tests) if (t.status === 'failed') plainFailures.set(key, t.message);
  }
  lw.forEach((run) => {
    for (const [key, t] of run.results.tests) {
      if (t.status !== 'failed' || plainFailures.has(key)) continue;
      if (plain.length > 0 && !plain.every((p) => p.results.tests.get(key)?.status === 'passed')) continue;
      const entry = flagged.get(key) ?? { runs: 0, message: t.message };
      entry.runs += 1;
      flagged.set(key, entry);
    }
  });
  const perRun = lw.map((run) => [...run.results.tests].filter(([key, t]) => t.status === 'failed' && flagged.has(key)).length);
  const missing = new Set();
  for (const run of lw) for (const key of plain[0]?.results.tests.keys() ?? []) if (!run.results.tests.has(key)) missing.add(key);
  const plainErrorFiles = new Set(plain.flatMap((r) => r.results.suiteErrors.map((e) => e.file)));
  const suiteErrors = new Map();
  for (const run of lw) for (const e of run.results.suiteErrors) if (!plainErrorFiles.has(e.file)) suiteErrors.set(e.file, e.message);
  return { plain, lw, flagged, perRun, plainFailures, missing, suiteErrors };
}

const studies = names.map(studyProject);

console.log(
  `Real-world suites, plain vs leakwatch: ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} cores, ` +
    `${runs} run(s) of each, alternating${warmup ? ', after one uncounted warm-up of each' : ''}. Raw results: ${outDir}`,
);
for (const study of studies) if (study.pkg) console.log(`leakwatch for ${study.name} (Jest ${study.jestVersion}): ${study.pkg}`);
console.log('');
console.log(
  '| project | version (commit) | Jest | tests | passed plain | failed under leakwatch | wall plain (median) | wall leakwatch (median) | ratio |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
const compared = new Map();
for (const study of studies) {
  if (study.skipped) {
    console.log(`| ${study.name} | – | – | – | – | skipped: ${study.skipped} | – | – | – |`);
    continue;
  }
  const c = compare(study);
  compared.set(study.name, c);
  const any = [...c.plain, ...c.lw];
  const tests = any.length ? range(any.map((r) => r.results.total)) : '?';
  const passedPlain = c.plain.length ? range(c.plain.map((r) => r.results.passed)) : '–';
  let failed = c.lw.length ? `${c.flagged.size}` : '–';
  if (c.lw.length > 1) failed += ` (per run: ${c.perRun.join(', ')})`;
  if (c.suiteErrors.size) failed += ` + ${c.suiteErrors.size} file error(s)`;
  const wallPlain = study.done.plain.length ? median(study.done.plain.map((r) => r.seconds)) : null;
  const wallLw = study.done.leakwatch.length ? median(study.done.leakwatch.map((r) => r.seconds)) : null;
  console.log(
    `| ${study.name} | ${study.version} (\`${study.spec.commit.slice(0, 7)}\`) | ${study.jestVersion} | ${tests} | ${passedPlain} | ${failed} | ` +
      `${wallPlain === null ? '–' : fmtSeconds(wallPlain)} | ${wallLw === null ? '–' : fmtSeconds(wallLw)} | ` +
      `${wallPlain && wallLw ? `${(wallLw / wallPlain).toFixed(2)}×` : '–'} |`,
  );
}

console.log('');
for (const study of studies) {
  if (study.skipped) {
    console.log(`${study.name}: skipped (${study.skipped}).`);
    continue;
  }
  const c = compared.get(study.name);
  const walls = (variant) => study.done[variant].map((r) => r.seconds.toFixed(1)).join(' / ');
  const lines = [];
  if (study.done.plain.length) lines.push(`wall plain ${walls('plain')} s`);
  if (study.done.leakwatch.length) lines.push(`wall leakwatch ${walls('leakwatch')} s`);
  console.log(`${study.name} (${study.spec.repo}): ${lines.join('; ')}`);
  for (const variant of ['plain', 'leakwatch']) {
    for (const run of study.done[variant]) {
      if (!run.results) console.log(`  - NOTE: a ${variant} run wrote no JSON results (exit ${run.status}); see ${run.log}`);
    }
  }
  for (const [key, message] of c.plainFailures) console.log(`  - NOTE: fails plain, so not compared: ${key}: ${message}`);
  for (const [key, entry] of c.flagged) {
    const times = c.lw.length > 1 ? ` (failed in ${entry.runs} of ${c.lw.length} leakwatch runs)` : '';
    console.log(`  - ${key}${times}: ${entry.message}`);
  }
  for (const [file, message] of c.suiteErrors) console.log(`  - FILE ERROR under leakwatch only: ${file}: ${message}`);
  for (const key of c.missing) console.log(`  - NOTE: ran plain but not under leakwatch: ${key}`);
  if (c.lw.length && !c.flagged.size && !c.suiteErrors.size) console.log('  - no test flagged');
}
process.exit(0);
