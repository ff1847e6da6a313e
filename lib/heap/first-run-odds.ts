/**
 * Whether to sample a test's own run (heap/first-run-sampler.ts), from this worker's recent
 * tests: the sampler slows every test it runs in, and pays only where suspects are common
 * and the extra runs that clear them cost more than the full GC the sampled run may need.
 * On downshift, a third to a half of the tests are suspects and their extra runs cost ~110 ms
 * each with the addon, ~140 ms without; on react-hook-form the first extra run clears most
 * suspects in ~26 ms, under a full GC at its heap (docs/measurements.md).
 */
import { fullGcMs } from '../core/gc';

/** How much the sampler slows a test that allocates: 8.4 to 10.0 ms median on react-hook-form. */
const SAMPLING_SLOWDOWN = 0.2;
/** Tests and cleared suspects the odds are read from. */
const RECENT_TESTS = 20;
const RECENT_CLEARED = 8;
/** Needed before the sampler is ever switched on. */
const MIN_TESTS = 8;
const MIN_CLEARED = 3;

export class FirstRunOdds {
  private readonly tests: Array<{ suspect: boolean; ms: number }> = [];
  /** What extra runs took to clear the latest suspects: what sampling a run may spare. */
  private readonly clearingMs: number[] = [];
  private usedHeap = 0;

  /**
   * Whether the next test's run is worth sampling: the extra runs the sampler may spare a
   * suspect, less the full GC it may need instead, times how often tests are suspects, is more than
   * what sampling costs a test.
   */
  worthIt(): boolean {
    if (this.tests.length < MIN_TESTS || this.clearingMs.length < MIN_CLEARED) return false;
    const suspects = this.tests.filter((test) => test.suspect).length / this.tests.length;
    const spared = median(this.clearingMs) - fullGcMs(this.usedHeap);
    return suspects * spared > SAMPLING_SLOWDOWN * median(this.tests.map((test) => test.ms));
  }

  /** Every test measured, sampled or not. */
  testEnded(suspect: boolean, ms: number, usedHeap: number): void {
    push(this.tests, { suspect, ms }, RECENT_TESTS);
    this.usedHeap = usedHeap;
  }

  /** A suspect that extra runs cleared (its own run was not sampled, or did not clear it): what they took. */
  clearedByRuns(ms: number): void {
    push(this.clearingMs, ms, RECENT_CLEARED);
  }
}

function push<T>(recent: T[], item: T, limit: number): void {
  recent.push(item);
  if (recent.length > limit) recent.shift();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
