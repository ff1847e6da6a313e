/**
 * The report of one Jest run (or several shards merged): what `<outputDir>/report.json`
 * holds. Schema documented in docs/report.md; bump REPORT_SCHEMA when it changes shape.
 */
import type { FileRecord, RetainedFileRecord, TestRecord } from './file-record';

export const REPORT_SCHEMA = 1;

export interface ReportedTest extends TestRecord {
  /** Jest's result: passed, failed, pending, todo, … */
  status: string;
}

export interface ReportedFile {
  /** Relative to the project's rootDir, forward slashes. */
  file: string;
  /** Set when merged from shards: which report it came from. */
  shard?: string;
  /** Null when leakwatch did not run for the file (mode off, failed to run, no record). */
  worker: string | null;
  liveHeapAfterFirstTest: number | null;
  liveHeapAtEnd: number | null;
  leakwatchMs: number;
  warnings: string[];
  tests: ReportedTest[];
}

/** Live heap a file's tests left behind together, with no single test over its threshold. */
export interface Growth {
  file: string;
  bytes: number;
  /** The tests with the largest bounds: the most each could have kept. */
  largest: Array<{ name: string; bound: number }>;
}

export interface RunReport {
  schema: typeof REPORT_SCHEMA;
  createdAt: string;
  versions: { leakwatch: string; node: string; jest: string | null };
  /** Jest's --shard value of each run merged here (null for a run without --shard). */
  shards: Array<string | null>;
  options: { growthThreshold: number };
  totals: Totals;
  growth: Growth[];
  /** Test files whose environment was not freed after they ended, biggest first. */
  retained: RetainedFileRecord[];
  files: ReportedFile[];
}

export interface Totals {
  files: number;
  tests: number;
  measured: number;
  notMeasured: Record<string, number>;
  /** Failed (or warned in warn mode) leaks, by check. */
  leaks: Record<string, number>;
  /** Leaks listed in the baseline: warned, not failed. */
  known: number;
  unconfirmed: number;
  leakwatchMs: number;
}

export function fileFromRecord(file: string, record: FileRecord | null, statuses: Map<string, string>, allNames: string[]): ReportedFile {
  const seen = new Set<string>();
  const tests: ReportedTest[] = [];
  for (const test of record?.tests ?? []) {
    seen.add(test.name);
    tests.push({ ...test, status: statuses.get(test.name) ?? 'unknown' });
  }
  // Tests leakwatch never saw: skipped, todo, or the whole file ran without it.
  for (const name of allNames) {
    if (seen.has(name)) continue;
    const status = statuses.get(name) ?? 'unknown';
    tests.push({ name, status, notMeasured: record ? status : 'leakwatch did not run for this file', findings: [], leakwatchMs: 0 });
  }
  return {
    file,
    worker: record?.worker ?? null,
    liveHeapAfterFirstTest: record?.liveHeapAfterFirstTest ?? null,
    liveHeapAtEnd: record?.liveHeapAtEnd ?? null,
    leakwatchMs: record?.leakwatchMs ?? 0,
    warnings: record?.warnings ?? [],
    tests,
  };
}

export function buildReport(
  files: ReportedFile[],
  meta: { versions: RunReport['versions']; shards: RunReport['shards']; growthThreshold: number; retained?: RetainedFileRecord[] },
): RunReport {
  return {
    schema: REPORT_SCHEMA,
    createdAt: new Date().toISOString(),
    versions: meta.versions,
    shards: meta.shards,
    options: { growthThreshold: meta.growthThreshold },
    totals: totalsOf(files),
    growth: growthOf(files, meta.growthThreshold),
    retained: [...(meta.retained ?? [])].sort((a, b) => (b.bytes ?? 0) - (a.bytes ?? 0)),
    files,
  };
}

/** Reports of shards (or of separate runs) as one. */
export function mergeReports(reports: Array<{ label: string; report: RunReport }>): RunReport {
  const files = reports.flatMap(({ label, report }) => report.files.map((file) => ({ ...file, shard: file.shard ?? label })));
  const first = reports[0]?.report;
  return buildReport(files, {
    versions: first?.versions ?? { leakwatch: 'unknown', node: process.version, jest: null },
    shards: reports.flatMap(({ report }) => report.shards),
    growthThreshold: first?.options.growthThreshold ?? 0,
    retained: reports.flatMap(({ report }) => report.retained ?? []),
  });
}

function totalsOf(files: ReportedFile[]): Totals {
  const totals: Totals = {
    files: files.length,
    tests: 0,
    measured: 0,
    notMeasured: {},
    leaks: {},
    known: 0,
    unconfirmed: 0,
    leakwatchMs: 0,
  };
  for (const file of files) {
    totals.leakwatchMs += file.leakwatchMs;
    for (const test of file.tests) {
      totals.tests += 1;
      if (test.notMeasured) totals.notMeasured[test.notMeasured] = (totals.notMeasured[test.notMeasured] ?? 0) + 1;
      else totals.measured += 1;
      for (const finding of test.findings) {
        if (finding.verdict === 'leak') totals.leaks[finding.check] = (totals.leaks[finding.check] ?? 0) + 1;
        else if (finding.verdict === 'known') totals.known += 1;
        else totals.unconfirmed += 1;
      }
    }
  }
  totals.leakwatchMs = Math.round(totals.leakwatchMs);
  return totals;
}

function growthOf(files: ReportedFile[], threshold: number): Growth[] {
  const growth: Growth[] = [];
  for (const file of files) {
    if (file.liveHeapAfterFirstTest === null || file.liveHeapAtEnd === null) continue;
    const bytes = file.liveHeapAtEnd - file.liveHeapAfterFirstTest;
    const heapLeaks = file.tests.some((test) => test.findings.some((finding) => finding.check === 'heap'));
    if (bytes < threshold || heapLeaks) continue;
    const largest = file.tests
      .filter((test) => test.heap)
      .map((test) => ({ name: test.name, bound: test.heap!.bound }))
      .sort((a, b) => b.bound - a.bound)
      .slice(0, 3);
    growth.push({ file: file.file, bytes, largest });
  }
  return growth.sort((a, b) => b.bytes - a.bytes);
}
