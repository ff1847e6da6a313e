/**
 * Memory kept once, for a suspect whose extra runs added nothing: a look at the module state
 * the test's code reaches (kept-once-check.ts, loaded then: most files never need it).
 */
import type { Finding } from '../core/types';
import type { KeptOnceCheck, KeptOnceCheckOptions } from './kept-once-check';

export class KeptOnceGate {
  /** Checks run in this file. */
  readonly stats = { checks: 0 };
  private check: KeptOnceCheck | null = null;

  constructor(private readonly options: KeptOnceCheckOptions) {}

  /**
   * The finding for a suspect kept at most `bound` and cleared by its extra runs, or null.
   * `code`: the test's body and hooks; `rerun`: runs it once more.
   */
  async judge(bound: number, code: readonly object[], rerun: () => Promise<void>): Promise<Finding | null> {
    if (bound < this.options.threshold || code.length === 0) return null;
    if (!this.check) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { KeptOnceCheck: Check } = require('./kept-once-check') as typeof import('./kept-once-check');
      this.check = new Check(this.options);
    }
    if (!this.check.mayCheck()) return null;
    this.stats.checks += 1;
    return this.check.check(bound, code, rerun);
  }
}
