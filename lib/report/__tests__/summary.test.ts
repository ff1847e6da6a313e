import { firstSite, summaryText } from '../summary';
import { finding, MB, report, reportedFile, reportedTest } from './fixtures';

const clean = reportedFile({ leakwatchMs: 1234, tests: [reportedTest({ name: 'ok' }), reportedTest({ name: 'fine' })] });

describe('summaryText', () => {
  test('no leaks: totals and zero counts, two lines', () => {
    expect(summaryText(report([clean]), [])).toBe(
      "leakwatch: 2 of 2 tests measured in 1 files; leakwatch's own time 1.2 s\n" + '  Leaks: 0; known (baseline): 0; unconfirmed: 0\n',
    );
  });

  test('one leak: counted by check and listed as the top offender with its allocation site', () => {
    const leaking = reportedFile({
      file: '__tests__/heap.test.js',
      leakwatchMs: 500,
      tests: [
        reportedTest({
          name: 'keeps 1 MiB',
          findings: [
            finding({
              bytes: MB,
              details: ['Allocated at (sampled, biggest first):', '  ~1.0 MB __tests__/heap.test.js:4 in (anonymous)'],
            }),
          ],
        }),
      ],
    });
    expect(summaryText(report([leaking]), [])).toBe(
      "leakwatch: 1 of 1 tests measured in 1 files; leakwatch's own time 0.5 s\n" +
        '  Leaks: 1 (heap 1); known (baseline): 0; unconfirmed: 0\n' +
        '  Top offenders:\n' +
        '    ~1.0 MB of heap per run — __tests__/heap.test.js › "keeps 1 MiB" — __tests__/heap.test.js:4 in (anonymous)\n',
    );
  });

  test('known and unconfirmed findings are counted but are not offenders; not measured tests are listed by reason', () => {
    const file = reportedFile({
      leakwatchMs: 0,
      tests: [
        reportedTest({ findings: [finding({ verdict: 'known' })] }),
        reportedTest({ findings: [finding({ check: 'external', verdict: 'unconfirmed' })] }),
        reportedTest({ status: 'todo', notMeasured: 'todo' }),
        reportedTest({ status: 'failed', notMeasured: 'failed' }),
      ],
    });
    expect(summaryText(report([file]), [])).toBe(
      "leakwatch: 2 of 4 tests measured in 1 files (not measured: 1 todo, 1 failed); leakwatch's own time 0.0 s\n" +
        '  Leaks: 0; known (baseline): 1; unconfirmed: 1\n',
    );
  });

  test('offenders biggest first, five at most, then how many more', () => {
    const tests = [1, 7, 3, 2, 6, 5, 4].map((n) =>
      reportedTest({ name: `t${n}`, findings: [finding({ summary: `leaked ${n} MB`, bytes: n * MB })] }),
    );
    const lines = summaryText(report([reportedFile({ file: 'f', tests })]), []).split('\n');
    expect(lines.slice(2)).toEqual([
      '  Top offenders:',
      '    7 MB — f › "t7"',
      '    6 MB — f › "t6"',
      '    5 MB — f › "t5"',
      '    4 MB — f › "t4"',
      '    3 MB — f › "t3"',
      '    … and 2 more (see the report)',
      '',
    ]);
  });

  test('growth section: the file, its growth and its largest bounds', () => {
    const heap = (bound: number) => ({ usedAfter: 0, bound, suspect: false });
    const file = reportedFile({
      file: '__tests__/growth.test.js',
      leakwatchMs: 0,
      liveHeapAfterFirstTest: 10 * MB,
      liveHeapAtEnd: 13.5 * MB,
      tests: [reportedTest({ name: 'keeps a little', heap: heap(300 * 1024) }), reportedTest({ name: 'and more', heap: heap(2 * MB) })],
    });
    expect(summaryText(report([file], { growthThreshold: 2 * MB }), [])).toBe(
      "leakwatch: 2 of 2 tests measured in 1 files; leakwatch's own time 0.0 s\n" +
        '  Leaks: 0; known (baseline): 0; unconfirmed: 0\n' +
        "  Growth without a leaking test: __tests__/growth.test.js's tests left 3.5 MB more live heap at its end than after its first test. " +
        'Largest bounds (the most each test could have kept): "and more" 2.0 MB, "keeps a little" 300 KB.\n',
    );
  });

  test('lists the written report files last', () => {
    expect(summaryText(report([clean]), ['.leakwatch/report.json', '.leakwatch/report.html'])).toBe(
      "leakwatch: 2 of 2 tests measured in 1 files; leakwatch's own time 1.2 s\n" +
        '  Leaks: 0; known (baseline): 0; unconfirmed: 0\n' +
        '  Report: .leakwatch/report.json, .leakwatch/report.html\n',
    );
  });
});

describe('firstSite', () => {
  test("a heap finding's site is the line after 'Allocated at', without its size", () => {
    expect(firstSite(finding({ details: ['x', 'Allocated at:', '  ~512 KB lib/cache.js:10 in fill', '  ~1 KB other'] }))).toBe(
      'lib/cache.js:10 in fill',
    );
  });

  test('a heap finding without allocation sites has none', () => {
    expect(firstSite(finding({ details: ['Held by: a Map'] }))).toBeNull();
  });

  test("another check's site is its first detail line, trimmed", () => {
    expect(firstSite(finding({ check: 'handles', details: ['  setInterval at __tests__/handle.test.js:3', 'more'] }))).toBe(
      'setInterval at __tests__/handle.test.js:3',
    );
    expect(firstSite(finding({ check: 'handles', details: [] }))).toBeNull();
  });
});

describe('summaryText: environments not freed', () => {
  test('lists each retained file with its size and holder, or why the holder is missing', () => {
    const retained = [
      {
        file: '__tests__/listen.test.js',
        bytes: 2 * MB,
        holder: 'Socket → ._events → .resize (function onResize) (__tests__/listen.test.js:2)',
        note: null,
      },
      { file: '__tests__/late.test.js', bytes: null, holder: null, note: 'What holds it was not looked for.' },
    ];
    expect(summaryText(report([clean], { retained }), [])).toBe(
      "leakwatch: 2 of 2 tests measured in 1 files; leakwatch's own time 1.2 s\n" +
        '  Leaks: 0; known (baseline): 0; unconfirmed: 0\n' +
        '  Environments not freed after their file ended (the heap grows file after file):\n' +
        '    __tests__/listen.test.js ~2.0 MB — held by Socket → ._events → .resize (function onResize) (__tests__/listen.test.js:2)\n' +
        '    __tests__/late.test.js — What holds it was not looked for.\n',
    );
  });
});
