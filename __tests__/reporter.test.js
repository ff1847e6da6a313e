// @ts-check
/**
 * The reporter (jest-environment-leakwatch/reporter) wired into real Jest 29 and 30 with
 * workers: the records of the environments reach the report, the baseline ratchet, warn mode,
 * shard reports merged by `leakwatch merge`, and report.html in Chromium. How the summary,
 * the report and the HTML are rendered, the reporter's options and the CLI's arguments and
 * errors are unit-tested (lib/report/__tests__, lib/jest/__tests__/reporter.test.ts,
 * lib/__tests__/cli.test.ts).
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
const { summaryText } = require(path.join(root, 'dist', 'report', 'summary.js'));

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

/** The totals of one run of the whole report fixture, with its baseline. */
const EXPECTED_TOTALS = {
  files: 4,
  tests: 22,
  measured: 21,
  notMeasured: { todo: 1 },
  leaks: { heap: 1, handles: 1 },
  known: 1,
  unconfirmed: 0,
};
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

  test('fails the new leaks, warns about the known one, and prints the summary of the report it wrote', () => {
    const { run, report, outputDir } = fixture;
    expect(failedTests(run)).toEqual(LEAKS);
    expect(run.tests.get(KNOWN)?.status).toBe('passed');
    expect(run.stderr).toContain(`Known leak, listed in ${path.join(root, 'fixtures', 'report', 'leakwatch.baseline.json')}: not failed.`);
    // The summary's wording is unit-tested; here, that Jest's main process prints it for this run.
    expect(run.stderr).toContain(summaryText(report, [path.join(outputDir, 'report.json'), path.join(outputDir, 'report.html')]));
  });

  test('report.json lists every leaking test with its kind and size', () => {
    const { report } = fixture;
    expect(report.schema).toBe(1);
    expect(report.totals).toMatchObject(EXPECTED_TOTALS);
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
    expect(report.growth[0].largest.every((/** @type {any} */ t) => /^keeps a little, number \d+$/.test(t.name))).toBe(true);
  });

  test('warn mode fails nothing and reports the same leaks', () => {
    const { run, report } = runReportFixture(version, [], { LEAKWATCH: 'warn' });
    expect(failedTests(run)).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(findingsOf(report)).toEqual(EXPECTED_FINDINGS);
    expect(run.stderr).toContain(`leakwatch: "${LEAKS[1]}" leaked 1 open handle.`);
  });
});

test('`leakwatch baseline` writes the known leaks of a run; with it every leak warns (Jest 30)', () => {
  const fixture = runReportFixture('30');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-baseline-'));
  const baselineFile = path.join(dir, 'leakwatch.baseline.json');
  const update = spawnSync(
    process.execPath,
    [cli, 'baseline', '--report', path.join(fixture.outputDir, 'report.json'), '--baseline', baselineFile],
    {
      encoding: 'utf8',
    },
  );
  expect([update.status, update.stderr]).toEqual([0, '']);
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
  const report = JSON.parse(fs.readFileSync(path.join(outputDir, 'report.json'), 'utf8'));
  expect(report.totals).toMatchObject({ leaks: {}, known: 3, unconfirmed: 0 });
  expect(findingsOf(report)).toEqual(EXPECTED_FINDINGS.map((line) => line.replace(/ leak$/, ' known')));
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
  expect([merge.status, merge.stderr]).toEqual([0, '']);
  const merged = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
  expect(merged.shards).toEqual(['1/2', '2/2']);
  // The same totals as one run of the whole suite (the Jest 30 tests above).
  expect(merged.totals).toMatchObject(EXPECTED_TOTALS);
  expect(findingsOf(merged)).toEqual(EXPECTED_FINDINGS);
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
