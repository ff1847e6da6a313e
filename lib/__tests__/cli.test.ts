import * as fs from 'node:fs';
import * as path from 'node:path';
import { main, parseArgs } from '../cli';
import type { RunReport } from '../report/run-report';
import { finding, report, reportedFile, reportedTest, temporaryDir } from '../report/__tests__/fixtures';

const dir = temporaryDir();

/** Runs the CLI in-process; what it printed, and its exit code. */
function run(...argv: string[]): { code: number; stdout: string; stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
  try {
    const code = main(argv);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** A report folder (`<dir>/<name>/report.json`), as the reporter leaves it. */
function reportDir(name: string, runReport: RunReport): string {
  const folder = path.join(dir(), name);
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'report.json'), JSON.stringify(runReport));
  return folder;
}

const read = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));

const shard1 = report(
  [reportedFile({ file: '__tests__/a.test.js', tests: [reportedTest({ name: 'a leak', findings: [finding()] }), reportedTest()] })],
  { shard: '1/2' },
);
const shard2 = report(
  [
    reportedFile({
      file: '__tests__/b.test.js',
      tests: [
        reportedTest({ name: 'b leak', findings: [finding({ check: 'handles' })] }),
        reportedTest({ name: 'b known', findings: [finding({ verdict: 'known' })] }),
        reportedTest({ name: 'b unsure', findings: [finding({ check: 'external', verdict: 'unconfirmed' })] }),
      ],
    }),
  ],
  { shard: '2/2' },
);

describe('main: usage', () => {
  test('no command prints the usage and exits 2', () => {
    const { code, stdout, stderr } = run();
    expect([code, stdout]).toEqual([2, '']);
    expect(stderr).toMatch(/^usage:\n {2}leakwatch diff <before\.heapsnapshot> <after\.heapsnapshot> \[--root <dir>\]\n/);
    expect(stderr).toContain(
      '  leakwatch merge <dir or report.json>… [--out <dir>]   merge shard reports (default --out .leakwatch/merged)\n',
    );
  });

  test('--help prints the same usage and exits 0', () => {
    expect(run('--help')).toEqual({ code: 0, stdout: '', stderr: run().stderr });
  });

  test('an unknown command is named before the usage, exit 2', () => {
    const { code, stderr } = run('mrege');
    expect(code).toBe(2);
    expect(stderr).toBe(`leakwatch: unknown command "mrege"\n${run().stderr}`);
  });

  test('an unknown option is an error naming the allowed ones, exit 1', () => {
    expect(run('merge', 'x', '--output', 'y')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'leakwatch: unknown option --output; allowed: --out\n',
    });
  });

  test('diff needs two snapshot files', () => {
    const { code, stderr } = run('diff', 'one.heapsnapshot');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^leakwatch: diff needs two snapshot files, before and after\nusage:\n/);
  });
});

describe('main: merge', () => {
  test('merges a report folder and a report.json into --out, and says what it wrote', () => {
    const out = path.join(dir(), 'merged');
    const second = path.join(reportDir('two', shard2), 'report.json');
    const { code, stdout, stderr } = run('merge', reportDir('one', shard1), second, '--out', out);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toBe(
      `leakwatch: merged 2 reports (5 tests, 2 leaks) into ${path.join(out, 'report.json')}, ${path.join(out, 'report.html')}\n`,
    );
    const merged = read(path.join(out, 'report.json')) as RunReport;
    expect(merged.shards).toEqual(['1/2', '2/2']);
    expect(merged.files.map((f) => [f.file, f.shard])).toEqual([
      ['__tests__/a.test.js', path.join(dir(), 'one')],
      ['__tests__/b.test.js', second],
    ]);
    expect(merged.totals).toMatchObject({ files: 2, tests: 5, leaks: { heap: 1, handles: 1 }, known: 1, unconfirmed: 1 });
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
  });

  test('accepts --out=<dir>', () => {
    const out = path.join(dir(), 'merged');
    expect(run('merge', reportDir('one', shard1), `--out=${out}`).code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['report.html', 'report.json']);
  });

  test('writes to .leakwatch/merged by default', () => {
    const folder = reportDir('one', shard1);
    const cwd = process.cwd();
    process.chdir(dir());
    try {
      expect(run('merge', folder).code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(fs.readdirSync(path.join(dir(), '.leakwatch', 'merged')).sort()).toEqual(['report.html', 'report.json']);
  });

  test('needs at least one report', () => {
    const { code, stderr } = run('merge', '--out', dir());
    expect(code).toBe(1);
    expect(stderr).toMatch(/^leakwatch: merge needs at least one report folder or report\.json\nusage:\n/);
  });

  test('a JSON file that is not a leakwatch report is an error naming it', () => {
    const file = path.join(dir(), 'report.json');
    fs.writeFileSync(file, '{"numTotalTests": 3}');
    expect(run('merge', file)).toEqual({
      code: 1,
      stdout: '',
      stderr: `leakwatch: ${file} is not a leakwatch report (schema 1) written by jest-environment-leakwatch/reporter\n`,
    });
  });

  test('a report of another schema is not a leakwatch report', () => {
    const folder = reportDir('future', { ...shard1, schema: 2 as never });
    expect(run('merge', folder).stderr).toBe(
      `leakwatch: ${path.join(folder, 'report.json')} is not a leakwatch report (schema 1) written by jest-environment-leakwatch/reporter\n`,
    );
  });

  test('a folder without report.json cannot be read', () => {
    const { code, stderr } = run('merge', dir());
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^leakwatch: cannot read the report ${path.join(dir(), 'report.json')}: ENOENT`));
  });
});

describe('main: baseline', () => {
  test('writes every leak and known leak of the report, sorted, and counts what changed', () => {
    const baselineFile = path.join(dir(), 'leakwatch.baseline.json');
    const gone = { file: '__tests__/gone.test.js', test: 'fixed since', check: 'heap' };
    const kept = { file: '__tests__/b.test.js', test: 'b known', check: 'heap' };
    fs.writeFileSync(baselineFile, JSON.stringify({ version: 1, leaks: [gone, kept] }));
    const reportFile = path.join(reportDir('run', mergedReport()), 'report.json');
    expect(run('baseline', '--report', reportFile, '--baseline', baselineFile)).toEqual({
      code: 0,
      stdout: `leakwatch: ${baselineFile}: 3 known leaks (2 added, 1 dropped as no longer found)\n`,
      stderr: '',
    });
    expect(read(baselineFile)).toEqual({
      version: 1,
      leaks: [
        { file: '__tests__/a.test.js', test: 'a leak', check: 'heap' },
        kept,
        { file: '__tests__/b.test.js', test: 'b leak', check: 'handles' },
      ],
    });
  });

  test('creates the file when there was none', () => {
    const baselineFile = path.join(dir(), 'new.json');
    const { stdout } = run('baseline', '--report', path.join(reportDir('run', shard1), 'report.json'), '--baseline', baselineFile);
    expect(stdout).toBe(`leakwatch: ${baselineFile}: 1 known leaks (1 added, 0 dropped as no longer found)\n`);
    expect(read(baselineFile)).toEqual({ version: 1, leaks: [{ file: '__tests__/a.test.js', test: 'a leak', check: 'heap' }] });
  });

  test('takes no positional arguments', () => {
    const { code, stderr } = run('baseline', 'report.json');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^leakwatch: baseline takes no positional arguments\nusage:\n/);
  });

  test('a corrupt baseline file is an error naming the flag and the file, and is left as it was', () => {
    const baselineFile = path.join(dir(), 'broken.json');
    fs.writeFileSync(baselineFile, '{"leaks": 1}');
    const { code, stderr } = run('baseline', '--report', path.join(reportDir('run', shard1), 'report.json'), '--baseline', baselineFile);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `leakwatch: --baseline: ${baselineFile} must be {"version": 1, "leaks": [{"file", "test", "check"}, …]} with strings; regenerate it with \`npx leakwatch baseline\`.\n`,
    );
    expect(fs.readFileSync(baselineFile, 'utf8')).toBe('{"leaks": 1}');
  });
});

describe('parseArgs', () => {
  test('splits positional arguments from known flags, as "--flag value" or "--flag=value"', () => {
    expect(parseArgs(['a', '--out', 'o', 'b', '--root=r'], ['--out', '--root'])).toEqual({
      positional: ['a', 'b'],
      flags: { '--out': 'o', '--root': 'r' },
    });
  });

  test("a value given with '=' keeps any '=' it holds", () => {
    expect(parseArgs(['--out=/tmp/a=b'], ['--out']).flags).toEqual({ '--out': '/tmp/a=b' });
  });

  test('the last of a repeated flag wins', () => {
    expect(parseArgs(['--out', 'one', '--out=two'], ['--out']).flags).toEqual({ '--out': 'two' });
  });

  test('a flag without a value is an error', () => {
    expect(() => parseArgs(['a', '--out'], ['--out'])).toThrow(new Error('--out needs a value'));
  });

  test('an unknown flag is an error listing the known ones', () => {
    expect(() => parseArgs(['--verbose'], ['--report', '--baseline'])).toThrow(
      new Error('unknown option --verbose; allowed: --report, --baseline'),
    );
  });
});

function mergedReport(): RunReport {
  return report([...shard1.files, ...shard2.files]);
}
