/** The reporter's end-of-run text: a few lines a person reads in the terminal. */
import type { FindingRecord, RetainedFileRecord } from './file-record';
import { formatBytes } from '../core/units';
import type { ReportedFile, ReportedTest, RunReport } from './run-report';

const TOP = 5;

export function summaryText(report: RunReport, written: string[]): string {
  const { totals } = report;
  const lines: string[] = [];
  const notMeasured = Object.entries(totals.notMeasured);
  const skipped = notMeasured.reduce((sum, [, n]) => sum + n, 0);
  lines.push(
    `leakwatch: ${totals.measured} of ${totals.tests} tests measured in ${totals.files} files` +
      (skipped > 0 ? ` (not measured: ${notMeasured.map(([why, n]) => `${n} ${why}`).join(', ')})` : '') +
      `; leakwatch's own time ${(totals.leakwatchMs / 1000).toFixed(1)} s`,
  );
  const leakCount = Object.values(totals.leaks).reduce((sum, n) => sum + n, 0);
  lines.push(
    `  Leaks: ${leakCount}${
      leakCount > 0
        ? ` (${Object.entries(totals.leaks)
            .map(([check, n]) => `${check} ${n}`)
            .join(', ')})`
        : ''
    }` + `; known (baseline): ${totals.known}; unconfirmed: ${totals.unconfirmed}`,
  );
  const offenders = report.files
    .flatMap((file) =>
      file.tests.flatMap((test) => test.findings.filter((f) => f.verdict === 'leak').map((finding) => ({ file, test, finding }))),
    )
    .sort((a, b) => (b.finding.bytes ?? 0) - (a.finding.bytes ?? 0));
  if (offenders.length > 0) {
    lines.push('  Top offenders:');
    for (const { file, test, finding } of offenders.slice(0, TOP)) lines.push(`    ${offenderLine(file, test, finding)}`);
    if (offenders.length > TOP) lines.push(`    … and ${offenders.length - TOP} more (see the report)`);
  }
  if (report.retained.length > 0) {
    lines.push(`  Environments not freed after their file ended (the heap grows file after file):`);
    for (const retained of report.retained.slice(0, TOP)) lines.push(`    ${retainedLine(retained)}`);
    if (report.retained.length > TOP) lines.push(`    … and ${report.retained.length - TOP} more (see the report)`);
  }
  for (const growth of report.growth) {
    lines.push(
      `  Growth without a leaking test: ${growth.file}'s tests left ${formatBytes(growth.bytes)} more live heap at its end than after its first test. ` +
        `Largest bounds (the most each test could have kept): ${growth.largest.map((t) => `${JSON.stringify(t.name)} ${formatBytes(t.bound)}`).join(', ')}.`,
    );
  }
  if (written.length > 0) lines.push(`  Report: ${written.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

function retainedLine(retained: RetainedFileRecord): string {
  const size = retained.bytes === null ? '' : ` ~${formatBytes(retained.bytes)}`;
  return `${retained.file}${size} — ${retained.holder ? `held by ${retained.holder}` : (retained.note ?? 'holder not found')}`;
}

function offenderLine(file: ReportedFile, test: ReportedTest, finding: FindingRecord): string {
  const site = firstSite(finding);
  return `${finding.summary.replace(/^leaked /, '')} — ${file.file} › ${JSON.stringify(test.name)}${site ? ` — ${site}` : ''}`;
}

/** The biggest allocation site of a heap finding, or the first detail line of another. */
export function firstSite(finding: FindingRecord): string | null {
  const index = finding.details.findIndex((line) => line.startsWith('Allocated at'));
  if (index >= 0) return finding.details[index + 1]?.trim().replace(/^~\S+ \S+\s+/, '') ?? null;
  if (finding.check === 'heap') return null;
  return finding.details[0]?.trim() ?? null;
}
