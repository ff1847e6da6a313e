import * as path from 'node:path';
import { chartPoints, leakRows, reportHtml } from '../html';
import { finding, MB, report, reportedFile, reportedTest } from './fixtures';

const outputDir = path.resolve('/project/.leakwatch');
const heap = (usedAfter: number) => ({ usedAfter, bound: 0, suspect: false });

/** The data the page renders, as it parses it from the embedded JSON. */
function embeddedData(html: string): { points: unknown[]; leaks: unknown[] } {
  const match = /<script type="application\/json" id="data">(.*)<\/script>/.exec(html);
  if (!match) throw new Error('no data element');
  return JSON.parse(match[1]) as { points: unknown[]; leaks: unknown[] };
}

describe('reportHtml', () => {
  const hostile = '</script><script>alert(1)</script>';
  const page = reportHtml(
    report([
      reportedFile({
        file: `__tests__/<b>${hostile}.test.js`,
        tests: [reportedTest({ name: `leaks ${hostile}`, heap: heap(MB), findings: [finding({ summary: 'x\u2028y' })] })],
      }),
    ]),
    outputDir,
  );

  test('no test name or path can close the data element: every < in the data is escaped', () => {
    const data = /id="data">([\s\S]*?)<\/script>/.exec(page)![1];
    expect(data).not.toContain('<');
    expect(data).toContain('leaks \\u003c/script>\\u003cscript>alert(1)\\u003c/script>');
    expect(page.match(/<script/g)).toHaveLength(2);
  });

  test('escapes the line and paragraph separators JavaScript would read as line ends', () => {
    expect(page).toContain('x\\u2028y');
    expect(page).not.toContain('\u2028');
  });

  test('the embedded data parses back to the original names', () => {
    expect(embeddedData(page).leaks).toEqual([
      expect.objectContaining({ file: `__tests__/<b>${hostile}.test.js`, test: `leaks ${hostile}` }),
    ]);
  });

  test('is self-contained: a CSP that allows nothing from the network', () => {
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`);
    expect(page).not.toMatch(/(src|href)="https?:/);
  });

  test('includes each finding, with every verdict', () => {
    const page2 = reportHtml(
      report([
        reportedFile({
          tests: [
            reportedTest({
              name: 'one',
              findings: [finding({ check: 'heap', bytes: 2 * MB }), finding({ check: 'handles', verdict: 'known' })],
            }),
            reportedTest({ name: 'two', findings: [finding({ check: 'external', verdict: 'unconfirmed' })] }),
          ],
        }),
      ]),
      outputDir,
    );
    expect(
      (embeddedData(page2).leaks as Array<Record<string, unknown>>).map((row) => [row.test, row.check, row.verdict, row.bytes]),
    ).toEqual([
      ['one', 'heap', 'leak', 2 * MB],
      ['one', 'handles', 'known', null],
      ['two', 'external', 'unconfirmed', null],
    ]);
  });
});

describe('leakRows', () => {
  test('links snapshots relative to the report folder, with forward slashes', () => {
    const snapshots = [path.join(outputDir, 'snapshots', 'a-before.heapsnapshot'), path.resolve('/elsewhere/b.heapsnapshot')];
    const rows = leakRows(report([reportedFile({ tests: [reportedTest({ findings: [finding({ snapshots })] })] })]), outputDir);
    expect(rows[0].snapshots).toEqual(['snapshots/a-before.heapsnapshot', '../../elsewhere/b.heapsnapshot']);
  });

  test('a row carries the finding as the table shows it', () => {
    const rows = leakRows(
      report([reportedFile({ file: 'f.js', tests: [reportedTest({ name: 't', findings: [finding({ details: ['d1'], bytes: 5 })] })] })]),
      outputDir,
    );
    expect(rows).toEqual([
      {
        file: 'f.js',
        test: 't',
        check: 'heap',
        verdict: 'leak',
        bytes: 5,
        summary: 'leaked ~1.0 MB of heap per run',
        details: ['d1'],
        snapshots: [],
      },
    ]);
  });
});

describe('chartPoints', () => {
  test('one point per test with heap numbers, in run order, by worker and shard, leaks marked', () => {
    const points = chartPoints(
      report([
        reportedFile({ file: 'a', worker: '2', tests: [reportedTest({ name: 'a1', heap: heap(10) }), reportedTest({ name: 'skipped' })] }),
        reportedFile({
          file: 'b',
          shard: '1/2',
          worker: null,
          tests: [reportedTest({ name: 'b1', heap: heap(20), findings: [finding()] })],
        }),
      ]),
    );
    expect(points).toEqual([
      { x: 0, y: 10, worker: 'w2', file: 'a', test: 'a1', leak: false },
      { x: 1, y: 20, worker: '1/2 w?', file: 'b', test: 'b1', leak: true },
    ]);
  });
});
