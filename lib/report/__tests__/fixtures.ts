/** Small records and reports for the report tests: each test overrides what it is about. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RECORD_VERSION, type FileRecord, type FindingRecord, type RetainedFileRecord, type TestRecord } from '../file-record';
import { buildReport, type ReportedFile, type ReportedTest, type RunReport } from '../run-report';

export const MB = 1024 * 1024;

export function finding(overrides: Partial<FindingRecord> = {}): FindingRecord {
  return { check: 'heap', verdict: 'leak', summary: 'leaked ~1.0 MB of heap per run', details: [], ...overrides };
}

export function testRecord(overrides: Partial<TestRecord> = {}): TestRecord {
  return { name: 'a test', findings: [], leakwatchMs: 10, ...overrides };
}

export function fileRecord(overrides: Partial<FileRecord> = {}): FileRecord {
  return {
    version: RECORD_VERSION,
    testPath: '/project/__tests__/a.test.js',
    worker: '1',
    pid: 4242,
    liveHeapAfterFirstTest: null,
    liveHeapAtEnd: null,
    tests: [],
    warnings: [],
    leakwatchMs: 100,
    ...overrides,
  };
}

export function reportedTest(overrides: Partial<ReportedTest> = {}): ReportedTest {
  return { ...testRecord(), status: 'passed', ...overrides };
}

export function reportedFile(overrides: Partial<ReportedFile> = {}): ReportedFile {
  return {
    file: '__tests__/a.test.js',
    worker: '1',
    liveHeapAfterFirstTest: null,
    liveHeapAtEnd: null,
    leakwatchMs: 100,
    warnings: [],
    tests: [],
    ...overrides,
  };
}

export function report(
  files: ReportedFile[],
  options: { shard?: string | null; growthThreshold?: number; retained?: RetainedFileRecord[] } = {},
): RunReport {
  return buildReport(files, {
    versions: { leakwatch: '1.2.3', node: 'v22.0.0', jest: '30.0.0' },
    shards: [options.shard ?? null],
    growthThreshold: options.growthThreshold ?? 16 * MB,
    retained: options.retained,
  });
}

/** A fresh folder under the OS temp folder, removed after the file's tests. */
export function temporaryDir(): () => string {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-unit-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}
