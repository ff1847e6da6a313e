/**
 * A test's heap window: what it can have kept at most, from heap reads at its two ends and a
 * scavenge only when needed (docs/design.md, "The loop").
 */
import { GCProfiler } from 'node:v8';
import { minorGc, usedHeap, youngHeap, type GcFunction } from '../gc';

export interface OpenWindow {
  /** Used heap at the start. */
  usedAtStart: number;
  /** Used heap at the start, less what could still die without a mark-compact. */
  floorAtStart: number;
  /** Tells whether V8 ran a mark-compact during the test: it frees garbage counted at the start. */
  gcProfiler: GCProfiler;
  startedAt: number;
}

/**
 * Starts measuring. With no GC until the end, used heap only grows by what is allocated:
 * a test that allocated less than the threshold cannot have kept more, and needs no GC at
 * all (most tests; a scavenge costs ~0.25 ms in a Jest worker, more than many tests).
 * When V8 does collect during the test, the floor counts from the old generation: young
 * objects may die, nothing older can without a mark-compact.
 *
 * `scavenge` (extra runs of a suspect): first empty the young generation, so what was
 * young before the run and gets promoted during it is not counted as the run's. A second
 * scavenge promotes the survivors of the first; under an eighth of the threshold, none is
 * needed.
 */
export function openWindow(gc: GcFunction, threshold: number, scavenge: boolean): OpenWindow {
  if (scavenge) for (let n = 0; n < 2 && youngHeap() > threshold / 8; n++) minorGc(gc);
  const gcProfiler = new GCProfiler();
  gcProfiler.start();
  const usedAtStart = usedHeap();
  return { usedAtStart, floorAtStart: usedAtStart - youngHeap(), gcProfiler, startedAt: performance.now() };
}

/**
 * What a window's test can have kept at most (exact unless `majorGcs` > 0): what it
 * allocated when V8 did not collect meanwhile and that is under `bar`; otherwise used heap
 * after a scavenge, less the floor.
 */
export function closeWindow(gc: GcFunction, window: OpenWindow, bar: number): { bound: number; majorGcs: number; usedAfter: number } {
  const gcs = window.gcProfiler.stop()?.statistics ?? [];
  const majorGcs = gcs.filter((event) => event.gcType === 'MarkSweepCompact').length;
  let used = usedHeap();
  if (gcs.length === 0 && used - window.usedAtStart < bar) return { bound: used - window.usedAtStart, majorGcs, usedAfter: used };
  // Used heap only shrinks in a scavenge: when it is under the bar already, skip it.
  if (used - window.floorAtStart >= bar) {
    minorGc(gc);
    used = usedHeap();
  }
  return { bound: used - window.floorAtStart, majorGcs, usedAfter: used };
}

