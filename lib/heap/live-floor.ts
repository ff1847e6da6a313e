/**
 * The live heap since a reading, after a full GC: a cheap look before the kept-once check's
 * heap snapshot (~1 s at a 20 MB heap, against ~10 ms for the full GC). Memory a test kept
 * once is still live after a full GC; when the live heap grew by less than a leak keeps since
 * the last reading, no test since then kept that much, and the snapshot is skipped.
 */
import { fullGc, type GcFunction } from '../core/gc';
import { usedWithoutCode } from './window';

/** The kept-once check takes heap snapshots up to this used heap: ~3 s at 64 MB. */
export const KEPT_ONCE_MAX_HEAP = 64 * 1024 * 1024;

export class LiveFloor {
  /** The live heap at the last reading; null before the first one, or when it was over the limit. */
  private floor: number | null = null;

  constructor(private readonly gc: GcFunction) {}

  /**
   * Reads the live heap. A finished test file's context is freed only after the weak
   * callback that a full GC schedules has run (a turn of the event loop): without the turn
   * and a second GC, the floor counted the previous file's and read up to 3 MB high.
   */
  async read(nextTurn: () => Promise<void>): Promise<void> {
    if (usedWithoutCode() < 2 * KEPT_ONCE_MAX_HEAP) {
      fullGc(this.gc);
      await nextTurn();
    }
    this.floor = this.collect();
  }

  /**
   * Whether the live heap grew by at least `bytes` since the last reading, and is small
   * enough to snapshot; reads it again either way.
   */
  grewBy(bytes: number): boolean {
    const before = this.floor;
    this.floor = this.collect();
    return before !== null && this.floor !== null && this.floor - before >= bytes;
  }

  /** The live heap, or null when it is over the snapshot limit. */
  private collect(): number | null {
    // In band, a finished file's garbage is still there: collect up to twice the limit. Over
    // that, the full GC alone costs ~100 ms, and what it leaves is most likely over the limit.
    if (usedWithoutCode() >= 2 * KEPT_ONCE_MAX_HEAP) return null;
    fullGc(this.gc);
    const live = usedWithoutCode();
    return live < KEPT_ONCE_MAX_HEAP ? live : null;
  }
}
