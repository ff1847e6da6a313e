/**
 * Collects one test file's numbers and verdicts for the reporter (see file-record.ts). Only
 * created when the reporter is configured: it adds two full GCs per file, so the report can
 * show how much live heap the file's tests left behind together.
 */
import { collectAll, getGc, usedHeap } from '../core/gc';
import { nextTurn } from '../core/timers';
import type { HeapMeasurement } from '../core/types';
import { writeRecord, RECORD_VERSION, type FindingRecord, type RetainedFileRecord, type TestRecord } from './file-record';

export class RecordWriter {
  private readonly tests: TestRecord[] = [];
  private readonly byId = new Map<number, TestRecord>();
  private liveHeapAfterFirstTest: number | null = null;
  private current: TestRecord | null = null;
  private leakwatchMs = 0;
  private readonly retainedFiles: RetainedFileRecord[] = [];

  constructor(
    private readonly outputDir: string,
    private readonly testPath: string,
  ) {}

  /** A test is being judged: findings and heap numbers that follow are its own. */
  judging(id: number, name: string): void {
    this.current = { name, findings: [], leakwatchMs: 0 };
    this.byId.set(id, this.current);
    this.tests.push(this.current);
  }

  heapMeasured(measurement: HeapMeasurement): void {
    if (!this.current) return;
    this.current.heap = {
      usedAfter: measurement.usedAfter,
      bound: measurement.bound,
      suspect: measurement.suspect,
      ...(measurement.runs ? { extraRuns: measurement.runs } : {}),
    };
  }

  async judged(leakwatchMs: number): Promise<void> {
    const started = performance.now();
    if (this.liveHeapAfterFirstTest === null) this.liveHeapAfterFirstTest = await liveHeap();
    const total = leakwatchMs + performance.now() - started;
    if (this.current) this.current.leakwatchMs = round(total);
    this.current = null;
    this.leakwatchMs += total;
  }

  notMeasured(name: string, reason: string): void {
    this.tests.push({ name, notMeasured: reason, findings: [], leakwatchMs: 0 });
  }

  finding(id: number, finding: FindingRecord): void {
    this.byId.get(id)?.findings.push(finding);
  }

  /** Earlier files of this process found retained while this one ran. */
  retained(files: RetainedFileRecord[]): void {
    this.retainedFiles.push(...files);
  }

  /** Writes the record; throws on I/O errors (the session turns them into a warning). */
  async finish(warnings: string[]): Promise<void> {
    const liveHeapAtEnd = await liveHeap();
    writeRecord(this.outputDir, {
      version: RECORD_VERSION,
      testPath: this.testPath,
      worker: process.env.JEST_WORKER_ID ?? '0',
      pid: process.pid,
      liveHeapAfterFirstTest: this.liveHeapAfterFirstTest,
      liveHeapAtEnd,
      tests: this.tests,
      warnings,
      leakwatchMs: round(this.leakwatchMs),
      ...(this.retainedFiles.length > 0 ? { retainedFiles: this.retainedFiles } : {}),
    });
  }
}

/**
 * Live heap after collectAll(). With a single synchronous full GC, the previous file's
 * environment was often still alive after this file's first test when that file leaked
 * (2-3 MB of its leak counted against this file: growth read as -2 MB).
 */
async function liveHeap(): Promise<number | null> {
  const gc = getGc();
  if (!gc) return null;
  await collectAll(gc, nextTurn);
  return usedHeap();
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
