import { buildReport, fileFromRecord, mergeReports, REPORT_SCHEMA, type RunReport } from '../run-report';
import { fileRecord, finding, MB, report, reportedFile, reportedTest, testRecord } from './fixtures';

describe('fileFromRecord', () => {
  test("gives each recorded test Jest's status, and 'unknown' when Jest did not report it", () => {
    const record = fileRecord({ tests: [testRecord({ name: 'first' }), testRecord({ name: 'second' })] });
    const file = fileFromRecord('__tests__/a.test.js', record, new Map([['first', 'failed']]), ['first']);
    expect(file.tests.map((test) => [test.name, test.status])).toEqual([
      ['first', 'failed'],
      ['second', 'unknown'],
    ]);
  });

  test('lists the tests leakwatch never saw as not measured, with their status as the reason', () => {
    const record = fileRecord({ tests: [testRecord({ name: 'ran' })] });
    const statuses = new Map([
      ['ran', 'passed'],
      ['later', 'todo'],
      ['skipped', 'pending'],
    ]);
    const file = fileFromRecord('__tests__/a.test.js', record, statuses, [...statuses.keys()]);
    expect(file.tests.slice(1)).toEqual([
      { name: 'later', status: 'todo', notMeasured: 'todo', findings: [], leakwatchMs: 0 },
      { name: 'skipped', status: 'pending', notMeasured: 'pending', findings: [], leakwatchMs: 0 },
    ]);
  });

  test("keeps the record's worker, heap numbers, time and warnings", () => {
    const record = fileRecord({ worker: '3', liveHeapAfterFirstTest: 10, liveHeapAtEnd: 20, leakwatchMs: 55, warnings: ['slow'] });
    expect(fileFromRecord('__tests__/a.test.js', record, new Map(), [])).toEqual({
      file: '__tests__/a.test.js',
      worker: '3',
      liveHeapAfterFirstTest: 10,
      liveHeapAtEnd: 20,
      leakwatchMs: 55,
      warnings: ['slow'],
      tests: [],
    });
  });

  test('without a record, every test is not measured because leakwatch did not run for the file', () => {
    const file = fileFromRecord('__tests__/a.test.js', null, new Map([['t', 'passed']]), ['t']);
    expect(file).toEqual({
      file: '__tests__/a.test.js',
      worker: null,
      liveHeapAfterFirstTest: null,
      liveHeapAtEnd: null,
      leakwatchMs: 0,
      warnings: [],
      tests: [{ name: 't', status: 'passed', notMeasured: 'leakwatch did not run for this file', findings: [], leakwatchMs: 0 }],
    });
  });
});

describe('buildReport totals', () => {
  const files = [
    reportedFile({
      leakwatchMs: 100.4,
      tests: [
        reportedTest({ findings: [finding({ check: 'heap' }), finding({ check: 'handles' })] }),
        reportedTest({ findings: [finding({ check: 'heap' }), finding({ verdict: 'known' })] }),
      ],
    }),
    reportedFile({
      file: '__tests__/b.test.js',
      leakwatchMs: 50.3,
      tests: [
        reportedTest({ findings: [finding({ check: 'external', verdict: 'unconfirmed' })] }),
        reportedTest({ status: 'todo', notMeasured: 'todo' }),
        reportedTest({ status: 'pending', notMeasured: 'pending' }),
        reportedTest({ status: 'todo', notMeasured: 'todo' }),
      ],
    }),
  ];

  test('counts files, tests, measured and not measured by reason', () => {
    expect(report(files).totals).toMatchObject({ files: 2, tests: 6, measured: 3, notMeasured: { todo: 2, pending: 1 } });
  });

  test('counts leaks per check, known and unconfirmed findings apart', () => {
    expect(report(files).totals).toMatchObject({ leaks: { heap: 2, handles: 1 }, known: 1, unconfirmed: 1 });
  });

  test("sums the files' leakwatch time, rounded to a millisecond", () => {
    expect(report(files).totals.leakwatchMs).toBe(151);
  });

  test('records the schema, versions, shards and growthThreshold it was given', () => {
    const built = buildReport([], { versions: { leakwatch: '1.0.0', node: 'v20.0.0', jest: null }, shards: ['1/2'], growthThreshold: 7 });
    expect(built).toEqual({
      schema: REPORT_SCHEMA,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      versions: { leakwatch: '1.0.0', node: 'v20.0.0', jest: null },
      shards: ['1/2'],
      options: { growthThreshold: 7 },
      totals: { files: 0, tests: 0, measured: 0, notMeasured: {}, leaks: {}, known: 0, unconfirmed: 0, leakwatchMs: 0 },
      growth: [],
      retained: [],
      files: [],
    });
  });
});

describe('buildReport growth', () => {
  const grown = (file: string, bytes: number, tests = [reportedTest()]) =>
    reportedFile({ file, liveHeapAfterFirstTest: 100 * MB, liveHeapAtEnd: 100 * MB + bytes, tests });

  test('names files whose live heap grew by the threshold or more, biggest first', () => {
    const files = [grown('small', 1 * MB), grown('at', 2 * MB), grown('big', 5 * MB)];
    expect(report(files, { growthThreshold: 2 * MB }).growth.map((g) => [g.file, g.bytes])).toEqual([
      ['big', 5 * MB],
      ['at', 2 * MB],
    ]);
  });

  test('lists the three tests with the largest bounds', () => {
    const heap = (bound: number) => ({ usedAfter: 0, bound, suspect: false });
    const tests = [
      reportedTest({ name: 'b1', heap: heap(1) }),
      reportedTest({ name: 'b4', heap: heap(4) }),
      reportedTest({ name: 'none' }),
      reportedTest({ name: 'b3', heap: heap(3) }),
      reportedTest({ name: 'b2', heap: heap(2) }),
    ];
    expect(report([grown('f', 3 * MB, tests)], { growthThreshold: MB }).growth).toEqual([
      {
        file: 'f',
        bytes: 3 * MB,
        largest: [
          { name: 'b4', bound: 4 },
          { name: 'b3', bound: 3 },
          { name: 'b2', bound: 2 },
        ],
      },
    ]);
  });

  test('leaves out a file with a heap finding: its leaking test already explains the growth', () => {
    const tests = [reportedTest({ findings: [finding({ check: 'heap', verdict: 'unconfirmed' })] })];
    expect(report([grown('f', 5 * MB, tests)], { growthThreshold: MB }).growth).toEqual([]);
  });

  test('leaves out a file without both heap numbers', () => {
    const files = [reportedFile({ liveHeapAfterFirstTest: null, liveHeapAtEnd: 50 * MB }), reportedFile({ liveHeapAfterFirstTest: 0 })];
    expect(report(files, { growthThreshold: 0 }).growth).toEqual([]);
  });
});

describe('mergeReports', () => {
  const shard1 = report([reportedFile({ file: 'a', tests: [reportedTest({ findings: [finding()] })] })], { shard: '1/2' });
  const shard2 = report(
    [reportedFile({ file: 'b', tests: [reportedTest({ findings: [finding({ check: 'handles' })] }), reportedTest()] })],
    { shard: '2/2' },
  );

  test("combines the shards' files, each labelled with the report it came from", () => {
    const merged = mergeReports([
      { label: 'one', report: shard1 },
      { label: 'two', report: shard2 },
    ]);
    expect(merged.files.map((f) => [f.file, f.shard])).toEqual([
      ['a', 'one'],
      ['b', 'two'],
    ]);
    expect(merged.shards).toEqual(['1/2', '2/2']);
  });

  test('recomputes the totals over all files', () => {
    const merged = mergeReports([
      { label: 'one', report: shard1 },
      { label: 'two', report: shard2 },
    ]);
    expect(merged.totals).toMatchObject({ files: 2, tests: 3, measured: 3, leaks: { heap: 1, handles: 1 } });
  });

  test('keeps the label a file got in an earlier merge', () => {
    const once = mergeReports([{ label: 'one', report: shard1 }]);
    expect(mergeReports([{ label: 'again', report: once }]).files[0].shard).toBe('one');
  });

  test("takes the first report's versions and growthThreshold, and the current schema", () => {
    const merged = mergeReports([
      { label: 'one', report: { ...shard1, options: { growthThreshold: 5 } } },
      { label: 'two', report: { ...shard2, versions: { leakwatch: 'other', node: 'v1', jest: null } } },
    ]);
    expect([merged.schema, merged.versions, merged.options]).toEqual([
      REPORT_SCHEMA,
      { leakwatch: '1.2.3', node: 'v22.0.0', jest: '30.0.0' },
      { growthThreshold: 5 },
    ]);
  });
});

describe('buildReport retained', () => {
  const small = { file: 'a.test.js', bytes: 10, holder: 'h', note: null };
  const big = { file: 'b.test.js', bytes: 20, holder: 'h', note: null };
  const unknown = { file: 'c.test.js', bytes: null, holder: null, note: 'n' };

  test('lists retained files biggest first, those of unknown size last', () => {
    expect(report([], { retained: [small, unknown, big] }).retained).toEqual([big, small, unknown]);
  });

  test("merging reports keeps every shard's retained files, and reads reports written before the field existed", () => {
    const old = { ...report([]) } as Partial<RunReport>;
    delete old.retained;
    const merged = mergeReports([
      { label: 'one', report: report([], { retained: [small] }) },
      { label: 'two', report: old as RunReport },
    ]);
    expect(merged.retained).toEqual([small]);
  });
});
