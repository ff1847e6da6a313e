// @ts-check
/**
 * The reporter (jest-environment-leakwatch/reporter): terminal summary, report.json and a
 * self-contained report.html, the known-leaks baseline and its ratchet, warn mode, and shard
 * reports merged by `leakwatch merge`.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runJest, failedTests, JEST_VERSIONS, root } = require('./helpers/run-jest');

const LEAKS = ['keeps 1 MiB in a module array', 'leaves an interval running'];
const KNOWN = 'fills a cache that never shrinks';
const cli = path.join(root, 'dist', 'cli.js');

/** @param {string} version @param {string[]} args @param {Record<string, string>} [env] */
function runReportFixture(version, args = [], env = {}) {
  const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-report-'));
  const run = runJest(version, 'report', {
    args,
    env: { LEAKWATCH_INSTALLED: path.join(root, 'test-env', `jest${version}`, 'node_modules'), LEAKWATCH_OUTPUT_DIR: outputDir, ...env },
  });
  const reportFile = path.join(outputDir, 'report.json');
  const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : null;
  return { run, outputDir, report };
}

/** Every finding of a report as "file › test: check verdict". @param {any} report */
const findingsOf = (report) =>
  report.files
    .flatMap((/** @type {any} */ file) =>
      file.tests.flatMap((/** @type {any} */ test) =>
        test.findings.map((/** @type {any} */ f) => `${file.file} › ${test.name}: ${f.check} ${f.verdict}`),
      ),
    )
    .sort();

const EXPECTED_FINDINGS = [
  `__tests__/handle.test.js › ${LEAKS[1]}: handles leak`,
  `__tests__/heap.test.js › ${LEAKS[0]}: heap leak`,
  `__tests__/known.test.js › ${KNOWN}: heap known`,
];

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  /** @type {ReturnType<typeof runReportFixture>} */
  let fixture;
  beforeAll(() => {
    fixture = runReportFixture(version);
  });

  test('fails the new leaks, warns about the known one, and prints a summary', () => {
    const { run } = fixture;
    expect(failedTests(run)).toEqual(LEAKS);
    expect(run.tests.get(KNOWN)?.status).toBe('passed');
    expect(run.stderr).toContain(`Known leak, listed in ${path.join(root, 'fixtures', 'report', 'leakwatch.baseline.json')}: not failed.`);
    expect(run.stderr).toContain("leakwatch: 21 of 22 tests measured in 4 files (not measured: 1 todo); leakwatch's own time");
    expect(run.stderr).toContain('  Leaks: 2 (');
    expect(run.stderr).toMatch(/handles 1/);
    expect(run.stderr).toContain('; known (baseline): 1; unconfirmed: 0');
    expect(run.stderr).toMatch(
      /Top offenders:\n {4}~1\.0 MB of heap per run — __tests__\/heap\.test\.js › "keeps 1 MiB in a module array" — __tests__\/heap\.test\.js:4 in \(anonymous\)\n/,
    );
    expect(run.stderr).toContain(`Report: ${path.join(fixture.outputDir, 'report.json')}, ${path.join(fixture.outputDir, 'report.html')}`);
  });

  test('report.json lists every leaking test with its kind and size', () => {
    const { report } = fixture;
    expect(report.schema).toBe(1);
    expect(report.totals).toMatchObject({
      files: 4,
      tests: 22,
      measured: 21,
      notMeasured: { todo: 1 },
      leaks: { heap: 1, handles: 1 },
      known: 1,
      unconfirmed: 0,
    });
    expect(findingsOf(report)).toEqual(EXPECTED_FINDINGS);
    const heapTest = report.files
      .find((/** @type {any} */ f) => f.file === '__tests__/heap.test.js')
      .tests.find((/** @type {any} */ t) => t.name === LEAKS[0]);
    expect(heapTest.status).toBe('failed');
    expect(heapTest.findings[0].bytes).toBeGreaterThan(0.9 * 1024 * 1024);
    expect(heapTest.findings[0].bytes).toBeLessThan(1.3 * 1024 * 1024);
    expect(heapTest.heap.suspect).toBe(true);
    // Only the report stays: each record was read and removed.
    expect(fs.readdirSync(fixture.outputDir).sort()).toEqual(['report.html', 'report.json']);
  });

  test('names a file whose tests kept more than growthThreshold together, none over its threshold', () => {
    // Alone: a file that follows a leaking one in the same worker may read low (Jest frees the
    // previous file's environment at a moment leakwatch does not see; docs/report.md).
    const { run, report } = runReportFixture(version, ['__tests__/growth.test.js']);
    expect(failedTests(run)).toEqual([]);
    // 15 tests after the first keep 256 KB each: ~3.75 MB, over the fixture's growthThreshold of
    // 2 MB (measured 3.5-6.2 MB on Node 20, 2.3-2.8 MB on Node 22: live heap moves for other
    // reasons too). Over the threshold is what names the file.
    expect(report.growth.map((/** @type {any} */ g) => g.file)).toEqual(['__tests__/growth.test.js']);
    expect(report.growth[0].bytes).toBeGreaterThan(2 * 1024 * 1024);
    // Up to 8 MB: a test whose bound counts objects promoted from before it is run again, and
    // that run keeps its 256 KB too (6.2 MB measured once with v8-profiler-next installed).
    expect(report.growth[0].bytes).toBeLessThan(8 * 1024 * 1024);
    expect(report.growth[0].largest).toHaveLength(3);
    // A bound is what a test may have kept at most: MBs when V8 collected during it (Node 22,
    // once the report stopped taking the smaller bound of a suspect's extra run).
    expect(run.stderr).toMatch(
      /Growth without a leaking test: __tests__\/growth\.test\.js's tests left [2-7]\.\d MB more live heap at its end than after its first test\. Largest bounds \(the most each test could have kept\): "keeps a little, number \d+" \d+(\.\d)? (KB|MB)/,
    );
  });

  test('warn mode fails nothing and reports the same leaks', () => {
    const { run, report } = runReportFixture(version, [], { LEAKWATCH: 'warn' });
    expect(failedTests(run)).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(findingsOf(report)).toEqual(EXPECTED_FINDINGS);
    expect(run.stderr).toContain(`leakwatch: "${LEAKS[1]}" leaked 1 open handle.`);
  });
});

test('`leakwatch baseline` writes the known leaks; with it every leak warns; fixed ones are dropped (Jest 30)', () => {
  const fixture = runReportFixture('30');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-baseline-'));
  const baselineFile = path.join(dir, 'leakwatch.baseline.json');
  const stale = { file: '__tests__/gone.test.js', test: 'leaked once, fixed since', check: 'heap' };
  fs.writeFileSync(baselineFile, JSON.stringify({ version: 1, leaks: [stale] }));
  const update = spawnSync(
    process.execPath,
    [cli, 'baseline', '--report', path.join(fixture.outputDir, 'report.json'), '--baseline', baselineFile],
    {
      encoding: 'utf8',
    },
  );
  expect(update.stderr).toBe('');
  expect(update.stdout).toBe(`leakwatch: ${baselineFile}: 3 known leaks (3 added, 1 dropped as no longer found)\n`);
  const written = JSON.parse(fs.readFileSync(baselineFile, 'utf8'));
  expect(written.leaks.map((/** @type {any} */ e) => `${e.file} › ${e.test}: ${e.check}`).sort()).toEqual(
    EXPECTED_FINDINGS.map((line) => line.replace(/ (leak|known)$/, '')),
  );

  const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-report-'));
  const options = JSON.stringify({ leakwatch: { outputDir, baseline: baselineFile } });
  const run = runJest('30', 'report', {
    args: [`--testEnvironmentOptions=${options}`],
    env: { LEAKWATCH_INSTALLED: path.join(root, 'test-env', 'jest30', 'node_modules') },
  });
  expect(failedTests(run)).toEqual([]);
  expect(run.exitCode).toBe(0);
  expect(run.stderr).toContain('; known (baseline): 3; unconfirmed: 0');
});

test('a corrupt baseline file fails the files with a message naming the option and the fix', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-baseline-'));
  const baselineFile = path.join(dir, 'broken.json');
  fs.writeFileSync(baselineFile, '{"leaks": [{"file": 1}]}');
  const run = runJest('30', 'report', {
    args: [
      `--testEnvironmentOptions=${JSON.stringify({ leakwatch: { outputDir: dir, baseline: baselineFile } })}`,
      '__tests__/heap.test.js',
    ],
    env: { LEAKWATCH_INSTALLED: path.join(root, 'test-env', 'jest30', 'node_modules') },
  });
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toContain(
    `leakwatch: testEnvironmentOptions.leakwatch.baseline: ${baselineFile} must be {"version": 1, "leaks": [{"file", "test", "check"}, …]} with strings; regenerate it with \`npx leakwatch baseline\`.`,
  );
});

test('two shard reports merge into one that lists the leaks of both (Jest 30)', () => {
  const shards = ['1/2', '2/2'].map((shard) => runReportFixture('30', [`--shard=${shard}`]));
  const perShard = shards.map(({ report }) => findingsOf(report));
  // Each shard ran some of the files, and together all of them.
  expect(perShard.every((findings) => findings.length < EXPECTED_FINDINGS.length)).toBe(true);
  expect(perShard.flat().sort()).toEqual(EXPECTED_FINDINGS);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-merged-'));
  const merge = spawnSync(
    process.execPath,
    [cli, 'merge', shards[0].outputDir, path.join(shards[1].outputDir, 'report.json'), '--out', out],
    {
      encoding: 'utf8',
    },
  );
  expect(merge.stderr).toBe('');
  expect(merge.stdout).toBe(
    `leakwatch: merged 2 reports (22 tests, 2 leaks) into ${path.join(out, 'report.json')}, ${path.join(out, 'report.html')}\n`,
  );
  const merged = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
  expect(merged.shards).toEqual(['1/2', '2/2']);
  expect(merged.totals).toMatchObject({ files: 4, tests: 22, leaks: { heap: 1, handles: 1 }, known: 1 });
  expect(findingsOf(merged)).toEqual(EXPECTED_FINDINGS);
});

test('`leakwatch merge` of something that is not a report says so', () => {
  const notReport = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-merged-')), 'report.json');
  fs.writeFileSync(notReport, '{"numTotalTests": 3}');
  const merge = spawnSync(process.execPath, [cli, 'merge', notReport], { encoding: 'utf8' });
  expect(merge.status).toBe(1);
  expect(merge.stderr).toBe(
    `leakwatch: ${notReport} is not a leakwatch report (schema 1) written by jest-environment-leakwatch/reporter\n`,
  );
});

test('report.html loads in headless Chromium without errors and draws one point per measured test', () => {
  const { report, outputDir } = runReportFixture('30');
  fs.mkdirSync(path.join(root, 'test-artifacts'), { recursive: true });
  const screenshot = path.join(root, 'test-artifacts', 'report.png');
  fs.rmSync(screenshot, { force: true });
  const browser = spawnSync(
    process.execPath,
    [path.join(__dirname, 'helpers', 'load-report-html.mjs'), path.join(outputDir, 'report.html'), screenshot],
    {
      encoding: 'utf8',
      timeout: 60000,
    },
  );
  expect(browser.stderr).toBe('');
  const seen = JSON.parse(browser.stdout);
  const measuredWithHeap = report.files.flatMap((/** @type {any} */ f) => f.tests).filter((/** @type {any} */ t) => t.heap).length;
  // 21 measured, less the handle leak: its heap is not judged (a test that leaked a handle is
  // not run again).
  expect(measuredWithHeap).toBe(20);
  expect(seen).toEqual({
    points: measuredWithHeap,
    // Biggest first: the two 1 MB heap leaks, then the handle (no size).
    bySize: ['heap', 'heap', 'handles'],
    byCheck: ['handles', 'heap', 'heap'],
    problems: [],
  });
  // For a person to look at: test-artifacts/report.png.
  expect(fs.statSync(screenshot).size).toBeGreaterThan(10000);
}, 60000);
