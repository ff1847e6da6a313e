/**
 * HeapProbe: V8 heap retained by a test. docs/how-it-works.md gives the reason for each step.
 *
 * Every test, cheaply: a heap read at each end, and a scavenge only when the test allocated
 * more than the threshold or V8 collected during it (and one before the first test after the
 * file's own code ran: its modules, a hook). Live memory never exceeds used memory,
 * so a test whose used heap grew by less than the threshold kept less than that: it passes
 * with no full GC. Otherwise it is a suspect. Where suspects are common and their extra runs
 * cost more than a full GC (heap/first-run-odds.ts), the sampler was on during the test's
 * own run: too little of the user's memory left alive by it (after the scavenge, else after a
 * full GC) clears the suspect with no extra run (heap-first-run.ts). Otherwise it runs again
 * (hooks and body, heap-looks.ts) with no full GC first: in a heap window of its own (a run
 * bounded under what a leak keeps clears it), then, with the optional @datadog/pprof, in up
 * to two runs whose samples show too little of the user's memory for a leak (read after a
 * scavenge, then if needed after one full GC); without it, in a window over two runs. A look
 * that seldom clears the worker's suspects is left out (heap/look-odds.ts). Then up to three
 * runs under V8's sampling heap profiler, judged on what the user's code allocated in each
 * that is still alive after the last: a cache filled once adds nothing; a describe-level
 * variable frees the previous run's data when the next beforeEach replaces it; a leak keeps
 * every run's. Runs that look like a leak while their fake timers are pending are read again
 * with those timers cleared.
 */
import type { LeakwatchConfig } from '../core/config';
import { fullGc, getGc, minorGc, usedHeap } from '../core/gc';
import type { MaybePromise } from '../core/maybe-async';
import { workerGarbageBudget } from '../heap/garbage-budget';
import type { HeapLeakExplainer } from '../heap/leak-explainer';
import { KeptOnceGate } from '../heap/kept-once-gate';
import { workerLookOdds } from '../heap/look-odds';
import type { FirstRunSample } from '../heap/first-run-sampler';
import type { ModuleState } from '../heap/module-holders';
import { closeWindow, openWindow, type OpenWindow } from '../heap/window';
import type { FilePhase, Finding, HeapMeasurement, Rerun, TestInfo } from '../core/types';
import type { SnapshotWriter } from '../heap/snapshot-writer';
import { formatBytes } from '../core/units';
import type { Probe } from './probe';
import { keptByEveryRun } from './heap-verdicts';
import { MAX_RUNS, rerunAndSettle, runAgainSampled } from './heap-sampled-runs';
import { clearedByFirstRun, sampleIfWorthIt } from './heap-first-run';
import { SuspectLooks } from './heap-looks';

/** Counters for calibration and the design notes. */
export interface HeapProbeStats {
  tests: number;
  suspects: number;
  leaks: number;
  /** Kept-once looks and snapshots (heap/kept-once-gate.ts), when on. */
  keptOnce?: KeptOnceGate['stats'];
}

export class HeapProbe implements Probe {
  readonly check = 'heap' as const;
  readonly kind = 'memory' as const;
  readonly stats: HeapProbeStats = { tests: 0, suspects: 0, leaks: 0 };
  /** Called with each test's numbers when set (calibration only). */
  onMeasure: ((test: TestInfo, measurement: HeapMeasurement) => void) | null = null;

  private readonly gc = getGc();
  private readonly threshold: number;
  private readonly samplingInterval: number;
  /** Made at the first confirmed leak: its modules (source maps, statement lines) take ~8 ms to load. */
  private reporter: HeapLeakExplainer | null = null;
  private readonly reporterOptions: ConstructorParameters<typeof HeapLeakExplainer>[0];
  private window: OpenWindow | null = null;
  /** The sampler on during the test's own run, where suspects are common (heap/first-run-sampler.ts). */
  private firstRun: FirstRunSample | null = null;
  /** The current test's heap numbers, read at its end, until it is judged. */
  private ended: (ReturnType<typeof closeWindow> & { endedAt: number; testMs: number }) | null = null;
  private readonly unconfirmedFindings: Array<{ test: TestInfo; finding: Finding }> = [];
  /** Whether the file's own code (its modules, a beforeAll or afterAll hook) ran since the last test began. */
  private fileCodeRan = true;
  /** Memory kept once in module state, for suspects the extra runs cleared; null when heap.keptOnce is false. */
  readonly keptOnce: KeptOnceGate | null;
  /** The extra runs that may clear a suspect before the sampled runs. */
  private readonly looks: SuspectLooks | null;

  constructor(
    config: LeakwatchConfig,
    private readonly rootDir: string,
    snapshots: SnapshotWriter | null,
    /** The test's global: logpoints in its realm reach the statement-line recorder there. */
    testGlobal: object | null = null,
    /** The file's module collections and which holders count, shared with the growth check; null when heap.keptOnce is false. */
    moduleState: ModuleState | null = null,
    /** When each cheap look is worth its runs (one set per worker; a test passes its own). */
    private readonly lookOdds: typeof workerLookOdds = workerLookOdds,
  ) {
    this.threshold = config.heap.threshold;
    this.samplingInterval = config.heap.samplingInterval;
    this.reporterOptions = { threshold: this.threshold, rootDir, retainers: config.heap.retainers, snapshots, testGlobal };
    this.keptOnce = moduleState && this.gc ? new KeptOnceGate({ ...moduleState, threshold: this.threshold }) : null;
    if (this.keptOnce) this.stats.keptOnce = this.keptOnce.stats;
    this.looks = this.gc ? new SuspectLooks(this.gc, rootDir, this.samplingInterval, lookOdds) : null;
  }

  startFile(): string | null {
    return this.gc ? null : 'V8 would not expose gc(), so heap leaks were not measured';
  }

  fileCodeRunning(phase: FilePhase | null): void {
    if (phase !== null) this.fileCodeRan = true;
  }

  beforeTest(): void {
    if (!this.gc) return;
    // What the file's modules and hooks allocated is still young, and what of it survived the
    // scavenge at the test's end stayed young and counted as the test's. Scavenged now, it is
    // older than the test: that scavenge promotes it, and the window leaves out what it promotes.
    if (this.fileCodeRan) minorGc(this.gc);
    this.fileCodeRan = false;
    this.window = openWindow(this.gc, this.threshold);
    this.stats.tests += 1;
    this.firstRun = sampleIfWorthIt(this.lookOdds.firstRun, this.samplingInterval);
  }

  /**
   * Reads the test's heap before the other probes look at what it left (the session calls
   * this first): their own allocations, ~34 KB a test with all checks on, are not the test's.
   */
  endTest(): void {
    const window = this.window;
    this.window = null;
    if (!window || !this.gc) return;
    const endedAt = performance.now();
    const closed = closeWindow(this.gc, window, this.threshold, this.firstRun?.markerBytes);
    this.ended = { ...closed, endedAt, testMs: endedAt - window.startedAt };
  }

  afterTest(test: TestInfo, rerun: Rerun): MaybePromise<Finding | null> {
    if (this.window) this.endTest();
    const ended = this.ended;
    this.ended = null;
    const firstRun = this.firstRun;
    this.firstRun = null;
    if (!ended) {
      firstRun?.stop();
      return null;
    }
    const { bound, majorGcs, allocated, usedAfter, endedAt, testMs } = ended;
    const measurement: HeapMeasurement = { bound, majorGcs, suspect: false, testMs, usedAfter };
    if (allocated !== undefined) measurement.allocated = allocated;
    // After a mark-compact the bound may understate what the test kept: look closer.
    const suspect = measurement.bound >= this.threshold || measurement.majorGcs > 0;
    this.lookOdds.firstRun.testEnded(suspect, testMs, usedAfter);
    if (suspect) return this.judgeSuspect(test, rerun, measurement, endedAt, firstRun);
    firstRun?.stop();
    this.judged(test, measurement, endedAt);
    return null;
  }

  private async judgeSuspect(
    test: TestInfo,
    rerun: Rerun,
    measurement: HeapMeasurement,
    endedAt: number,
    firstRun: FirstRunSample | null,
  ): Promise<Finding | null> {
    try {
      this.stats.suspects += 1;
      measurement.suspect = true;
      const enough = this.threshold * 0.75; // sampled estimates of a leak stay within ±25%
      if (firstRun && clearedByFirstRun(firstRun, this.gc!, this.rootDir, enough, measurement)) {
        return await this.judgeKeptOnce(test, measurement, rerun);
      }
      const runsStarted = performance.now();
      /** A suspect the extra runs cleared: what a sampled first run could have spared. */
      const cleared = (): Promise<Finding | null> => {
        this.lookOdds.firstRun.clearedByRuns(performance.now() - runsStarted);
        return this.judgeKeptOnce(test, measurement, rerun);
      };
      if (await this.looks!.cleared(rerun, enough, measurement)) return await cleared();
      const confirmation = await runAgainSampled(rerun, enough, measurement, this.samplingInterval, this.rootDir);
      if (confirmation === null) return await cleared();
      if ('problem' in confirmation) return this.unconfirmed(test, measurement.bound, confirmation.problem);
      if (!keptByEveryRun(confirmation.runs, enough, MAX_RUNS)) return await cleared();
      this.stats.leaks += 1;
      return await this.leakReporter().describe(test, confirmation.runs, confirmation.threw, rerun);
    } finally {
      firstRun?.stop();
      this.judged(test, measurement, endedAt);
    }
  }

  /** After every verdict: the debug line, and a full GC when one is due. */
  private judged(test: TestInfo, measurement: HeapMeasurement, endedAt: number): void {
    if (this.onMeasure) {
      measurement.judgeMs = performance.now() - endedAt;
      this.onMeasure(test, measurement);
    }
    this.collectIfDue();
  }

  /** The heap probe judges last: a full GC here comes after every other probe's reading. */
  private collectIfDue(): void {
    if (!this.gc || !workerGarbageBudget.due(usedHeap())) return;
    fullGc(this.gc);
    workerGarbageBudget.collected(usedHeap());
  }

  abandonTest(): void {
    this.firstRun?.stop();
    this.firstRun = null;
    this.window?.gcProfiler.stop();
    this.window = null;
    this.ended = null;
  }

  finishFile(): Array<{ test: TestInfo; finding: Finding }> {
    return this.unconfirmedFindings.splice(0);
  }

  dispose(): void {
    this.abandonTest();
  }

  /** A suspect whose extra runs add nothing may still have kept memory the first time (heap/kept-once-gate.ts). */
  private async judgeKeptOnce(test: TestInfo, measurement: HeapMeasurement, rerun: Rerun): Promise<Finding | null> {
    if (!this.keptOnce) return null;
    const checks = this.keptOnce.stats.checks;
    const started = performance.now();
    // After a mark-compact the bound may hide what the test kept once: what it allocated still bounds it.
    const bound = Math.max(measurement.bound, measurement.allocated ?? 0);
    const finding = await this.keptOnce.judge(bound, test.code?.() ?? [], async () => {
      await rerunAndSettle(rerun);
    });
    measurement.keptOnceChecked = this.keptOnce.stats.checks > checks;
    if (measurement.keptOnceChecked) measurement.keptOnceMs = performance.now() - started;
    return finding;
  }

  private leakReporter(): HeapLeakExplainer {
    if (!this.reporter) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { HeapLeakExplainer: Reporter } = require('../heap/leak-explainer') as typeof import('../heap/leak-explainer');
      this.reporter = new Reporter(this.reporterOptions);
    }
    return this.reporter;
  }

  private unconfirmed(test: TestInfo, bytes: number, reason: string): null {
    this.unconfirmedFindings.push({
      test,
      finding: {
        check: 'heap',
        verdict: 'unconfirmed',
        summary: `grew the heap by up to ${formatBytes(bytes)} (unconfirmed, not failed)`,
        details: [`leakwatch could not check whether this is a leak: ${reason}.`],
        bytes,
      },
    });
    return null;
  }
}
