/**
 * When to collect the old generation between tests. leakwatch's scavenge at a test's end
 * promotes what the test still held then, most of it garbage soon after, and V8 collects the
 * old generation only near a limit set well above what it holds live: with the addon (whose
 * quick look runs no full GC), a luxon worker's heap peaked ~100 MB over plain Jest's.
 * A full GC between tests, once the used heap has grown by `budget` since the last one,
 * keeps it near what plain Jest reaches.
 */
export class GarbageBudget {
  /** The used heap after the last full GC, or the lowest reading since (V8 collected). */
  private floor: number | null = null;

  constructor(private readonly budget: number) {}

  /** Whether to run a full GC now, at `used` bytes; then call collected(). */
  due(used: number): boolean {
    if (this.floor === null || used < this.floor) {
      this.floor = used;
      return false;
    }
    return used - this.floor >= this.budget;
  }

  /** After a full GC, at `used` bytes. */
  collected(used: number): void {
    this.floor = used;
  }
}

/**
 * Growth between full GCs. On luxon's suite, in band: 5 full GCs of ~55 ms, and a peak RSS
 * of 272-284 MB against 411-421 MB without them and 312-320 MB for plain Jest.
 */
const BUDGET = 64 * 1024 * 1024;

/** One per process: the heap grows across test files, and each file has probes of its own. */
export const workerGarbageBudget = new GarbageBudget(BUDGET);
