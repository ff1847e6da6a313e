/**
 * A look at a suspect without the inspector's full GC, through the optional package
 * `@datadog/pprof`: V8's sampling heap profiler, started without the "force GC" flag that
 * node:inspector always sets, so reading the profile costs nothing (0.3 ms) where the
 * inspector's read runs a full GC first (40 ms at luxon's 50 MB heap, plus the profile's
 * trip through JSON; docs/measurements.md). The package ships its native module prebuilt
 * (Linux glibc and musl, macOS, Windows; x64 and arm64; Node 18-26) and loads it with no
 * install script, so pnpm 10, Bun and `npm ci --ignore-scripts` installs have it too.
 *
 * Read after a scavenge, the profile holds every sample still alive, plus dead ones in the
 * old generation that only a full GC would drop: more than the runs kept, never less. The
 * sampler stays on between reads, so the caller may read again after a full GC. What makes
 * most suspects on real suites is the test runner's own work (a thrown error's stack
 * formatted through source maps), which attribution sets aside.
 *
 * Without the package (left out with --omit=optional, or no prebuilt module for this
 * platform), every suspect goes to the inspector's runs: the same verdicts, at a higher cost.
 */
import { isLeakwatchFrame, type Survivor } from './sampler';

/** A node of V8's AllocationProfile as the package gives it. */
interface NativeNode {
  name: string;
  scriptName: string;
  scriptId: number;
  /** 1-based; 0 when unknown. */
  lineNumber: number;
  columnNumber: number;
  allocations: Array<{ sizeBytes: number; count: number }>;
  children: NativeNode[];
}

export interface NativeProfiler {
  startSamplingHeapProfiler(interval: number, depth: number): void;
  stopSamplingHeapProfiler(): void;
  /** Throws when the isolate's sampler is not running. */
  getAllocationProfile(): NativeNode;
}

/** Frames kept per sample: the innermost project frame is rarely deeper. */
export const STACK_DEPTH = 64;

let loaded: NativeProfiler | null | undefined;

/** The package's heap profiler, or null when it is not installed or does not load. */
export function nativeProfiler(): NativeProfiler | null {
  if (loaded === undefined) loaded = bindings() ?? publicApi();
  return loaded;
}

/**
 * The native module's heap profiler alone: ~7 ms to load in each Jest process, where the
 * package's entry point also loads its time profiler and encoders (~35 ms).
 */
function bindings(): NativeProfiler | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const candidate = require('@datadog/pprof/out/src/heap-profiler-bindings') as Partial<NativeProfiler>;
    return samplesHeap(candidate) ? candidate : null;
  } catch {
    return null;
  }
}

/** The same through the entry point's `heap` API, should the file above move. */
function publicApi(): NativeProfiler | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { heap } = require('@datadog/pprof') as {
      heap?: { start?(interval: number, depth: number): void; stop?(): void; v8Profile?(): NativeNode };
    };
    if (typeof heap?.start !== 'function' || typeof heap.stop !== 'function' || typeof heap.v8Profile !== 'function') return null;
    return {
      startSamplingHeapProfiler: (interval, depth) => heap.start!(interval, depth),
      stopSamplingHeapProfiler: () => heap.stop!(),
      getAllocationProfile: () => heap.v8Profile!(),
    };
  } catch {
    return null;
  }
}

function samplesHeap(candidate: Partial<NativeProfiler> | undefined): candidate is NativeProfiler {
  return (
    typeof candidate?.startSamplingHeapProfiler === 'function' &&
    typeof candidate.stopSamplingHeapProfiler === 'function' &&
    typeof candidate.getAllocationProfile === 'function'
  );
}

/** Reads the samples still alive of the runs, without the marker; null when they are not the runs' own. */
export type ReadSurvivors = () => Survivor[] | null;

/**
 * Has `look` run the test with the package's sampler on and read the samples still alive as
 * often as it needs (after each run, after a full GC), then stops the sampler. The caller has
 * checked that nobody else samples: there is one sampling profiler per isolate.
 */
export async function sampleWithoutFullGc<T>(
  profiler: NativeProfiler,
  interval: number,
  look: (read: ReadSurvivors) => Promise<T>,
): Promise<T> {
  profiler.startSamplingHeapProfiler(interval, STACK_DEPTH);
  // Allocated before the runs, so their bound does not count it (a run starts with scavenges).
  const marker = leakwatchQuickMarker((interval * MARKER_INTERVALS) / 8);
  try {
    // The marker is read here, so that it stays alive until the profile is: V8 drops a
    // sample whose object died.
    return await look(() => (marker.length === 0 ? null : survivorsWithoutMarker(profiler, interval)));
  } finally {
    try {
      profiler.stopSamplingHeapProfiler();
    } catch {
      // Already stopped by the run.
    }
  }
}

/**
 * The samples still alive, without the marker; null when the sampler was stopped (a test
 * that drives node:inspector), or restarted (the marker is gone: the samples are not the runs').
 */
export function survivorsWithoutMarker(profiler: NativeProfiler, interval: number): Survivor[] | null {
  let head: NativeNode;
  try {
    head = profiler.getAllocationProfile();
  } catch {
    return null;
  }
  const survivors = survivorsOf(head);
  const markerAt = survivors.findIndex((survivor) => isMarker(survivor, interval));
  if (markerAt < 0) return null;
  survivors.splice(markerAt, 1);
  return survivors;
}

/** Sampled with probability 1 - e^-16 (V8 samples every `interval` bytes on average). */
export const MARKER_INTERVALS = 16;

function leakwatchQuickMarker(length: number): unknown[] {
  return new Array<unknown>(length);
}

/**
 * A big sample whose innermost frame is leakwatch's code. Not by function name: V8 inlines the
 * marker function into its callers, and the profiler then names whichever caller it went into
 * (a marker allocated from `beforeTest` was named `beforeTest`, two calls up). Exported for its unit tests.
 */
export function isMarker(survivor: Survivor, interval: number): boolean {
  const top = survivor.stack[0];
  return survivor.size >= (interval * MARKER_INTERVALS) / 2 && top !== undefined && isLeakwatchFrame(top);
}

/** One survivor per profile node with samples: ordinals are not given, nor needed here. Exported for its unit tests. */
export function survivorsOf(head: NativeNode): Survivor[] {
  const survivors: Survivor[] = [];
  const pending: Array<[NativeNode, Survivor['stack']]> = [[head, []]];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const [node, outer] = item;
    const { name: functionName, scriptId, scriptName: url, lineNumber, columnNumber } = node;
    const stack =
      functionName === '(root)' && outer.length === 0
        ? outer
        : [{ functionName, scriptId: String(scriptId), url, lineNumber: Math.max(0, lineNumber - 1), columnNumber }, ...outer];
    const size = node.allocations.reduce((sum, allocation) => sum + allocation.sizeBytes * allocation.count, 0);
    if (size > 0) survivors.push({ ordinal: 0, size, stack });
    for (const child of node.children) pending.push([child, stack]);
  }
  return survivors;
}
