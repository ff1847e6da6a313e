/**
 * ExternalProbe: memory outside the V8 heap (Buffers, ArrayBuffers, native addons'
 * accounted memory), as `process.memoryUsage().external`. It only shrinks when a GC runs
 * the finalizers, so growth across the test without a GC bounds what the test kept. A test
 * over the threshold runs twice more between full GCs (external memory is exact only after
 * a full GC and a scavenge); it leaks when each run adds half the threshold again.
 */
import { fullGc, getGc } from '../gc';
import type { RerunOutcome } from '../rerun';
import { formatBytes } from '../units';
import { BeforeAfterProbe, type Finding, type TestInfo } from './probe';

const external = (): number => process.memoryUsage().external;

export class ExternalProbe extends BeforeAfterProbe<number> {
  readonly check = 'external' as const;
  private readonly gc = getGc();

  constructor(private readonly threshold: number) {
    super();
  }

  override startFile(): string | null {
    return this.gc ? null : 'V8 would not expose gc(), so external memory was not measured';
  }

  protected read(): number | null {
    return this.gc ? external() : null;
  }

  protected async compare(atStart: number, _test: TestInfo, rerun: () => Promise<RerunOutcome>): Promise<Finding | null> {
    if (!this.gc || external() - atStart < this.threshold) return null;
    const growth: number[] = [];
    fullGc(this.gc);
    let before = external();
    for (let run = 0; run < 2; run++) {
      await rerun();
      fullGc(this.gc);
      const after = external();
      growth.push(after - before);
      if (after - before < this.threshold / 2) return null;
      before = after;
    }
    return {
      check: 'external',
      verdict: 'leak',
      summary: `leaked ~${formatBytes(Math.min(...growth))} of external memory per run`,
      details: [
        `Run twice more between full GCs, the test kept ${growth.map(formatBytes).join(' and ')} more memory outside the JS heap ` +
          `(Buffers, ArrayBuffers, native objects; threshold ${formatBytes(this.threshold)}, set by testEnvironmentOptions.leakwatch.external.threshold).`,
      ],
      bytes: Math.min(...growth),
    };
  }
}
