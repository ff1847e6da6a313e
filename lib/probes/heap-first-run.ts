/**
 * The heap probe's look at a suspect's own run, where the worker's tests are often suspects
 * and the first look seldom clears them (a React suite): the sampler is on while the test
 * runs (heap/first-run-sampler.ts), and a suspect whose run left too little of the user's
 * memory alive is cleared with no extra run.
 */
import { fullGc, usedHeap, type GcFunction } from '../core/gc';
import type { HeapMeasurement } from '../core/types';
import { attribute } from '../heap/attribution';
import { sampleFirstRun, sampleFirstRunWithInspector, type FirstRunSample } from '../heap/first-run-sampler';
import { workerGarbageBudget } from '../heap/garbage-budget';
import type { FirstRunOdds } from '../heap/first-run-odds';
import { nativeProfiler } from '../heap/quick-sampler';
import { HeapSampler } from '../heap/sampler';
import { clearedByQuickLook } from './heap-verdicts';

/**
 * Starts the sampler for the test about to run when the worker's odds say it is worth it: the
 * addon's, else node:inspector's. Null otherwise, or when someone else samples.
 */
export function sampleIfWorthIt(odds: FirstRunOdds, interval: number): FirstRunSample | null {
  if (!odds.worthIt()) return null;
  const profiler = nativeProfiler();
  if (!profiler) return sampleFirstRunWithInspector(interval);
  if (HeapSampler.busy()) return null;
  return sampleFirstRun(profiler, interval);
}

/**
 * Whether what the test's run allocated in the user's code and left alive is under what a
 * leak keeps (`enough`): read after the window's scavenge, then after a full GC. A React
 * render's garbage that the scavenge cannot free (old objects, dead, that point at young
 * ones) dies in the full GC; a leak's memory does not, nor does a cache filled once, which
 * the kept-once check then looks at. Stops the sampler.
 */
export function clearedByFirstRun(
  firstRun: FirstRunSample,
  gc: GcFunction,
  rootDir: string,
  enough: number,
  measurement: HeapMeasurement,
): boolean {
  try {
    const survivors = firstRun.read();
    if (!survivors) return false;
    measurement.firstRunUserBytes = attribute(survivors, rootDir).userBytes;
    if (clearedByQuickLook(measurement.firstRunUserBytes, enough, 1)) return true;
    if (firstRun.readsAfterFullGc) return false;
    fullGc(gc);
    workerGarbageBudget.collected(usedHeap());
    const afterFullGc = firstRun.read();
    if (!afterFullGc) return false;
    measurement.firstRunUserBytesAfterFullGc = attribute(afterFullGc, rootDir).userBytes;
    return clearedByQuickLook(measurement.firstRunUserBytesAfterFullGc, enough, 1);
  } finally {
    firstRun.stop();
  }
}
