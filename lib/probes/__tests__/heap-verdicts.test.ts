/**
 * The verdicts on a suspect: clearedByRerun on an extra run's heap window, clearedByQuickLook
 * on the runs sampled without a full GC, and keptByEveryRun on its sampled runs, from what
 * the user's code allocated in each run and still holds after the last.
 */
import type { Attribution } from '../../heap/attribution';
import { clearedByQuickLook, clearedByRerun, heldByFakeTimers, keptByEveryRun, mayStillLeak, secondLookCostsMore } from '../heap-verdicts';

const KB = 1024;
const ENOUGH = 192 * KB;

/** Runs whose user's survivors are these sizes (the rest of an Attribution plays no part). */
function runs(...userBytes: number[]): Attribution[] {
  return userBytes.map((bytes) => ({ userBytes: bytes, allBytes: bytes, sites: [], userSamples: new Map() }));
}

describe('keptByEveryRun', () => {
  test('one run that kept enough looks like a leak', () => {
    expect(keptByEveryRun(runs(ENOUGH), ENOUGH, 1)).toBe(true);
  });

  test('one run that kept a byte less than enough does not', () => {
    expect(keptByEveryRun(runs(ENOUGH - 1), ENOUGH, 1)).toBe(false);
  });

  test('fewer runs than asked for is no leak, whatever they kept', () => {
    expect(keptByEveryRun(runs(10 * ENOUGH, 10 * ENOUGH), ENOUGH, 3)).toBe(false);
  });

  test('no runs at all is no leak', () => {
    expect(keptByEveryRun([], ENOUGH, 1)).toBe(false);
  });

  test('three runs that each kept enough are a leak', () => {
    expect(keptByEveryRun(runs(ENOUGH, ENOUGH, ENOUGH), ENOUGH, 3)).toBe(true);
  });

  test('a growing Map counted unevenly (96, 384, 144 KB for 256 KB a run) is a leak: the mean counts, not each run', () => {
    expect(keptByEveryRun(runs(96 * KB, 384 * KB, 144 * KB), ENOUGH, 3)).toBe(true);
  });

  test('runs whose mean is a byte short of enough are no leak', () => {
    expect(keptByEveryRun(runs(ENOUGH, ENOUGH, ENOUGH - 3), ENOUGH, 3)).toBe(false);
  });

  test("a first run whose data is gone (a bounded window keeping the last results) is no leak, whatever the later runs' mean", () => {
    expect(keptByEveryRun(runs(0, 2 * ENOUGH, 2 * ENOUGH), ENOUGH, 3)).toBe(false);
  });

  test('after several runs, the first needs only a third of enough', () => {
    expect(keptByEveryRun(runs(ENOUGH / 3, ENOUGH, 2 * ENOUGH), ENOUGH, 3)).toBe(true);
  });

  test('after several runs, a first run a byte under a third of enough is no leak', () => {
    expect(keptByEveryRun(runs(ENOUGH / 3 - 1, ENOUGH, 2 * ENOUGH), ENOUGH, 3)).toBe(false);
  });

  test('nothing kept with nothing asked (enough 0) counts as a leak: the caller sets enough above zero', () => {
    expect(keptByEveryRun(runs(0), 0, 1)).toBe(true);
  });
});

describe('clearedByRerun', () => {
  test('a rerun bounded under enough clears the suspect', () => {
    expect(clearedByRerun(ENOUGH - 1, 0, false, ENOUGH)).toBe(true);
  });

  test('a rerun bounded at enough does not: a leak keeps that much on every run', () => {
    expect(clearedByRerun(ENOUGH, 0, false, ENOUGH)).toBe(false);
  });

  test('a mark-compact during the rerun can hide growth: not cleared, however small the bound', () => {
    expect(clearedByRerun(0, 1, false, ENOUGH)).toBe(false);
  });

  test('concurrent sweeping during the rerun can hide growth in the old space: not cleared', () => {
    expect(clearedByRerun(0, 0, true, ENOUGH)).toBe(false);
  });

  test('a window over two runs clears under twice enough: what no run keeps is counted once', () => {
    expect(clearedByRerun(2 * ENOUGH - 1, 0, false, ENOUGH, 2)).toBe(true);
  });

  test('a window over two runs at twice enough does not: a leak keeps enough in each', () => {
    expect(clearedByRerun(2 * ENOUGH, 0, false, ENOUGH, 2)).toBe(false);
  });
});

describe('clearedByQuickLook', () => {
  test('two runs whose survivors are under twice enough are cleared, though more than one run of a leak', () => {
    expect(clearedByQuickLook(1.5 * ENOUGH, ENOUGH, 2)).toBe(true);
  });

  test('two runs whose survivors reach twice enough go on to the sampled runs', () => {
    expect(clearedByQuickLook(2 * ENOUGH, ENOUGH, 2)).toBe(false);
  });
});

describe('mayStillLeak', () => {
  const MAX = 3;

  test('after one run, a third of enough is enough to run again: a leak that fills a Map can read low between two growths', () => {
    expect(mayStillLeak(runs(Math.ceil(ENOUGH / 3)), ENOUGH, MAX)).toBe(true);
  });

  test('after one run, less than a third of enough stops the runs', () => {
    expect(mayStillLeak(runs(Math.ceil(ENOUGH / 3) - 1), ENOUGH, MAX)).toBe(false);
  });

  test('before the last run, a mean under enough still runs again: the Map may grow its table in the next', () => {
    // The corpus's 256 KB-a-run Map leak read 123 and 160 KB at a 144 KB enough, then 1.09 MB.
    expect(mayStillLeak(runs(0.64 * ENOUGH, 0.83 * ENOUGH), ENOUGH, MAX)).toBe(true);
  });

  test('before the last run, a first run whose data is gone stops the runs: the next run replaced it', () => {
    expect(mayStillLeak(runs(Math.ceil(ENOUGH / 3) - 1, 2 * ENOUGH), ENOUGH, MAX)).toBe(false);
  });

  test('before the last run, a mean under a third of enough stops the runs', () => {
    expect(mayStillLeak(runs(ENOUGH / 3, ENOUGH / 3 - 3), ENOUGH, MAX)).toBe(false);
  });

  test('after the last run, the verdict rule decides', () => {
    expect(mayStillLeak(runs(ENOUGH / 3, ENOUGH, ENOUGH), ENOUGH, MAX)).toBe(false);
    expect(mayStillLeak(runs(ENOUGH / 3, ENOUGH, 2 * ENOUGH), ENOUGH, MAX)).toBe(true);
  });
});

describe('heldByFakeTimers', () => {
  test('every run before the last left a fake timer pending: held by them', () => {
    expect(heldByFakeTimers([1, 2, 1])).toBe(true);
  });

  test('what the last run alone left pending holds no earlier run', () => {
    expect(heldByFakeTimers([0, 0, 3])).toBe(false);
  });

  test("a run that fired the earlier runs' timers leaves them nothing to hold", () => {
    expect(heldByFakeTimers([1, -1, 1])).toBe(false);
  });

  test('real timers (no change counted) hold nothing', () => {
    expect(heldByFakeTimers([0, 0, 0])).toBe(false);
  });

  test('one run has no earlier runs to hold', () => {
    expect(heldByFakeTimers([4])).toBe(false);
  });
});

describe('secondLookCostsMore', () => {
  const MB = 1024 * 1024;

  test('a run slower than two full GCs at this heap skips the second look (100 MB: 200 ms)', () => {
    expect(secondLookCostsMore(201, 100 * MB)).toBe(true);
  });

  test('a run as fast as that keeps it', () => {
    expect(secondLookCostsMore(200, 100 * MB)).toBe(false);
  });

  test('the same run keeps it at a heap twice as big, where the full GCs cost twice as much', () => {
    expect(secondLookCostsMore(201, 200 * MB)).toBe(false);
  });
});
