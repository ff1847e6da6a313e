/**
 * ExternalProbe: memory outside the V8 heap (Buffers, ArrayBuffers, native addons'
 * accounted memory), as `process.memoryUsage().external` counts it. It only shrinks when a GC
 * runs the finalizers, so growth across the test bounds what the test kept, as long as
 * nothing dead from before the test is freed meanwhile (see read). A test
 * over the threshold runs twice more between full GCs (external memory is exact only after
 * a full GC and a scavenge); it leaks when each run adds half the threshold again.
 */
import { getHeapStatistics } from 'node:v8';
import { fullGc, getGc, minorGc, type GcFunction } from '../core/gc';
import type { MaybePromise } from '../core/maybe-async';
import type { RerunOutcome, Finding, TestInfo } from '../core/types';
import { formatBytes } from '../core/units';
import { BeforeAfterProbe } from './probe';

/**
 * The same number as `process.memoryUsage().external`, which also reads the RSS from /proc
 * each time; Node before 20 has no `external_memory` here.
 */
const external = (): number => getHeapStatistics().external_memory ?? process.memoryUsage().external;

export class ExternalProbe extends BeforeAfterProbe<number> {
  readonly check = 'external' as const;
  override readonly kind = 'memory' as const;
  private readonly gc = getGc();
  /** External memory added since leakwatch's last scavenge or full GC (an upper bound of what is dead now). */
  private addedSinceScavenge = 0;
  private lastReading: number | null = null;

  constructor(private readonly threshold: number) {
    super();
  }

  override startFile(): string | null {
    return this.gc ? null : 'V8 would not expose gc(), so external memory was not measured';
  }

  protected read(): number | null {
    if (!this.gc) return null;
    let now = external();
    // Dead Buffers still counted at the start would hide a leak if a GC frees them during
    // the test. Since leakwatch's last scavenge, at most what was added can be dead: once
    // that reaches a quarter of the threshold, a scavenge frees the young ones first.
    const sinceLastRead = this.lastReading === null ? 0 : Math.max(0, now - this.lastReading);
    this.addedSinceScavenge += sinceLastRead;
    if (sinceLastRead >= this.threshold / 4) {
      // Added since the last test ended: another check's extra runs, whose Buffers
      // leakwatch's own scavenges may have moved to the old generation. A full GC frees them.
      fullGc(this.gc);
      this.addedSinceScavenge = 0;
      now = external();
    } else if (this.addedSinceScavenge >= this.threshold / 4) {
      minorGc(this.gc);
      this.addedSinceScavenge = 0;
      now = external();
    }
    this.lastReading = now;
    return now;
  }

  protected compare(atStart: number, _test: TestInfo, rerun: () => Promise<RerunOutcome>): MaybePromise<Finding | null> {
    if (!this.gc) return null;
    const atEnd = external();
    this.addedSinceScavenge += Math.max(0, atEnd - atStart);
    this.lastReading = atEnd;
    if (atEnd - atStart < this.threshold) return null;
    return this.confirm(this.gc, rerun);
  }

  private async confirm(gc: GcFunction, rerun: () => Promise<RerunOutcome>): Promise<Finding | null> {
    const growth = await this.runTwiceBetweenFullGcs(gc, rerun);
    // Nothing dead is counted after a full GC; what other checks' runs add later is seen by read.
    this.addedSinceScavenge = 0;
    this.lastReading = external();
    if (!growth) return null;
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

  /** Each run's growth, or null as soon as a run adds less than half the threshold. */
  private async runTwiceBetweenFullGcs(gc: GcFunction, rerun: () => Promise<RerunOutcome>): Promise<number[] | null> {
    const growth: number[] = [];
    fullGc(gc);
    let before = external();
    for (let run = 0; run < 2; run++) {
      await rerun();
      fullGc(gc);
      const after = external();
      growth.push(after - before);
      if (after - before < this.threshold / 2) return null;
      before = after;
    }
    return growth;
  }
}
