/**
 * The failure message of a confirmed heap leak: how much each extra run kept, the statement
 * lines that allocated it (heap/statement-lines.ts), a snapshot pair when asked for, and what
 * holds it (heap/retainers.ts). Each of those costs one more run of the test, so they are
 * limited per file; none of them can change the verdict, and a failure of one is a note.
 */
import * as fs from 'node:fs';
import { errorMessage } from '../core/errors';
import { getGc, minorGc, usedHeap, type GcFunction } from '../core/gc';
import type { Finding, TestInfo, RerunOutcome } from '../core/types';
import type { SnapshotWriter } from './snapshot-writer';
import { nextTurn } from '../core/timers';
import { formatBytes } from '../core/units';
import type { AllocationSite, Attribution } from './attribution';
import { takeSnapshot, trackObjectIds } from './heap-snapshot';
import { lastObjectIdOf } from './last-object-id';
import { describeRetainers } from './retainers';
import { documentLeftovers, documentOf } from './document-leftovers';
import { parseSnapshot, type HeapSnapshot } from './snapshot-parser';
import { findStatementLines } from './statement-lines';

/** Retainer paths per file at most: each takes a heap snapshot, object ids and one more run. */
const MAX_RETAINER_REPORTS = 3;
/** Leaks per file whose statement lines are looked for: each takes one more run with logpoints. */
const MAX_STATEMENT_REPORTS = 3;
/**
 * Above this many live objects, no snapshot for retainers: V8 takes ~15 µs an object to write
 * one (2026-12-07, Node 20, 2 cores: 3.2 s at 193,000 objects, 14.5 s at 989,000), whatever
 * the heap's size in bytes (0.6 s for a 98 MB heap of big arrays). Counted for free by the
 * object ids the search gives anyway (V8 steps them by 2).
 */
const RETAINERS_MAX_OBJECTS = 1_000_000;
/**
 * Above this heap, not even the ids: giving them takes ~1.5 µs an object, and a heap this big
 * is seldom under RETAINERS_MAX_OBJECTS (at 200 MB, a snapshot took 56 s and a 5.2 GB process).
 */
const RETAINERS_MAX_HEAP = 128 * 1024 * 1024;

export interface LeakReportOptions {
  threshold: number;
  rootDir: string;
  retainers: boolean;
  snapshots: SnapshotWriter | null;
  testGlobal: object | null;
}

export class HeapLeakExplainer {
  private retainerReports = 0;
  private statementReports = 0;
  private readonly gc: GcFunction;

  constructor(private readonly options: LeakReportOptions) {
    // Only made for a probe that has gc (HeapProbe measures nothing without it).
    this.gc = getGc() ?? (() => undefined);
  }

  /** The failure for a confirmed leak: amounts, statement lines, snapshots, what holds it, next step. */
  async describe(test: TestInfo, runs: Attribution[], threw: string[], rerun: () => Promise<RerunOutcome>): Promise<Finding> {
    const last = runs[runs.length - 1];
    const amounts = runs.map((run) => `~${formatBytes(run.userBytes)}`);
    const details = [
      `Run ${runs.length === 3 ? 'four times' : `${runs.length + 1} times`} more, the test left ${amounts.slice(0, -1).join(', ')} and ${amounts[amounts.length - 1]} behind ` +
        `in the first ${runs.length === 3 ? 'three' : runs.length}, allocated by its code and still reachable after the last run (sampled; threshold ${formatBytes(this.options.threshold)}, ` +
        `set by testEnvironmentOptions.leakwatch.heap.threshold). Memory that only one run keeps (a warm cache, ` +
        `a fixture the next beforeEach replaces) or only the last two (a window of recent results) does not count.` +
        (threw.length > 0 ? ` The extra runs threw "${threw[0]}"; only their memory counts.` : ''),
    ];
    if (last.sites.length > 0) {
      const note = await this.addStatementLines(last.sites, rerun);
      details.push('Allocated at (sampled, biggest first):');
      for (const site of last.sites) details.push(`  ~${formatBytes(site.bytes)}  ${site.description}`);
      if (note) details.push(note);
    }
    const perRun = runs.reduce((sum, run) => sum + run.userBytes, 0) / runs.length;
    const snapshots: string[] = [];
    const oneMoreRun = async (): Promise<void> => {
      await rerun();
      await nextTurn();
      minorGc(this.gc);
    };
    if (this.options.snapshots) {
      try {
        const [before, after] = await this.options.snapshots.writePair(test.name, oneMoreRun);
        snapshots.push(before, after);
        details.push(
          `Heap snapshots around one more run of the test: ${before} and ${after} ` +
            '(Chrome DevTools → Memory → Load both, select the second, view "Comparison" against the first).',
        );
      } catch (error) {
        details.push(`No heap snapshot: ${errorMessage(error)}.`);
      }
    }
    if (this.options.retainers) {
      const inDocument = await this.leftInDocument(oneMoreRun);
      if (inDocument.length > 0) details.push(...inDocument);
      else if (this.retainerReports < MAX_RETAINER_REPORTS) details.push(...(await this.whatHoldsIt(snapshots, oneMoreRun)));
    }
    if (snapshots.length === 0 && !this.options.snapshots) {
      details.push(
        'Next step: set testEnvironmentOptions.leakwatch.snapshots to true (or LEAKWATCH_SNAPSHOTS=1) for a .heapsnapshot to open in Chrome DevTools (Memory tab → Load).',
      );
    }
    return {
      check: 'heap',
      verdict: 'leak',
      summary: `leaked ~${formatBytes(perRun)} of heap per run`,
      details,
      bytes: perRun,
      ...(snapshots.length > 0 ? { snapshots } : {}),
    };
  }

  /** "What holds it": the retainer paths of what one more run adds, or why they were not worked out. */
  private async whatHoldsIt(snapshots: string[], oneMoreRun: () => Promise<void>): Promise<string[]> {
    // The live heap: used heap still counts the extra runs' garbage (one in-band run read 84 MB used, 64 MB live).
    this.gc();
    const heapNow = usedHeap();
    if (heapNow >= RETAINERS_MAX_HEAP) {
      return [
        `What holds it was not worked out: the heap is ${formatBytes(heapNow)}, over the ${formatBytes(RETAINERS_MAX_HEAP)} up to which ` +
          'leakwatch reads heap snapshots (at 200 MB, two took 56 s and 5 GB of memory).',
      ];
    }
    this.retainerReports += 1;
    try {
      let maxBefore: number;
      let after: HeapSnapshot;
      if (snapshots.length === 2) {
        maxBefore = lastObjectIdOf(await fs.promises.readFile(snapshots[0]));
        after = parseSnapshot(await fs.promises.readFile(snapshots[1]));
      } else {
        const tracked = await trackObjectIds();
        try {
          const objects = tracked.lastId / 2;
          if (objects > RETAINERS_MAX_OBJECTS) {
            // The next leaks of this file would find as many: spare them the ids.
            this.retainerReports = MAX_RETAINER_REPORTS;
            return [
              `What holds it was not worked out: the heap holds ~${(objects / 1e6).toFixed(1)} million objects, over the ` +
                `${RETAINERS_MAX_OBJECTS / 1e6} million up to which leakwatch takes a heap snapshot (~15 s at a million).`,
            ];
          }
          maxBefore = tracked.lastId;
          await oneMoreRun();
          after = await takeSnapshot();
        } finally {
          tracked.stop();
        }
      }
      const lines = describeRetainers(maxBefore, after, this.options.rootDir);
      if (lines.length > 0) {
        return ['What holds it (objects new after one more run of the test, by kind, biggest first):', ...lines.map((line) => `  ${line}`)];
      }
      // Seen on Node 22 in the heap-leaks e2e (module-map.test.js): say so, not nothing.
      return [
        'What holds it was not found: in the heap snapshot after one more run, no path from a variable of the project reached the new objects.',
      ];
    } catch (error) {
      return [`What holds it could not be worked out: ${errorMessage(error)}.`];
    }
  }

  /** Elements one more run left in the test's document: they need no snapshot, so no file's limit (heap/document-leftovers.ts). */
  private async leftInDocument(oneMoreRun: () => Promise<void>): Promise<string[]> {
    const document = documentOf(this.options.testGlobal);
    if (!document) return [];
    try {
      const left = await documentLeftovers(document, oneMoreRun);
      if (left.lines.length === 0) return [];
      return [
        "What holds it: the test's document, where one more run of the test left:",
        ...left.lines.map((line) => `  ${line}`),
        "Remove what the test adds to the document when it ends (element.remove(), or document.body.innerHTML = '' in afterEach)." +
          // Seen on react-hook-form's iframe test with jsdom 26: removed, the frame still kept ~609 KB a run.
          (left.frames
            ? " A removed iframe's window stays in jsdom's list of same-origin windows until jsdom/jsdom#4276 (merged 2026-09) is in your jsdom."
            : ''),
      ];
    } catch {
      // The snapshot below still looks.
      return [];
    }
  }

  /**
   * Replaces the sites' descriptions with statement lines, found in one more run with
   * logpoints (heap/statement-lines.ts), for the first leaks of a file. On failure the
   * function-level sites stay, and the returned note says why.
   */
  private async addStatementLines(sites: AllocationSite[], rerun: () => Promise<RerunOutcome>): Promise<string | null> {
    if (this.statementReports >= MAX_STATEMENT_REPORTS) return null;
    this.statementReports += 1;
    try {
      const globals = [...new Set([this.options.testGlobal, globalThis].filter((global): global is object => global !== null))];
      const lines = await findStatementLines(
        sites,
        globals,
        async () => {
          await rerun();
          await nextTurn();
        },
        this.options.rootDir,
      );
      lines.forEach((description, index) => (sites[index].description = description));
      return lines.size === 0 ? 'Statement lines: none found in one more run (positions above are where the functions start).' : null;
    } catch (error) {
      return `Statement lines could not be found (${errorMessage(error)}); positions above are where the functions start.`;
    }
  }
}
