/**
 * A first look at a suspect without a full GC, through the optional native addon
 * `v8-profiler-next`: V8's sampling heap profiler, started without the "force GC" flag that
 * node:inspector always sets, so reading the profile costs nothing (0.3 ms) where the
 * inspector's read runs a full GC first (40 ms at luxon's 50 MB heap, plus the profile's
 * trip through JSON; docs/measurements.md).
 *
 * Read after a scavenge, the profile holds every sample still alive, plus dead ones in the
 * old generation that only a full GC would drop: more than the run kept, never less. When
 * the user's part of that is small, the run kept less than a leak must, and the suspect is
 * cleared; otherwise the inspector's sampled runs judge it as before. What makes most
 * suspects on real suites is the test runner's own work (a thrown error's stack formatted
 * through source maps), which attribution sets aside.
 *
 * Without the addon (not installed, not built for this Node), every suspect goes straight
 * to the inspector's runs: the same verdicts, at a higher cost.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { isLeakwatchFrame, type Survivor } from './sampler';

interface NativeNode {
  callFrame: { functionName: string; scriptId: number; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: NativeNode[];
}

export interface NativeProfiler {
  startSamplingHeapProfiling(interval: number, depth: number): void;
  stopSamplingHeapProfiling(): { head: NativeNode };
}

/** Frames kept per sample: the innermost project frame is rarely deeper. */
const STACK_DEPTH = 64;

let loaded: NativeProfiler | null | undefined;

/** The addon, or null when it is not installed or does not load. */
export function nativeProfiler(): NativeProfiler | null {
  if (loaded === undefined) loaded = compiledBinding() ?? packageEntry();
  return loaded;
}

/**
 * The addon's compiled module, loaded from where its build puts it (its package.json's
 * `binary` field, as node-pre-gyp reads it). Its entry point finds the same file through
 * @xprofiler/node-pre-gyp, whose modules cost far more to load in each Jest process than the
 * compiled module alone. Null when the layout is not the expected one.
 */
function compiledBinding(): NativeProfiler | null {
  try {
    const packageJson = require.resolve('v8-profiler-next/package.json');
    const { binary } = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { binary?: { module_name?: string; module_path?: string } };
    if (!binary?.module_name || !binary.module_path) return null;
    const folder = binary.module_path
      .replace('{configuration}', 'Release')
      .replace('{node_abi}', `node-v${process.versions.modules}`)
      .replace('{platform}', process.platform)
      .replace('{arch}', process.arch);
    const file = path.join(path.dirname(packageJson), folder, `${binary.module_name}.node`);
    if (!fs.existsSync(file)) return null;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const binding = require(file) as {
      setup?: (options: { debug: boolean; thread_id: number }, check: () => { greater_than_12_15_0: boolean }) => void;
      samplingHeap?: Partial<NativeProfiler>;
    };
    const sampling = binding.samplingHeap;
    if (typeof binding.setup !== 'function' || !samplesHeap(sampling)) return null;
    // What the entry point does first (dispatch.js); the sampling profiler reads none of it.
    binding.setup({ debug: false, thread_id: threadId }, () => ({ greater_than_12_15_0: true }));
    return sampling;
  } catch {
    return null;
  }
}

function packageEntry(): NativeProfiler | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const candidate = require('v8-profiler-next') as Partial<NativeProfiler>;
    return samplesHeap(candidate) ? candidate : null;
  } catch {
    return null;
  }
}

function samplesHeap(candidate: Partial<NativeProfiler> | undefined): candidate is NativeProfiler {
  return typeof candidate?.startSamplingHeapProfiling === 'function' && typeof candidate.stopSamplingHeapProfiling === 'function';
}

/**
 * Runs `run` with the addon's sampler on and returns the samples alive at the end (no full
 * GC), or null when the samples are not the run's. The caller has checked that nobody else
 * samples: there is one sampling profiler per isolate, and stopping ours would stop theirs.
 */
export async function sampleWithoutFullGc(
  profiler: NativeProfiler,
  interval: number,
  run: () => Promise<void>,
): Promise<Survivor[] | null> {
  profiler.startSamplingHeapProfiling(interval, STACK_DEPTH);
  // Allocated before the run, so the run's bound does not count it (the run starts with scavenges).
  const marker = leakwatchQuickMarker((interval * MARKER_INTERVALS) / 8);
  let head: NativeNode | null;
  try {
    await run();
  } finally {
    // The run may have stopped the isolate's sampler (a test that drives node:inspector), and
    // the addon reads a stopped sampler's profile through a null pointer: the process dies.
    // Starting again is a no-op while ours runs; after a restart, the marker is missing.
    try {
      profiler.startSamplingHeapProfiling(interval, STACK_DEPTH);
      head = profiler.stopSamplingHeapProfiling().head;
    } catch {
      head = null;
    }
  }
  const survivors = head ? survivorsOf(head) : [];
  const markerAt = survivors.findIndex((survivor) => isMarker(survivor, interval));
  // Alive until the profile was read: V8 drops a sample whose object died.
  if (markerAt < 0 || marker.length === 0) return null;
  survivors.splice(markerAt, 1);
  return survivors;
}

/** Sampled with probability 1 - e^-16 (V8 samples every `interval` bytes on average). */
const MARKER_INTERVALS = 16;

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
    const { functionName, scriptId, url, lineNumber, columnNumber } = node.callFrame;
    const stack =
      functionName === '(root)' && outer.length === 0
        ? outer
        : [{ functionName, scriptId: String(scriptId), url, lineNumber: Math.max(0, lineNumber - 1), columnNumber }, ...outer];
    if (node.selfSize > 0) survivors.push({ ordinal: 0, size: node.selfSize, stack });
    for (const child of node.children) pending.push([child, stack]);
  }
  return survivors;
}
