/**
 * Garbage collection on demand, without asking users for --expose-gc.
 * The flag is switched on only long enough to fetch `gc` from a fresh context,
 * so user code never sees a `gc` global it did not ask for.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

export type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' }) => void;

let cached: GcFunction | null | undefined;

/** The V8 gc function, or null when this Node cannot expose it. */
export function getGc(): GcFunction | null {
  if (cached !== undefined) return cached;
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') {
    cached = existing as GcFunction;
    return cached;
  }
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn = vm.runInNewContext('gc') as unknown;
    cached = typeof fn === 'function' ? (fn as GcFunction) : null;
  } catch {
    cached = null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  return cached;
}

export function usedHeap(): number {
  return v8.getHeapStatistics().used_heap_size;
}

/** A scavenge: drops young garbage in well under a millisecond, so bounds are tight. */
export function minorGc(gc: GcFunction): void {
  gc({ type: 'minor' });
}

/**
 * What a full GC costs in a Jest worker, about 1 ms per MB of used heap: 40 ms at luxon's
 * 50 MB heap, 57-63 ms at downshift's 70-80 MB (docs/measurements.md).
 */
export function fullGcMs(usedHeapBytes: number): number {
  return usedHeapBytes / (1024 * 1024);
}

/**
 * A full collection, then a scavenge: after the full GC, external memory freed by
 * finalizers is only accounted once the next scavenge runs.
 */
export function fullGc(gc: GcFunction): void {
  gc();
  gc({ type: 'minor' });
}

/**
 * Everything collectable now: V8's last-resort collection (several full GCs, caches flushed),
 * a turn of the event loop (weak callbacks and FinalizationRegistry callbacks run there and
 * may drop what they held: a vm context is freed only after its ContextifyContext's), then a
 * full GC. `nextTurn` is passed in so this file stays free of timers.
 */
export async function collectAll(gc: GcFunction, nextTurn: () => Promise<void>): Promise<void> {
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' } as never);
  await nextTurn();
  fullGc(gc);
}
