/**
 * A test's heap window: what it can have kept at most, from heap reads at its two ends and a
 * scavenge only when needed (docs/how-it-works.md, "The heap check, step by step").
 *
 * Read per heap space, each space's growth counted and its shrinking not: V8 sweeps the old
 * generation concurrently after a mark-compact, so a space's used size can drop during a
 * window with no GC in it, and a sum over spaces let that drop hide a leak's growth in
 * another space (Node 24: a 1 MiB array in the large-object space next to an 8 MB drop gave a
 * negative bound, and the leak passed).
 */
import { GCProfiler, getHeapSpaceStatistics, type GCProfilerResult, type HeapSpaceInfo } from 'node:v8';
import { minorGc, type GcFunction } from '../core/gc';

/** The young generation: what can die in a scavenge. */
const YOUNG_SPACES = new Set(['new_space', 'new_large_object_space']);

/**
 * What V8 compiled while the test ran: machine code (code_space, code_large_object_space) and,
 * on Node 22 and later, bytecode (trusted_space, trusted_large_object_space). Not what the test
 * keeps, and not something the sampled reruns could ever confirm. Counting machine code made
 * half of a React suite's suspects (docs/measurements.md).
 */
function isCompiledCode(name: string): boolean {
  return name.startsWith('code_') || name.includes('trusted_');
}

export interface ClosedWindow {
  /** What the test can have kept at most (exact unless `majorGcs` > 0). */
  bound: number;
  /** Mark-compacts V8 ran during the window. */
  majorGcs: number;
  /**
   * With `majorGcs` > 0, where the bound may understate (a mark-compact freed older garbage in
   * the space the test's objects were promoted to): what the window allocated at most, its
   * growth plus what V8's collections freed, which bounds what it kept.
   */
  allocated?: number;
  /** A counted space outside the young generation shrank: growth there may be hidden (see shrank). */
  swept: boolean;
  usedAfter: number;
}

export interface OpenWindow {
  /** Used bytes per heap space at the start. */
  spacesAtStart: Map<string, number>;
  /** Tells whether V8 collected during the test, and whether it ran a mark-compact. */
  gcProfiler: GCProfiler;
  startedAt: number;
}

function usedBySpace(statistics = getHeapSpaceStatistics()): Map<string, number> {
  const spaces = new Map<string, number>();
  for (const space of statistics) spaces.set(space.space_name, space.space_used_size);
  return spaces;
}

function total(spaces: Map<string, number>): number {
  let bytes = 0;
  for (const used of spaces.values()) bytes += used;
  return bytes;
}

/** What each space gained since the start; `youngWhole`: the young spaces' whole content instead. */
function grown(window: OpenWindow, now: Map<string, number>, youngWhole: boolean): number {
  let bytes = 0;
  for (const [name, used] of now) {
    if (isCompiledCode(name)) continue;
    if (youngWhole && YOUNG_SPACES.has(name)) bytes += used;
    else bytes += Math.max(0, used - (window.spacesAtStart.get(name) ?? 0));
  }
  return bytes;
}

/**
 * Starts measuring. With no GC until the end, a space only grows by what is allocated in it:
 * a test that allocated less than the threshold cannot have kept more, and needs no GC at
 * all (most tests; a scavenge costs ~0.25 ms in a Jest worker, more than many tests). When
 * V8 does collect during the test, the old generation's growth plus what is young at the end
 * bounds it: young objects may die, nothing older can without a mark-compact.
 */
export function openWindow(gc: GcFunction, bar: number): OpenWindow {
  let statistics = getHeapSpaceStatistics();
  // A young generation with less room left than `bar` is one V8 collects within the next
  // `bar` bytes allocated: early in the test, which then takes the slower path above and
  // counts what that collection promotes from before it. Collect it now: the scavenge V8 was
  // about to run, not an extra one (docs/measurements.md).
  const young = newSpace(statistics);
  if (young && young.space_available_size < bar) {
    minorGc(gc);
    statistics = getHeapSpaceStatistics();
  }
  const gcProfiler = new GCProfiler();
  gcProfiler.start();
  return { spacesAtStart: usedBySpace(statistics), gcProfiler, startedAt: performance.now() };
}

/**
 * What a window's test can have kept at most (exact unless `majorGcs` > 0): what it
 * allocated when V8 did not collect meanwhile and that is under `bar`; otherwise the old
 * generation's growth plus the young generation after a scavenge (without what that
 * scavenge promoted from before the test, when V8 did not collect during it).
 */
export function closeWindow(gc: GcFunction, window: OpenWindow, bar: number, heldBytes = 0): ClosedWindow {
  // Allocated in the window and alive at its end, what leakwatch held counts whole in every
  // reading below: it comes off the bound, as if the bar were that much higher.
  const closed = readWindow(gc, window, bar + heldBytes);
  closed.bound = Math.max(0, closed.bound - heldBytes);
  return closed;
}

function readWindow(gc: GcFunction, window: OpenWindow, bar: number): ClosedWindow {
  const gcs = window.gcProfiler.stop()?.statistics ?? [];
  const majorGcs = gcs.filter((event) => event.gcType === 'MarkSweepCompact').length;
  let spaces = usedBySpace();
  const swept = shrank(window, spaces);
  if (gcs.length === 0) {
    const allocated = grown(window, spaces, false);
    if (allocated < bar) return { bound: allocated, majorGcs, swept, usedAfter: total(spaces) };
  }
  const allocated = majorGcs > 0 ? allocatedDespite(gcs, total(spaces) - total(window.spacesAtStart)) : undefined;
  // Used heap only shrinks in a scavenge: when it is under the bar already, skip it.
  const unscavenged = grown(window, spaces, true);
  if (unscavenged < bar) return { bound: unscavenged, majorGcs, allocated, swept, usedAfter: total(spaces) };
  const beforeScavenge = spaces;
  minorGc(gc);
  const statistics = getHeapSpaceStatistics();
  spaces = usedBySpace(statistics);
  // A scavenge only adds to the older spaces. One that shrank in it was collected: on Node 24,
  // with incremental marking under way, V8 finishes it as a mark-compact, which also moves the
  // test's young survivors out; the garbage it frees hid a jsdom iframe's 750 KB (read 360
  // bytes). The reading before it still bounds the test.
  if (shrankSince(beforeScavenge, spaces)) return { bound: unscavenged, majorGcs, allocated, swept, usedAfter: total(spaces) };
  const bound = gcs.length === 0 ? boundWithoutPromoted(window, beforeScavenge, spaces, statistics) : grown(window, spaces, true);
  return { bound, majorGcs, allocated, swept, usedAfter: total(spaces) };
}

/** The used heap's growth over the window plus what each of V8's collections in it freed. */
function allocatedDespite(gcs: GCProfilerResult['statistics'], growth: number): number {
  let freed = 0;
  for (const { beforeGC, afterGC } of gcs) freed += Math.max(0, beforeGC.heapStatistics.usedHeapSize - afterGC.heapStatistics.usedHeapSize);
  return Math.max(0, growth) + freed;
}

/**
 * Whether a space outside the young generation and compiled code shrank since the window
 * opened (read before leakwatch's own scavenge): V8 compacted or swept concurrently, and what
 * it freed can hide what the window's code allocated in the same space (a pretenured
 * allocation in the old space). Compiled code is not counted, so its shrinking hides nothing.
 */
function shrank(window: OpenWindow, now: Map<string, number>): boolean {
  return shrankSince(window.spacesAtStart, now);
}

function shrankSince(before: Map<string, number>, now: Map<string, number>): boolean {
  for (const [name, used] of now) {
    if (!YOUNG_SPACES.has(name) && !isCompiledCode(name) && used < (before.get(name) ?? 0)) return true;
  }
  return false;
}

/**
 * The bound after leakwatch's own scavenge when V8 did not collect during the test: the old
 * space as read *before* that scavenge. A scavenge promotes only objects that survived the one
 * before it (V8's age mark); with none during the test, those are all older than it, and what
 * it moved into the old space is not the test's, while the test's own survivors stay young and
 * count whole; counting them made most suspects of a real suite (docs/measurements.md).
 * Large objects are promoted whatever their age, so the large-object space is read after.
 * Guards, or the old space is read after too: what moved must fit in what was young at the
 * start, and the survivors must have had room (without it, V8 promotes young objects too).
 * closeWindow calls it only when no older space shrank in the scavenge: `promoted` is not negative.
 */
function boundWithoutPromoted(
  window: OpenWindow,
  beforeScavenge: Map<string, number>,
  after: Map<string, number>,
  statistics: HeapSpaceInfo[],
): number {
  const promoted = (after.get('old_space') ?? 0) - (beforeScavenge.get('old_space') ?? 0);
  const young = newSpace(statistics);
  const semiSpace = young ? young.space_used_size + young.space_available_size : 0;
  const fits = promoted <= youngOf(window.spacesAtStart) && youngOf(after) + promoted < semiSpace / 2;
  if (!fits) return grown(window, after, true);
  const readings = new Map(after);
  readings.set('old_space', beforeScavenge.get('old_space') ?? 0);
  return grown(window, readings, true);
}

function youngOf(spaces: Map<string, number>): number {
  let bytes = 0;
  for (const name of YOUNG_SPACES) bytes += spaces.get(name) ?? 0;
  return bytes;
}

function newSpace(statistics: HeapSpaceInfo[]): HeapSpaceInfo | undefined {
  return statistics.find((space) => space.space_name === 'new_space');
}
