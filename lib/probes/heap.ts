/**
 * HeapProbe: V8 heap retained by a test. See docs/design.md for the reasoning.
 *
 * Per test, cheaply: a scavenge and a heap read at each end. Only when used heap grew by
 * the threshold (live memory never exceeds used memory) does the probe look closer:
 *  1. V8's sampling profiler lists what the test allocated that is still alive; the part
 *     the user's code allocated must reach the threshold (one-time work of the test runner
 *     does not count);
 *  2. the test runs once more (hooks and body); it must leave memory behind again. A cache
 *     filled once, or a describe-level variable that the next beforeEach replaces, do not.
 */
import { GCProfiler } from 'node:v8';
import type { LeakwatchConfig } from '../config';
import { fullGc, getGc, minorGc, usedHeap } from '../gc';
import { attribute, describeSite, type AllocationSite, type Attribution } from '../heap/attribution';
import { SourceMapper } from '../heap/source-map';
import { HeapSampler } from '../heap/sampler';
import type { RerunOutcome } from '../rerun';
import type { SnapshotWriter } from '../snapshots';
import { formatBytes } from '../units';
import type { Finding, Probe, TestInfo } from './probe';

interface OpenWindow {
  usedAtStart: number;
  /** Tells whether V8 ran a mark-compact during the test, which can hide growth. */
  gcProfiler: GCProfiler | null;
  /** Keeps the start marker's sample alive until the profile is read. */
  marker: unknown[] | null;
}

interface SecondRun {
  /** Of the first run's user survivors, how much the second run did not free (sampled). */
  firstStillAlive: number;
  attribution: Attribution;
  /** The second run's error, if it threw: only its memory counts. */
  threw: string | null;
}

// Taken at load, from Node itself: fake timers installed by a test never reach it.
const realSetImmediate = setImmediate;
const nextTurn = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

/** One test's numbers, for calibration (LEAKWATCH_DEBUG): bytes. */
export interface HeapMeasurement {
  /** Used heap after a scavenge, end minus start: an upper bound of what the test kept. */
  bound: number;
  majorGcs?: number;
  /** Sampled survivors the user's code allocated (only when the bound reached the threshold). */
  user?: number;
  /** The same for the second run, and how much of the first run's is still alive after it. */
  rerunUser?: number;
  firstStillAlive?: number;
}

/** Counters for calibration and the design notes. */
export interface HeapProbeStats {
  tests: number;
  fullGcs: number;
  profiles: number;
  suspects: number;
  reruns: number;
  leaks: number;
}

export class HeapProbe implements Probe {
  readonly check = 'heap' as const;
  readonly stats: HeapProbeStats = { tests: 0, fullGcs: 0, profiles: 0, suspects: 0, reruns: 0, leaks: 0 };
  /** Called with each test's numbers when set (calibration only). */
  onMeasure: ((test: TestInfo, measurement: HeapMeasurement) => void) | null = null;
  /** Why the verdicts can't be confirmed, if they can't. Reported once per file. */
  readonly problem: string | null;

  private readonly gc = getGc();
  private readonly sampler: HeapSampler | null;
  private readonly threshold: number;
  private window: OpenWindow | null = null;
  private readonly unconfirmedFindings: Array<{ test: TestInfo; finding: Finding }> = [];

  constructor(
    config: LeakwatchConfig,
    private readonly rootDir: string,
    private readonly snapshots: SnapshotWriter | null,
  ) {
    this.threshold = config.heap.threshold;
    if (!this.gc) {
      this.sampler = null;
      this.problem = 'V8 would not expose gc(), so heap leaks were not measured';
    } else {
      const started = HeapSampler.start(config.heap.samplingInterval);
      this.sampler = 'sampler' in started ? started.sampler : null;
      this.problem = 'problem' in started ? `${started.problem}; heap growth is reported as unconfirmed warnings only` : null;
    }
  }

  beforeTest(): void {
    if (!this.gc) return;
    const marker = this.sampler ? this.sampler.allocateMarker() : null;
    minorGc(this.gc);
    const gcProfiler = new GCProfiler();
    gcProfiler.start();
    this.window = { usedAtStart: usedHeap(), marker, gcProfiler };
    this.stats.tests += 1;
  }

  async afterTest(test: TestInfo, rerun: () => Promise<RerunOutcome>): Promise<Finding | null> {
    const window = this.window;
    this.window = null;
    if (!window || !this.gc) return null;
    const gcs = window.gcProfiler?.stop()?.statistics ?? [];
    minorGc(this.gc);
    const measurement: HeapMeasurement = { bound: usedHeap() - window.usedAtStart, majorGcs: gcs.filter((gc) => gc.gcType === 'MarkSweepCompact').length };
    // A mark-compact during the test frees garbage that was counted at the start, so the
    // bound could understate what the test kept: look closer then too.
    if (measurement.majorGcs) measurement.bound = Math.max(measurement.bound, this.threshold);
    try {
      return await this.judge(test, window, measurement, rerun);
    } finally {
      this.onMeasure?.(test, measurement);
    }
  }

  private async judge(
    test: TestInfo,
    window: OpenWindow,
    measurement: HeapMeasurement,
    rerun: () => Promise<RerunOutcome>,
  ): Promise<Finding | null> {
    if (measurement.bound < this.threshold) return null;

    if (!this.sampler) {
      const growth = this.collect() - window.usedAtStart;
      return growth < this.threshold ? null : this.unconfirmed(test, growth, this.problem ?? 'no sampling profiler');
    }
    const first = this.survivingAllocations(window);
    if (!first) return this.unconfirmed(test, this.threshold, 'the start-of-test marker was not sampled');
    measurement.user = first.userBytes;
    if (first.userBytes < this.threshold) return null;

    this.stats.suspects += 1;
    this.stats.reruns += 1;
    const second = await this.measureRerun(first, rerun);
    if ('problem' in second) return this.unconfirmed(test, first.userBytes, second.problem);
    measurement.rerunUser = second.attribution.userBytes;
    measurement.firstStillAlive = second.firstStillAlive;
    // A leak keeps both runs' memory; a warm cache adds nothing the second time; a fixture
    // variable frees the first run's data when the second run replaces it.
    const half = this.threshold / 2;
    if (second.attribution.userBytes < half || second.firstStillAlive < half) return null;
    this.stats.leaks += 1;
    return this.leak(test, first, second);
  }

  abandonTest(): void {
    this.window?.gcProfiler?.stop();
    this.window = null;
  }

  finishFile(): Array<{ test: TestInfo; finding: Finding }> {
    return this.unconfirmedFindings.splice(0);
  }

  dispose(): void {
    this.sampler?.stop();
    this.window = null;
  }

  /** Full GC; returns the live heap. */
  private collect(): number {
    fullGc(this.gc!);
    this.stats.fullGcs += 1;
    return usedHeap();
  }

  /** The user's share of what was allocated since the window's marker and is still alive. */
  private survivingAllocations(window: OpenWindow): Attribution | null {
    return this.readProfile(window).attribution;
  }

  private readProfile(window: OpenWindow): { attribution: Attribution | null; alive: Map<number, number> } {
    this.stats.profiles += 1;
    this.stats.fullGcs += 1;
    const { markerOrdinal, samples } = this.sampler!.liveSamples();
    window.marker = null;
    const alive = new Map(samples.map((sample) => [sample.ordinal, sample.size]));
    if (markerOrdinal === null) return { attribution: null, alive };
    const attribution = attribute(
      samples.filter((sample) => sample.ordinal > markerOrdinal),
      this.rootDir,
    );
    return { attribution, alive };
  }

  /**
   * Runs the test again, then reads which of the first run's survivors are still alive and
   * what the second run left. Sampled survivors, not heap totals: memory other code frees
   * meanwhile (Jest 30 clears the previous file's globals lazily) can't hide a leak.
   */
  private async measureRerun(first: Attribution, rerun: () => Promise<RerunOutcome>): Promise<SecondRun | { problem: string }> {
    const window: OpenWindow = { marker: this.sampler!.allocateMarker(), usedAtStart: 0, gcProfiler: null };
    const outcome = await rerun();
    // Let the event loop turn: what the run scheduled to release is released before we look.
    await nextTurn();
    const { attribution, alive } = this.readProfile(window);
    if (!attribution) return { problem: 'the start-of-run marker was not sampled' };
    let firstStillAlive = 0;
    for (const [ordinal, size] of first.userSamples) if (alive.has(ordinal)) firstStillAlive += size;
    return { firstStillAlive, attribution, threw: outcome.threw };
  }

  private leak(test: TestInfo, first: Attribution, second: SecondRun): Finding {
    const details = [
      `~${formatBytes(first.userBytes)} allocated by the test's code is still reachable after the test ended ` +
        `(sampled; threshold ${formatBytes(this.threshold)}, set by testEnvironmentOptions.leakwatch.heap.threshold).`,
      `Confirmed: run once more, the test left another ~${formatBytes(second.attribution.userBytes)} behind ` +
        `and ~${formatBytes(second.firstStillAlive)} of the first run's is still alive, so this is no one-time warm-up` +
        (second.threw ? ` (the second run threw "${second.threw}"; only its memory counts).` : '.'),
    ];
    if (first.sites.length > 0) {
      details.push('Allocated at (sampled, biggest first):');
      const sites = first.sites.slice(0, 5);
      const mapper = this.sourceMapper(sites);
      for (const site of sites) details.push(`  ~${formatBytes(site.bytes)}  ${describeSite(site, this.rootDir, mapper)}`);
    }
    if (this.snapshots) {
      try {
        details.push(`Heap snapshot: ${this.snapshots.write(test.name, 'after')} (Chrome DevTools → Memory → Load).`);
      } catch (error) {
        details.push(`No heap snapshot: ${error instanceof Error ? error.message : String(error)}.`);
      }
    } else {
      details.push(
        'Next step: set testEnvironmentOptions.leakwatch.snapshots to true (or LEAKWATCH_SNAPSHOTS=1) for a .heapsnapshot to open in Chrome DevTools (Memory tab → Load).',
      );
    }
    return { check: 'heap', verdict: 'leak', summary: `leaked ~${formatBytes(first.userBytes)} of heap`, details, bytes: first.userBytes };
  }

  /** Source maps of the scripts the sites are in, read from V8; never fails the report. */
  private sourceMapper(sites: AllocationSite[]): SourceMapper {
    const mapper = new SourceMapper();
    const frames = sites.flatMap((site) => site.frames);
    try {
      const sources = this.sampler!.scriptSources([...new Set(frames.map((frame) => frame.scriptId))]);
      for (const frame of frames) {
        const source = sources.get(frame.scriptId);
        if (source !== undefined) mapper.add(frame.scriptId, frame.url, source);
      }
    } catch {
      // Positions stay as V8 reported them, in the transformed code.
    }
    return mapper;
  }

  private unconfirmed(test: TestInfo, bytes: number, reason: string): null {
    this.unconfirmedFindings.push({
      test,
      finding: {
        check: 'heap',
        verdict: 'unconfirmed',
        summary: `may have leaked ~${formatBytes(bytes)} of heap (unconfirmed, not failed)`,
        details: [`leakwatch could not confirm it: ${reason}.`],
        bytes,
      },
    });
    return null;
  }
}
