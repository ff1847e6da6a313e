/**
 * The heap check's verdicts on a suspect's extra runs: pure, so their unit tests need no V8
 * and no test to run again.
 */
import { fullGcMs } from '../core/gc';
import type { Attribution } from '../heap/attribution';

/**
 * Whether a heap window over `runs` extra runs clears its suspect: bounded under what a leak
 * keeps in that many runs, `enough` each. Not when V8 freed old memory during the runs (a
 * mark-compact, or its concurrent sweeping): that can hide the runs' own growth in the same space.
 */
export function clearedByRerun(bound: number, majorGcs: number, swept: boolean, enough: number, runs = 1): boolean {
  return majorGcs === 0 && !swept && bound < enough * runs;
}

/**
 * Whether the second look (two more runs, no full GC) costs more than the sampled runs it may
 * spare: one run takes longer than two full GCs at this heap (a property-based test, an
 * integration test). The sampled runs then look at once: they alone fail a test as a leak,
 * so skipping the second look costs no leak it could have found (docs/measurements.md).
 */
export function secondLookCostsMore(runMs: number, usedHeap: number): boolean {
  return runMs > 2 * fullGcMs(usedHeap);
}

/**
 * Whether the quick look (`runs` extra runs sampled without a full GC) clears its suspect:
 * the user's samples still alive, which overstate what the runs kept (dead old objects still
 * count), are under what keptByEveryRun asks of a leak over that many runs, `enough` on average.
 */
export function clearedByQuickLook(userBytes: number, enough: number, runs: number): boolean {
  return userBytes < enough * runs;
}

/**
 * Whether the sampled runs so far leave a leak possible, so another run follows. Before the
 * last run, the first run must still hold a third of `enough`, as keptByEveryRun asks of it,
 * and the runs a third of `enough` on average, not `enough` itself: a Map that the runs fill
 * counts its new table in the run that grew it, so a leak's runs between two growths read low
 * (a 64 KB-a-run Map leak: 28 KB in its first sampled run; a 256 KB-a-run one: 123 and 160 KB
 * in its first two, at a 144 KB `enough`, then 1.09 MB in the third, which grew the table).
 * After the last run, keptByEveryRun.
 */
export function mayStillLeak(runs: Attribution[], enough: number, maxRuns: number): boolean {
  if (runs.length >= maxRuns) return keptByEveryRun(runs, enough, runs.length);
  const { first, mean } = userBytesKept(runs);
  return first >= enough / 3 && mean >= enough / 3;
}

/**
 * Whether `runs` (each extra run's survivors still alive now) look like a leak after `count`
 * runs. After one run, only that run's survivors are known: they must reach `enough`. After
 * more, the runs must keep `enough` on average, and the first run's data must still be there
 * (a third of `enough`). The average, not each run: when a Map or array that the runs fill
 * grows, its new table (room for every run's entries) is counted in the run that grew it and
 * the old one is freed, so a 256 KB-per-run Map leak measured 96, 384 and 144 KB.
 */
export function keptByEveryRun(runs: Attribution[], enough: number, count: number): boolean {
  if (runs.length < count) return false;
  const { first, mean } = userBytesKept(runs);
  return mean >= enough && first >= (runs.length === 1 ? enough : enough / 3);
}

/** What the first run's code still holds, and the runs' average. */
function userBytesKept(runs: Attribution[]): { first: number; mean: number } {
  const total = runs.reduce((sum, run) => sum + run.userBytes, 0);
  return { first: runs[0]?.userBytes ?? 0, mean: total / runs.length };
}

/**
 * Whether every extra run before the last left more fake timers pending than it found
 * (`added`, one count a run): a pending timer keeps what its callback reaches until the
 * test's clock advances, so those runs' memory would stay whether or not the test leaks, and
 * is read again with the timers cleared.
 */
export function heldByFakeTimers(added: number[]): boolean {
  const earlier = added.slice(0, -1);
  return earlier.length > 0 && earlier.every((count) => count > 0);
}
