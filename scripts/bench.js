#!/usr/bin/env node
// npm run bench: wall time of the same suites under their own environment (plain) and under
// leakwatch, with the optional native addon and with it not loadable (scripts/without-addon.js:
// what a pnpm 10, Bun or --ignore-scripts install gets), and on request leakwatch detailed
// (snapshots on), LEAKWATCH=off and Jest's --detectLeaks. Runs alternate, because a shared
// machine's load drifts: compare the ratios, not the seconds. A ratio is the median of the
// rounds' own ratios (each variant against the plain run of the same round, minutes apart at
// most, so slow drifts in the machine's load cancel), with the rounds' range next to it; for
// wall time and for CPU time (user + system of every process of the run: a run that waits for
// a core loses wall time, not CPU time). Also: peak RSS of the biggest process (a worker, or
// Jest itself in band), and from LEAKWATCH_DEBUG's per-test lines the suspects per run and
// leakwatch's own time per test (median and p99), for tests that were not suspects and for
// suspects; then the leak corpus's recall and false positives next to the timings.
// The wall-time ratio also gets a 95% interval of its median (a bootstrap over the rounds,
// seeded, so the same times give the same interval): with 20 rounds it tells a median that is
// under a target from one that only happens to be.
// Usage: node scripts/bench.js [--runs N] [--jest 29|30] [--no-corpus] [--variants a,b] [--dir <folder>] [suite …]
//   --variants: which to run next to plain, of leakwatch, no-addon, no-kept-once (the kept-once and
//     growth checks off), detailed, off, detect-leaks
//     (default leakwatch,no-addon).
//   --dir <folder> (or LEAKWATCH_SUITES_DIR): the folder holding checkouts of the public suites
//     of scripts/suites.json (scripts/fetch-suites.js makes them).
//   suite: a suite folder, or the name of a suite in scripts/suites.json (looked up in --dir).
//   Default suites: the bundled trap fixture (fixtures/heap-clean), then, when a folder is
//   given, the manifest's suites marked "bench"; a missing one is skipped with a note. A
//   manifest suite runs with its own Jest and config (scripts/suite-command.js), and with the
//   leakwatch build for its Jest major from test-env/.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { scriptArgs } = require('./script-args');

const root = path.resolve(__dirname, '..');
const { args, option, flag, count, jestMajor, rejectUnknownOptions, fail } = scriptArgs(
  'usage: node scripts/bench.js [--runs N] [--jest 29|30] [--no-corpus] [--variants a,b] [--dir <folder>] [suite …]',
);
const noCorpus = flag('--no-corpus');
const runs = count('--runs', 3, 'rounds');
const version = jestMajor();
/** --variants' names for the variants (plain always runs: the ratios are against it). */
const VARIANT_KEYS = {
  leakwatch: 'leakwatch',
  'no-addon': 'leakwatch without the addon',
  'no-kept-once': 'leakwatch, module-state checks off',
  detailed: 'leakwatch detailed (snapshots)',
  off: 'LEAKWATCH=off',
  'detect-leaks': '--detectLeaks',
};
const chosen = option('--variants', 'leakwatch,no-addon').split(',');
const unknownVariant = chosen.find((key) => !(key in VARIANT_KEYS));
if (unknownVariant !== undefined) fail(`--variants: unknown variant "${unknownVariant}"; allowed: ${Object.keys(VARIANT_KEYS).join(', ')}`);
const suitesDir = option('--dir', process.env.LEAKWATCH_SUITES_DIR || '');
rejectUnknownOptions('the bench');
// Public suites, and how each runs: scripts/suites.json.
const { MANIFEST, ignorePatterns, suiteCommand } = require('./suite-command');
const specOf = (name) => MANIFEST.find((suite) => suite.name === name) ?? null;
const suites = [];
if (args.length > 0) {
  for (const arg of args) {
    const named = suitesDir && !fs.existsSync(arg) && MANIFEST.some((suite) => suite.name === arg);
    const dir = named ? path.resolve(suitesDir, arg) : path.resolve(arg);
    if (!fs.existsSync(dir)) {
      fail(
        `${arg}: no such suite folder${suitesDir ? '' : ' (a suite named in scripts/suites.json needs --dir <folder>)'}; names: ${MANIFEST.map((suite) => suite.name).join(', ')}`,
      );
    }
    suites.push({ dir, spec: specOf(path.basename(dir)) });
  }
} else {
  suites.push({ dir: path.join(root, 'fixtures', 'heap-clean'), spec: null });
  if (!suitesDir) {
    console.log(
      '(public suites not run: pass --dir <folder> or set LEAKWATCH_SUITES_DIR to a folder of checkouts made by `node scripts/fetch-suites.js <folder>`)',
    );
  }
  for (const suite of suitesDir ? MANIFEST.filter((entry) => entry.bench) : []) {
    const dir = path.resolve(suitesDir, suite.name);
    if (fs.existsSync(path.join(dir, 'node_modules'))) suites.push({ dir, spec: suite });
    else console.log(`(skipped ${suite.name}: no installed checkout at ${dir}; \`node scripts/fetch-suites.js ${suitesDir}\` makes one)`);
  }
}

/** The suite's own Jest when it has one, and leakwatch's build for that Jest major. */
function jestFor(dir) {
  const own = path.join(dir, 'node_modules', 'jest');
  const major = fs.existsSync(path.join(own, 'package.json'))
    ? JSON.parse(fs.readFileSync(path.join(own, 'package.json'), 'utf8')).version.split('.')[0]
    : version;
  const testEnv = path.join(root, 'test-env', `jest${major === '29' ? '29' : '30'}`, 'node_modules');
  const bin = fs.existsSync(own) ? path.join(own, 'bin', 'jest.js') : path.join(testEnv, 'jest', 'bin', 'jest.js');
  return { bin, pkg: path.join(testEnv, 'jest-environment-leakwatch') };
}

/** Each variant: which command (the suite plain, or under leakwatch), and what it adds. */
function variantsFor() {
  const all = {
    plain: { base: 'plain', env: {}, args: [] },
    leakwatch: { base: 'leakwatch', env: {}, args: [], debug: true },
    'leakwatch without the addon': { base: 'leakwatch', env: {}, args: [], debug: true, preload: path.join(__dirname, 'without-addon.js') },
    'leakwatch, module-state checks off': { base: 'leakwatch', env: { LEAKWATCH_KEPT_ONCE: '0' }, args: [], debug: true },
    'leakwatch detailed (snapshots)': { base: 'leakwatch', env: { LEAKWATCH_SNAPSHOTS: '1' }, args: [] },
    'LEAKWATCH=off': { base: 'leakwatch', env: { LEAKWATCH: 'off' }, args: [] },
    '--detectLeaks': { base: 'plain', env: {}, args: ['--detectLeaks'] },
  };
  const names = new Set(['plain', ...chosen.map((key) => VARIANT_KEYS[key])]);
  return Object.fromEntries(Object.entries(all).filter(([name]) => names.has(name)));
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-bench-'));

/** argv and env of a run: a manifest suite as scripts/suite-command.js runs it, a folder with the test env's Jest. */
function commandOf(suite, jest, variant) {
  if (suite.spec) {
    return suiteCommand({
      spec: suite.spec,
      projectDir: suite.dir,
      variant: variant.base,
      pkg: jest.pkg,
      scratch,
      extraArgs: ['--silent', ...variant.args],
    });
  }
  const leakwatch = [
    `--testEnvironment=${path.join(jest.pkg, 'dist', 'index.js')}`,
    ...ignorePatterns(jest.pkg).map((pattern) => `--transformIgnorePatterns=${pattern}`),
  ];
  const environment = variant.base === 'plain' ? ['--testEnvironment=node'] : leakwatch;
  return {
    argv: [process.execPath, jest.bin, '--ci', '--silent', '--coverage=false', ...environment, ...variant.args],
    env: { ...process.env },
  };
}

function timeRun(suite, jest, variant) {
  const usageFile = path.join(scratch, `usage-${Date.now()}-${Math.random()}`);
  const debugFile = path.join(scratch, `debug-${Date.now()}-${Math.random()}`);
  const { argv, env } = commandOf(suite, jest, variant);
  const preload = [path.join(__dirname, 'process-usage.js'), ...(variant.preload ? [variant.preload] : [])];
  const start = process.hrtime.bigint();
  const child = spawnSync(argv[0], argv.slice(1), {
    cwd: suite.dir,
    env: {
      ...env,
      ...variant.env,
      ...(variant.debug ? { LEAKWATCH_DEBUG: debugFile } : {}),
      LEAKWATCH_BENCH_USAGE: usageFile,
      NODE_OPTIONS: [process.env.NODE_OPTIONS ?? '', ...preload.map((file) => `--require ${file}`)].join(' ').trim(),
    },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const summary = /Tests:\s+(.*)/.exec(child.stderr)?.[1] ?? '?';
  const total = Number(/(\d+) total/.exec(summary)?.[1] ?? NaN);
  let rssKb = 0;
  let cpuSeconds = 0;
  try {
    for (const line of fs.readFileSync(usageFile, 'utf8').trim().split('\n')) {
      const [, maxRss, cpuMicros] = line.split(' ').map(Number);
      rssKb = Math.max(rssKb, maxRss);
      cpuSeconds += cpuMicros / 1e6;
    }
  } catch {
    // No process wrote one.
  }
  let tests = [];
  try {
    tests = fs
      .readFileSync(debugFile, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  } catch {
    // Not a debug variant, or no test was measured.
  }
  return { seconds, cpuSeconds, summary, total, rssKb, tests };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];
/** Each round's ratio against the same round's plain run. */
const roundRatios = (values, plainValues) => values.map((value, round) => value / plainValues[round]);
/** The median of the rounds' ratios, and their range. */
function pairedRatio(ratios) {
  const fixed = (ratio) => ratio.toFixed(2);
  return `${fixed(median(ratios))}× (${fixed(Math.min(...ratios))}–${fixed(Math.max(...ratios))})`;
}

/** A 95% interval of the median of the rounds' ratios: medians of 4,000 resamples of the rounds. */
function medianInterval(ratios) {
  let state = 12345;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const medians = [];
  for (let i = 0; i < 4000; i++) medians.push(median(ratios.map(() => ratios[Math.floor(random() * ratios.length)])));
  medians.sort((a, b) => a - b);
  return `${medians[100].toFixed(2)}–${medians[3899].toFixed(2)}`;
}

console.log(`Jest ${version}, Node ${process.version}, ${runs} runs each, alternating; ${new Date().toISOString()}`);
for (const suite of suites) {
  const jest = jestFor(suite.dir);
  const variants = variantsFor();
  const measured = Object.fromEntries(Object.keys(variants).map((name) => [name, { suspects: [], quiet: [], suspect: [] }]));
  const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  const cpu = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  const rss = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  const summaries = {};
  let total = NaN;
  // Warm Jest's transform cache (its key includes the environment's path and options).
  timeRun(suite, jest, variants.plain);
  timeRun(suite, jest, variants.leakwatch ?? variants['LEAKWATCH=off'] ?? variants.plain);
  const order = Object.entries(variants);
  for (let i = 0; i < runs; i++) {
    // Each round starts one variant later, so no variant always runs right after the same one.
    for (const [name, variant] of [...order.slice(i % order.length), ...order.slice(0, i % order.length)]) {
      const result = timeRun(suite, jest, variant);
      times[name].push(result.seconds);
      if (result.tests.length > 0) {
        measured[name].suspects.push(result.tests.filter((test) => test.suspect).length);
        for (const test of result.tests) measured[name][test.suspect ? 'suspect' : 'quiet'].push(test.judgeMs ?? 0);
      }
      cpu[name].push(result.cpuSeconds);
      rss[name].push(result.rssKb);
      // Every round's, when they differ: a test that fails in one round only is worth seeing.
      (summaries[name] ??= new Set()).add(result.summary);
      if (name === 'plain') total = result.total;
    }
  }
  const plain = median(times.plain);
  console.log(
    `\n${path.relative(process.cwd(), suite.dir) || suite.dir} (${suite.spec ? `${suite.spec.environment}, ` : ''}Jest ${path.relative(suite.dir, jest.bin).startsWith('..') ? version : 'of its own'})`,
  );
  console.log(
    '| variant | median wall (s) | wall vs plain (range) | 95% interval of that median | CPU vs plain (range) | overhead per test | peak RSS, biggest process | suspects per run | leakwatch ms per test, not suspect: median / p99 | per suspect: median / p99 | tests |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const name of Object.keys(variants)) {
    const m = median(times[name]);
    const perTest = name === 'plain' || !(total > 0) ? '' : `${(((m - plain) * 1000) / total).toFixed(2)} ms`;
    const wallRatios = roundRatios(times[name], times.plain);
    const wall = name === 'plain' ? '1' : pairedRatio(wallRatios);
    const interval = name === 'plain' ? '' : medianInterval(wallRatios);
    const cpuRatio = name === 'plain' ? `${median(cpu.plain).toFixed(2)} s` : pairedRatio(roundRatios(cpu[name], cpu.plain));
    const { suspects, quiet, suspect } = measured[name];
    const spread = (values) => (values.length ? `${quantile(values, 0.5).toFixed(2)} / ${quantile(values, 0.99).toFixed(2)}` : '');
    console.log(
      `| ${name} | ${m.toFixed(2)} | ${wall} | ${interval} | ${cpuRatio} | ${perTest} | ${Math.round(median(rss[name]) / 1024)} MB | ` +
        `${suspects.length ? median(suspects) : ''} | ${spread(quiet)} | ${spread(suspect)} | ${[...summaries[name]].join(' / ')} |`,
    );
  }
}
fs.rmSync(scratch, { recursive: true, force: true });

if (!noCorpus) {
  // Detection next to the timings: the leak corpus, leakwatch only, one run.
  const corpus = spawnSync(process.execPath, [path.join(__dirname, 'corpus.js'), '--no-detect-leaks', '--jest', version], {
    encoding: 'utf8',
  });
  const rows = corpus.stdout
    .split('\n')
    .filter((line) => line.startsWith('| **all leak patterns**') || /^\| \d+ \| \d+ \| \d+ \|/.test(line));
  console.log('\nLeak corpus (scripts/corpus.js, one run): recall and false positives');
  console.log(
    rows.length === 2
      ? `  leak patterns caught: ${rows[0].split('|')[3].trim()} of ${rows[0].split('|')[2].trim()}; clean tests failed: ${rows[1].split('|')[3].trim()} of ${rows[1].split('|')[1].trim()}`
      : `  (corpus run failed: ${corpus.stderr.split('\n')[0]})`,
  );
}
