/**
 * When to collect the old generation between tests. leakwatch's scavenge at a test's end
 * promotes what the test still held then, most of it garbage soon after, and V8 collects the
 * old generation only near a limit set well above what it holds live: with the addon (whose
 * quick look seldom runs a full GC), a luxon worker's heap peaked ~100 MB over plain Jest's.
 * A full GC between tests, once the used heap has doubled since the last one (V8 itself waits
 * for up to four times, measured), or grown by `budget` on a small heap, keeps the peak near
 * plain Jest's; at tripled, a worker whose files leave ~180 MB live still peaked +55 MB
 * (docs/measurements.md, "Peak memory").
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
    return used - this.floor >= Math.max(this.budget, this.floor);
  }

  /** After a full GC, at `used` bytes. */
  collected(used: number): void {
    this.floor = used;
  }
}

/**
 * Growth between full GCs on a small heap. In band (--trace-gc, /usr/bin/time): luxon's suite
 * took 2 full GCs (154 ms) and peaked at 341-344 MB of RSS, against 411-421 MB without them
 * and 297-320 MB for plain Jest; react-hook-form's useForm tests, 2 (222 ms).
 */
const BUDGET = 64 * 1024 * 1024;

/** One per process: the heap grows across test files, and each file has probes of its own. */
export const workerGarbageBudget = new GarbageBudget(BUDGET);
