/**
 * The sampling heap profiler (the optional `@datadog/pprof`, heap/quick-sampler.ts) on during
 * a test's own run, so that a suspect can be cleared from what that run's code left alive,
 * with no extra run. Worth it only where many tests are suspects (a React suite: a render
 * leaves garbage a scavenge cannot free), which heap/first-run-odds.ts tells.
 *
 * The run's bound counts a marker the window did not need (16 sampling intervals, so that V8
 * samples it): it is allocated inside the window and held to its end, so the window counts
 * all of it, and `markerBytes`, a lower bound of its size, comes off the bound.
 */
import { MARKER_INTERVALS, STACK_DEPTH, survivorsWithoutMarker, type NativeProfiler, type ReadSurvivors } from './quick-sampler';
import { HeapSampler, samplesByRun } from './sampler';

export interface FirstRunSample {
  /** At most what the marker adds to the window's bound. */
  readonly markerBytes: number;
  /** The samples still alive, without the marker; null when they are not the run's own. */
  read: ReadSurvivors;
  /** Whether V8 runs a full GC before each read (node:inspector's sampler does). */
  readonly readsAfterFullGc: boolean;
  /** Stops the sampler and drops the marker; safe to call twice. */
  stop(): void;
}

/** Bytes per array element: 4 when V8 compresses pointers, else 8. */
function elementBytes(): number {
  const variables = process.config.variables as Record<string, unknown>;
  return variables.v8_enable_pointer_compression === 1 || variables.v8_enable_pointer_compression === true ? 4 : 8;
}

/**
 * Starts the sampler; the caller has opened the test's heap window and checked that nobody
 * else samples. Null when the sampler does not start.
 */
export function sampleFirstRun(profiler: NativeProfiler, interval: number): FirstRunSample | null {
  try {
    profiler.startSamplingHeapProfiler(interval, STACK_DEPTH);
  } catch {
    return null;
  }
  const bytes = elementBytes();
  const length = (interval * MARKER_INTERVALS) / bytes;
  // Held until stop(): V8 drops a sample whose object died.
  let marker: unknown[] | null = new Array<unknown>(length);
  let running = true;
  return {
    markerBytes: length * bytes,
    readsAfterFullGc: false,
    read: () => (running && marker ? survivorsWithoutMarker(profiler, interval) : null),
    stop: () => {
      if (!running) return;
      running = false;
      marker = null;
      try {
        profiler.stopSamplingHeapProfiler();
      } catch {
        // Already stopped by the test.
      }
    },
  };
}

/**
 * The same through node:inspector's sampler, without the addon: each read costs a full GC
 * (V8 runs one before it reports), so it is the one read. Null when the sampler is taken or
 * does not start.
 */
export function sampleFirstRunWithInspector(interval: number): FirstRunSample | null {
  const started = HeapSampler.start(interval);
  if ('problem' in started) return null;
  const { sampler } = started;
  let marker: unknown[] | null = sampler.allocateMarker();
  let running = true;
  const stop = (): void => {
    if (!running) return;
    running = false;
    marker = null;
    sampler.stop();
  };
  return {
    markerBytes: marker.length * elementBytes(),
    readsAfterFullGc: true,
    read: () => {
      if (!running || !marker) return null;
      try {
        // With a second big sample of leakwatch's, which one starts the run is unclear.
        return samplesByRun(sampler.liveSamples(), 1)?.[0] ?? null;
      } catch {
        return null;
      }
    },
    stop,
  };
}
