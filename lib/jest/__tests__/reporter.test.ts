import * as fs from 'node:fs';
import * as path from 'node:path';
import { LeakwatchConfigError } from '../../core/config-error';
import { writeRecord } from '../../report/file-record';
import type { RunReport } from '../../report/run-report';
import { fileRecord, finding, temporaryDir, testRecord } from '../../report/__tests__/fixtures';
import LeakwatchReporter, { DEFAULT_GROWTH_THRESHOLD } from '../reporter';

const dir = temporaryDir();
const rootDir = () => path.join(dir(), 'project');
const outputDir = () => path.join(rootDir(), '.leakwatch');
const testPath = () => path.join(rootDir(), '__tests__', 'a.test.js');

/** What Jest passes for a test file, with the project's leakwatch options. */
const jestTest = (leakwatch?: unknown) => ({
  path: testPath(),
  context: { config: { rootDir: rootDir(), testEnvironmentOptions: leakwatch === undefined ? {} : { leakwatch } } },
});
const result = (...tests: Array<[string, string]>) => ({
  testFilePath: testPath(),
  testResults: tests.map(([fullName, status]) => ({ fullName, status })),
});

/** The error the constructor throws for these options, checked to be a LeakwatchConfigError. */
function optionError(options: Record<string, unknown>): string {
  try {
    new LeakwatchReporter({ rootDir: '/project' }, options);
  } catch (error) {
    expect(error).toBeInstanceOf(LeakwatchConfigError);
    return (error as Error).message;
  }
  throw new Error('did not throw');
}

/** Runs the reporter over one file's result; what it printed on stderr, and the report it wrote. */
async function runReporter(
  reporter: LeakwatchReporter,
  files: Array<{ test: ReturnType<typeof jestTest>; result: ReturnType<typeof result> }>,
  reportDir = outputDir(),
): Promise<{ stderr: string; report: RunReport | null }> {
  const err: string[] = [];
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  try {
    for (const file of files) reporter.onTestFileResult(file.test, file.result);
    await reporter.onRunComplete();
  } finally {
    stderr.mockRestore();
  }
  const reportFile = path.join(reportDir, 'report.json');
  return {
    stderr: err.join(''),
    report: fs.existsSync(reportFile) ? (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as RunReport) : null,
  };
}

function started(options: Record<string, unknown> = {}, globals: Record<string, unknown> = {}): LeakwatchReporter {
  const reporter = new LeakwatchReporter({ rootDir: rootDir(), ...globals }, options);
  reporter.onRunStart();
  return reporter;
}

describe('LeakwatchReporter options', () => {
  test('an unknown option is a config error listing the allowed ones', () => {
    expect(optionError({ outputdir: 'x' })).toBe(
      'leakwatch: unknown option "outputdir" of jest-environment-leakwatch/reporter; allowed: outputDir, growthThreshold.',
    );
  });

  test('a growthThreshold that is not a size is a config error', () => {
    expect(optionError({ growthThreshold: '4 parsecs' })).toBe(
      `leakwatch: jest-environment-leakwatch/reporter option growthThreshold is "4 parsecs"; allowed: a size in bytes or a string like '4MB'.`,
    );
    expect(optionError({ growthThreshold: -1 })).toBe(
      `leakwatch: jest-environment-leakwatch/reporter option growthThreshold is -1; allowed: a size in bytes or a string like '4MB'.`,
    );
  });

  test('growthThreshold is 16MB by default, and read as a size', async () => {
    expect(DEFAULT_GROWTH_THRESHOLD).toBe(16 * 1024 * 1024);
    expect((await runReporter(started(), [])).report?.options).toEqual({ growthThreshold: DEFAULT_GROWTH_THRESHOLD });
    expect((await runReporter(started({ growthThreshold: '4MB' }), [])).report?.options).toEqual({ growthThreshold: 4 * 1024 * 1024 });
  });

  test('outputDir is resolved against rootDir', async () => {
    const { report } = await runReporter(started({ outputDir: 'reports/leaks' }), [], path.join(rootDir(), 'reports', 'leaks'));
    expect(report?.schema).toBe(1);
  });
});

describe('LeakwatchReporter run', () => {
  test("collects each file's record into report.json, and prints the summary on stderr", async () => {
    writeRecord(
      outputDir(),
      fileRecord({
        testPath: testPath(),
        leakwatchMs: 300,
        tests: [testRecord({ name: 'leaks', findings: [finding({ bytes: 1024 * 1024 })] }), testRecord({ name: 'clean' })],
      }),
    );
    const { stderr, report } = await runReporter(started(), [
      { test: jestTest(), result: result(['leaks', 'failed'], ['clean', 'passed'], ['later', 'todo']) },
    ]);
    expect(report?.files.map((file) => [file.file, file.tests.map((t) => [t.name, t.status, t.notMeasured ?? null])])).toEqual([
      [
        '__tests__/a.test.js',
        [
          ['leaks', 'failed', null],
          ['clean', 'passed', null],
          ['later', 'todo', 'todo'],
        ],
      ],
    ]);
    expect(stderr).toBe(
      "leakwatch: 2 of 3 tests measured in 1 files (not measured: 1 todo); leakwatch's own time 0.3 s\n" +
        '  Leaks: 1 (heap 1); known (baseline): 0; unconfirmed: 0\n' +
        '  Top offenders:\n' +
        '    ~1.0 MB of heap per run — __tests__/a.test.js › "leaks"\n' +
        `  Report: ${path.join(outputDir(), 'report.json')}, ${path.join(outputDir(), 'report.html')}\n`,
    );
  });

  test('reads records from the outputDir of the test environment options, and writes the report there', async () => {
    const custom = path.join(dir(), 'elsewhere');
    writeRecord(custom, fileRecord({ testPath: testPath(), tests: [testRecord({ name: 't' })] }));
    const { report } = await runReporter(started(), [{ test: jestTest({ outputDir: custom }), result: result(['t', 'passed']) }], custom);
    expect(report?.totals).toMatchObject({ files: 1, tests: 1, measured: 1 });
  });

  test('removes the emptied records folder, leaving report.json and report.html', async () => {
    writeRecord(outputDir(), fileRecord({ testPath: testPath() }));
    await runReporter(started(), [{ test: jestTest(), result: result() }]);
    expect(fs.readdirSync(outputDir()).sort()).toEqual(['report.html', 'report.json']);
  });

  test('leaves the records of files Jest did not report, for a person to look at', async () => {
    writeRecord(outputDir(), fileRecord({ testPath: path.join(rootDir(), 'crashed.test.js') }));
    await runReporter(started(), []);
    expect(fs.readdirSync(path.join(outputDir(), 'records'))).toHaveLength(1);
  });

  test('a file without a record is listed as not measured', async () => {
    const { report } = await runReporter(started(), [{ test: jestTest(), result: result(['t', 'passed']) }]);
    expect(report?.files[0]).toMatchObject({ worker: null, tests: [{ name: 't', notMeasured: 'leakwatch did not run for this file' }] });
  });

  test("records the run's shard, and the versions of Node and leakwatch", async () => {
    const { report } = await runReporter(started({}, { shard: { shardIndex: 2, shardCount: 3 } }), []);
    const own = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(report?.shards).toEqual(['2/3']);
    expect(report?.versions).toMatchObject({ leakwatch: own.version, node: process.version });
  });

  test('a record it cannot read is printed, not thrown', async () => {
    const { stderr, report } = await runReporter(started(), [{ test: jestTest({ outputDir: 42 }), result: result(['t', 'passed']) }]);
    expect(stderr).toMatch(
      new RegExp(
        `^leakwatch reporter: could not read the record of ${testPath()}: leakwatch: testEnvironmentOptions\\.leakwatch\\.outputDir is 42; allowed: a non-empty path\\.\\n`,
      ),
    );
    expect(report?.files).toEqual([]);
  });

  test('a report it cannot write is printed, not thrown, and the summary still shows', async () => {
    fs.mkdirSync(rootDir(), { recursive: true });
    fs.writeFileSync(outputDir(), 'a file where the folder should be');
    const { stderr } = await runReporter(started(), []);
    expect(stderr).toMatch(new RegExp(`^leakwatch reporter: could not write the report to ${outputDir()}: EEXIST`));
    expect(stderr).toMatch(
      /\nleakwatch: 0 of 0 tests measured in 0 files; leakwatch's own time 0\.0 s\n {2}Leaks: 0; known \(baseline\): 0; unconfirmed: 0\n$/,
    );
  });
});
