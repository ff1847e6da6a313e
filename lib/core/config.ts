/** leakwatch's options once parsed (config-parser.ts), and their defaults. */
export type Mode = 'fail' | 'warn' | 'off';
export const MODES: readonly Mode[] = ['fail', 'warn', 'off'];

export interface LeakwatchConfig {
  mode: Mode;
  heap: {
    /** Retained heap, allocated by the test's own code, above which the test leaks. */
    threshold: number;
    /** Bytes between two samples of V8's sampling heap profiler. */
    samplingInterval: number;
    /** Explain what holds each confirmed leak (a heap snapshot after one more run). */
    retainers: boolean;
    /** Memory a test keeps once in module-level state: the holders allowed; null when off. */
    keptOnce: { allow: string[] } | null;
  };
  /** Memory outside the V8 heap; null when switched off. */
  external: { threshold: number } | null;
  /** Native memory V8 does not account for (Linux); null when switched off. */
  native: { threshold: number } | null;
  /** Which resource checks run besides memory. */
  handles: boolean;
  fds: boolean;
  listeners: boolean;
  globals: boolean;
  /** Temp files check; the folders watched besides os.tmpdir(). Null when switched off. */
  tempFiles: { dirs: string[] } | null;
  /** Heap snapshot pairs for offenders, and their limits; null when off. */
  snapshots: SnapshotLimits | null;
  /** Absolute path; every file leakwatch writes goes below it. */
  outputDir: string;
  /** Absolute path of the known-leaks file (it may not exist); null when switched off. */
  baseline: string | null;
}

export const DEFAULT_HEAP_THRESHOLD = 512 * 1024;
export const DEFAULT_SAMPLING_INTERVAL = 16 * 1024;
export const DEFAULT_EXTERNAL_THRESHOLD = 1024 * 1024;
/** From the noise of clean tests and their reruns: docs/measurements.md. */
export const DEFAULT_NATIVE_THRESHOLD = 8 * 1024 * 1024;
export const DEFAULT_BASELINE = 'leakwatch.baseline.json';

export interface SnapshotLimits {
  /** Pairs per test file at most. */
  maxPerFile: number;
  /** Bytes per snapshot file at most: a bigger one is not kept. */
  maxSize: number;
}

/** Snapshots hold the whole heap: a few pairs of a 100 MB heap already take ~1 GB. */
export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = { maxPerFile: 3, maxSize: 512 * 1024 * 1024 };

/**
 * A leak of the threshold's size gets ~16 samples or more (at most 16KB apart): with 4 (a
 * 64 KB leak at the 16KB default) a 64 KB Map leak was missed in 1 of 10 corpus runs.
 * Smaller intervals cost only during extra runs, when the profiler is on.
 */
export function defaultSamplingInterval(threshold: number): number {
  return Math.max(1024, Math.min(DEFAULT_SAMPLING_INTERVAL, Math.floor(threshold / 16 / 1024) * 1024));
}
