/**
 * What one test file's leak hunt leaves for the reporter (lib/reporter/): the environment
 * runs in a worker, the reporter in Jest's main process, so each file's record goes through
 * a small JSON file under `<outputDir>/records/`, written at the file's end and read (then
 * deleted) by the reporter when Jest reports that file. Written only when the reporter is
 * configured. Versioned: the reporter ignores records of another shape.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../core/types';

export const RECORD_VERSION = 1;

/** A finding as the report keeps it; `known` is a leak listed in the baseline file (warned, not failed). */
export interface FindingRecord {
  check: string;
  verdict: Finding['verdict'] | 'known';
  summary: string;
  details: string[];
  bytes?: number;
  snapshots?: string[];
}

export interface TestRecord {
  /** Full name, describe blocks included, as Jest reports it. */
  name: string;
  /** Why leakwatch did not judge it, if it did not (failed, concurrent, test.failing, ignored checks). */
  notMeasured?: string;
  /** Heap numbers, bytes: used heap after the test (after a scavenge), and the bound of what it kept. */
  heap?: { usedAfter: number; bound: number; suspect: boolean; extraRuns?: number[] };
  findings: FindingRecord[];
  /** Milliseconds leakwatch spent judging this test. */
  leakwatchMs: number;
}

/** A test file, ended earlier in the same process, whose environment was not freed. */
export interface RetainedFileRecord {
  /** Relative to rootDir, as the user reads it. */
  file: string;
  /** What only its holder keeps, or null when the holder was not found. */
  bytes: number | null;
  /** The holder and where it is defined, or null. */
  holder: string | null;
  /** Why the holder is missing, when it is. */
  note: string | null;
}

export interface FileRecord {
  version: typeof RECORD_VERSION;
  testPath: string;
  worker: string;
  pid: number;
  /**
   * Live heap (after full GCs) once the first measured test has run, and at the file's end,
   * bytes. Not at the file's start: the first test's one-time work swings by MBs, and Jest 30
   * frees the previous file's environment lazily, during the next file.
   */
  liveHeapAfterFirstTest: number | null;
  liveHeapAtEnd: number | null;
  tests: TestRecord[];
  warnings: string[];
  leakwatchMs: number;
  /** Earlier files of this process found retained while this one ran. */
  retainedFiles?: RetainedFileRecord[];
}

export function recordPath(outputDir: string, testPath: string): string {
  const hash = createHash('sha1').update(testPath).digest('hex').slice(0, 16);
  return path.join(outputDir, 'records', `${hash}.json`);
}

export function writeRecord(outputDir: string, record: FileRecord): void {
  const file = recordPath(outputDir, record.testPath);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(record), { mode: 0o600 });
  fs.renameSync(temporary, file);
}

/** The record of a test file, written since `since` (ms since epoch), or null; deletes it. */
export function takeRecord(outputDir: string, testPath: string, since: number): FileRecord | null {
  const file = recordPath(outputDir, testPath);
  try {
    const stale = fs.statSync(file).mtimeMs < since - 1000;
    const record = stale ? null : (JSON.parse(fs.readFileSync(file, 'utf8')) as FileRecord);
    fs.rmSync(file, { force: true });
    return record && record.version === RECORD_VERSION && record.testPath === testPath ? record : null;
  } catch {
    return null;
  }
}
