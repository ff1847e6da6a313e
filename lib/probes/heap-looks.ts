/**
 * The heap probe's extra runs of a suspect before the sampled runs, none with a full GC
 * first, each cheaper than those runs and able only to clear (probes/heap.ts decides when).
 */
import { fullGc, minorGc, type GcFunction } from '../core/gc';
import type { HeapMeasurement, Rerun } from '../core/types';
import { attribute } from '../heap/attribution';
import type { workerLookOdds } from '../heap/look-odds';
import { nativeProfiler, sampleWithoutFullGc, type NativeProfiler } from '../heap/quick-sampler';
import { HeapSampler } from '../heap/sampler';
import { closeWindow, openWindow } from '../heap/window';
import { clearedByQuickLook, clearedByRerun, secondLookCostsMore } from './heap-verdicts';
import { rerunAndSettle } from './heap-sampled-runs';

/** Runs in the quick look and in the window over several runs without the addon. */
const QUICK_LOOK_RUNS = 2;

export class SuspectLooks {
  constructor(
    private readonly gc: GcFunction,
    private readonly rootDir: string,
    private readonly samplingInterval: number,
    /** When each look is worth its runs (one set per worker). */
    private readonly odds: Pick<typeof workerLookOdds, 'firstLook' | 'twoRunWindow'>,
  ) {}

  /**
   * The looks before the sampled runs, none with a full GC first: the first look, then the
   * quick look with the addon, else a window over two more runs. A look that seldom clears
   * this worker's suspects is left out (heap/look-odds.ts), and so is every look after the
   * first for a test slower than the sampled runs' full GCs (secondLookCostsMore).
   */
  async cleared(rerun: Rerun, enough: number, measurement: HeapMeasurement): Promise<boolean> {
    const profiler = HeapSampler.busy() ? null : nativeProfiler();
    const { firstLook, twoRunWindow } = this.odds;
    if (profiler && !secondLookCostsMore(measurement.testMs, measurement.usedAfter) && !firstLook.worthIt()) {
      return (await this.quickLook(profiler, rerun, enough, measurement)) === 'clear';
    }
    const cleared = await this.runBounded(rerun, enough, measurement);
    if (profiler) firstLook.record(cleared);
    if (cleared || secondLookCostsMore(measurement.rerunMs ?? 0, measurement.usedAfter)) return cleared;
    if (profiler) return (await this.quickLook(profiler, rerun, enough, measurement)) === 'clear';
    if (!twoRunWindow.worthIt()) return false;
    const clearedOverTwo = await this.runBounded(rerun, enough, measurement, QUICK_LOOK_RUNS);
    twoRunWindow.record(clearedOverTwo);
    return clearedOverTwo;
  }

  /**
   * With the optional `@datadog/pprof` (heap/quick-sampler.ts), up to two extra runs sampled
   * without the inspector's full GC, read after each run's scavenge: 'clear' as soon as the
   * user's samples still alive are under `enough` a run (an overestimate: dead old objects
   * still count); after two, read again after a full GC: a React test of 100 ms read 1-4 MB of
   * dead old samples, which the sampled runs took two more runs and two full GCs to see
   * through. 'judge' otherwise, or when the profile cannot be read. A second run for what the
   * first does not clear: a test that keeps its last run's data until the next run replaces
   * it (a React tree, a describe-level variable) reads like a leak after one. The sampler
   * starts just before the runs, and sees only their allocations.
   */
  private async quickLook(
    profiler: NativeProfiler,
    rerun: Rerun,
    enough: number,
    measurement: HeapMeasurement,
  ): Promise<'clear' | 'judge'> {
    const gc = this.gc;
    return sampleWithoutFullGc(profiler, this.samplingInterval, async (read) => {
      for (let runs = 1; runs <= QUICK_LOOK_RUNS; runs++) {
        await rerunAndSettle(rerun);
        minorGc(gc);
        const survivors = read();
        if (!survivors) return 'judge';
        measurement.quickUserBytes = attribute(survivors, this.rootDir).userBytes;
        measurement.quickRuns = runs;
        if (clearedByQuickLook(measurement.quickUserBytes, enough, runs)) return 'clear';
      }
      fullGc(gc);
      const afterFullGc = read();
      if (!afterFullGc) return 'judge';
      measurement.quickUserBytesAfterFullGc = attribute(afterFullGc, this.rootDir).userBytes;
      return clearedByQuickLook(measurement.quickUserBytesAfterFullGc, enough, QUICK_LOOK_RUNS) ? 'clear' : 'judge';
    });
  }

  /**
   * The first look: the test runs again inside a heap window of its own; true when the
   * window clears the suspect (clearedByRerun), with no full GC and no profiler. What made
   * the test a suspect without being kept (modules loaded, hidden classes and feedback made
   * on first use, a React render still young) is mostly not allocated again, or dies in the
   * window's scavenge. No sampler runs meanwhile: with one on, the same React runs read
   * 200-300 KB higher and few were cleared.
   * With `runs` 2, one window over two runs, which a leak grows by twice `enough`: what the
   * scavenge cannot free that no run keeps (young objects that dead old ones point to, a few
   * hundred KB after a React test) is counted once, not once a run.
   */
  private async runBounded(rerun: Rerun, enough: number, measurement: HeapMeasurement, runs = 1): Promise<boolean> {
    const bar = enough * runs;
    const window = openWindow(this.gc, bar);
    const started = performance.now();
    try {
      for (let run = 0; run < runs; run++) await rerunAndSettle(rerun);
      if (runs === 1) measurement.rerunMs = performance.now() - started;
    } catch (error) {
      window.gcProfiler.stop();
      throw error;
    }
    const { bound, majorGcs, swept } = closeWindow(this.gc, window, bar);
    if (runs === 1) {
      measurement.firstLookMs = performance.now() - started;
      measurement.rerunBound = bound;
    } else measurement.twoRunBound = bound;
    return clearedByRerun(bound, majorGcs, swept, enough, runs);
  }
}
