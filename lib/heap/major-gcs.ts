/**
 * V8's own full GCs in this process, counted from Node's 'gc' performance entries. Node
 * holds an observer's entries until a later turn of the event loop, so a heap snapshot taken
 * while tests await only promises finds them there as new objects, sometimes nearer a root
 * than what a test leaked (Node 22 and 24). Taking the records when counting and before each
 * snapshot keeps them out.
 */
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

let observer: PerformanceObserver | null = null;
let count = 0;

/** Starts counting; the count covers full GCs from the first call on. */
export function countMajorGcs(): void {
  if (observer) return;
  observer = new PerformanceObserver((list) => tally(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
}

/** Full GCs since counting started, the ones Node still held included. */
export function majorGcCount(): number {
  takeHeldEntries();
  return count;
}

/** Counts and drops the entries Node holds for the observer. */
export function takeHeldEntries(): void {
  if (observer) tally(observer.takeRecords());
}

function tally(entries: PerformanceEntry[]): void {
  for (const entry of entries) {
    if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) count += 1;
  }
}
