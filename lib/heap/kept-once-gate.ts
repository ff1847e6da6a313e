/**
 * Memory kept once, for a suspect whose extra runs added nothing: a full GC first (the live
 * floor), and only when the live heap grew by what a leak keeps since the file's first test
 * or the previous look, a heap snapshot (kept-once-check.ts, loaded then: its modules are
 * not needed by most files).
 */
import type { GcFunction } from '../core/gc';
import { nextTurn } from '../core/timers';
import type { Finding } from '../core/types';
import type { KeptOnceCheck, KeptOnceCheckOptions } from './kept-once-check';
import { LiveFloor } from './live-floor';

export class KeptOnceGate {
  /** Looks (a full GC each) and the heap snapshots they led to. */
  readonly stats = { looks: 0, snapshots: 0 };
  private readonly floor: LiveFloor;
  private check: KeptOnceCheck | null = null;

  constructor(
    gc: GcFunction,
    private readonly options: KeptOnceCheckOptions,
  ) {
    this.floor = new LiveFloor(gc);
  }

  /** Before the file's first test: the live heap the looks are measured from. */
  async startFile(): Promise<void> {
    await this.floor.read(nextTurn);
  }

  /** The finding for a suspect kept at most `bound` and cleared by its extra runs, or null. */
  async judge(bound: number, enough: number, rerun: () => Promise<void>): Promise<Finding | null> {
    if (bound < this.options.threshold) return null;
    if (!this.check) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { KeptOnceCheck: Check } = require('./kept-once-check') as typeof import('./kept-once-check');
      this.check = new Check(this.options);
    }
    if (!this.check.mayCheck()) return null;
    this.stats.looks += 1;
    if (!this.floor.grewBy(enough)) return null;
    this.stats.snapshots += 1;
    return this.check.check(bound, rerun);
  }
}
