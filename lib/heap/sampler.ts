/**
 * V8's sampling heap profiler over node:inspector, switched on only while a suspect test
 * runs again: with the profiler on, every allocation takes V8's slow path.
 *
 * To split samples by run, each run starts by allocating a marker 16 sampling intervals
 * long, which V8 samples with probability 1 - e^-16: live samples with a higher ordinal
 * were allocated after it.
 */
import { Session } from 'node:inspector';
import { errorMessage } from '../core/errors';
import { postSync } from '../core/inspector';
import { isInside, OWN_DIST, toFilePath } from '../core/stack';

export interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  /** 0-based position of the function's start: the profiler records no statement lines. */
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children: ProfileNode[];
}

interface SamplingProfile {
  head: ProfileNode;
  samples: Array<{ size: number; nodeId: number; ordinal: number }>;
}

/** A sampled allocation still alive, with its stack from the allocating frame outwards. */
export interface Survivor {
  /** Unique per sample and increasing with allocation time. */
  ordinal: number;
  /** Estimated bytes this sample stands for. */
  size: number;
  stack: CallFrame[];
}

export interface LiveSamples {
  /** Ordinals of the live markers, oldest first; a marker V8 did not sample (p ≈ 1e-7) is missing. */
  markerOrdinals: number[];
  samples: Survivor[];
}

/**
 * Each run's samples, from `runs` start-of-run markers: those between its marker and the next
 * one's. Null when the markers alive are not one a run: a marker V8 did not sample, or a
 * test that restarted the sampler (its samples are gone).
 */
export function samplesByRun({ markerOrdinals, samples }: LiveSamples, runs: number): Survivor[][] | null {
  if (markerOrdinals.length !== runs) return null;
  return markerOrdinals.map((start, index) => {
    const end = markerOrdinals[index + 1] ?? Infinity;
    return samples.filter((sample) => sample.ordinal > start && sample.ordinal < end);
  });
}

const MARKER_FUNCTION = 'leakwatchTestStartMarker';
const MARKER_INTERVALS = 16;

/** Whether a frame is leakwatch's own code (dist/ and the folders under it). */
export function isLeakwatchFrame(frame: Pick<CallFrame, 'url'>): boolean {
  const file = toFilePath(frame.url);
  return isInside(file, OWN_DIST);
}

/**
 * One inspector session for the worker's lifetime, only to ask whether someone samples:
 * connecting one per suspect costs a millisecond or so each time.
 */
let askingSession: Session | null = null;

/**
 * The sampling profiler is one per isolate: a second session's start succeeds silently and
 * its stop ends the first session's sampling too. Asking for a profile before starting tells
 * whether someone samples (V8 answers "not started" otherwise; synchronously, in-thread).
 */
function someoneSamples(session: Session): boolean {
  let running = true;
  session.post('HeapProfiler.getSamplingProfile', {}, (error) => {
    running = !error;
  });
  return running;
}

export class HeapSampler {
  private session: Session | null = null;

  private constructor(readonly interval: number) {}

  /**
   * Starts sampling, or explains why not: there is one sampling profiler per isolate, so
   * DevTools, --inspect tooling or another profiler may hold it.
   */
  static start(interval: number): { sampler: HeapSampler } | { problem: string } {
    const sampler = new HeapSampler(interval);
    try {
      sampler.session = new Session();
      sampler.session.connect();
      if (someoneSamples(sampler.session)) {
        sampler.session.disconnect();
        sampler.session = null;
        return {
          problem: 'another tool (DevTools, an --inspect client, a profiler) is sampling the heap, and leakwatch does not take it over',
        };
      }
      sampler.post('HeapProfiler.startSampling', { samplingInterval: interval });
      return { sampler };
    } catch (error) {
      sampler.session?.disconnect();
      sampler.session = null;
      return { problem: `V8's sampling heap profiler could not be started (${errorMessage(error)})` };
    }
  }

  /**
   * Whether another tool holds the isolate's one sampling profiler, or the inspector cannot
   * tell (then leakwatch leaves the profiler alone too).
   */
  static busy(): boolean {
    try {
      if (!askingSession) {
        askingSession = new Session();
        askingSession.connect();
      }
      return someoneSamples(askingSession);
    } catch {
      askingSession = null;
      return true;
    }
  }

  /**
   * Allocates a start-of-run marker. Keep the returned array alive until the profile
   * is fetched: V8 drops a sample from the profile when its object dies.
   */
  allocateMarker(): unknown[] {
    return leakwatchTestStartMarker((this.interval * MARKER_INTERVALS) / 8);
  }

  /**
   * Every sampled allocation still alive. V8 runs a full GC before it reports. `isMarker` tells
   * markers apart (statement lines use their own: other big allocations of leakwatch's code
   * during a run would pass for markers).
   */
  liveSamples(isMarker = (size: number, stack: CallFrame[]): boolean => this.isMarker(size, stack)): LiveSamples {
    const { profile } = this.post('HeapProfiler.getSamplingProfile', {}) as { profile: SamplingProfile };
    const stacks = new Map<number, CallFrame[]>();
    const pending: Array<[ProfileNode, CallFrame[]]> = [[profile.head, []]];
    for (let item = pending.pop(); item; item = pending.pop()) {
      const [node, outer] = item;
      const stack = node.callFrame.functionName === '(root)' ? outer : [node.callFrame, ...outer];
      stacks.set(node.id, stack);
      for (const child of node.children) pending.push([child, stack]);
    }
    const markerOrdinals: number[] = [];
    const samples: Survivor[] = [];
    for (const sample of profile.samples) {
      const stack = stacks.get(sample.nodeId) ?? [];
      if (isMarker(sample.size, stack)) markerOrdinals.push(sample.ordinal);
      else samples.push({ ordinal: sample.ordinal, size: sample.size, stack });
    }
    return { markerOrdinals: markerOrdinals.sort((a, b) => a - b), samples };
  }

  /**
   * The source V8 ran for a script (for Jest, the transformed code with its inline source
   * map). Needs the debugger agent, which is switched on only for this call: only leaks get here.
   */
  scriptSources(scriptIds: string[]): Map<string, string> {
    const sources = new Map<string, string>();
    this.post('Debugger.enable', {});
    try {
      for (const scriptId of scriptIds) {
        try {
          const { scriptSource } = this.post('Debugger.getScriptSource', { scriptId }) as { scriptSource: string };
          sources.set(scriptId, scriptSource);
        } catch {
          // Script collected meanwhile: its frames keep their generated positions.
        }
      }
    } finally {
      this.post('Debugger.disable', {});
    }
    return sources;
  }

  /**
   * A marker is a big sample allocated by leakwatch's own code. Not by function name alone:
   * once V8 inlines the marker function, the profiler reports its caller instead.
   */
  private isMarker(size: number, stack: CallFrame[]): boolean {
    const top = stack[0];
    if (!top || size < (this.interval * MARKER_INTERVALS) / 2) return false;
    return top.functionName === MARKER_FUNCTION || isLeakwatchFrame(top);
  }

  /**
   * Ends sampling without HeapProfiler.stopSampling: that one returns the profile, so V8 runs
   * a full GC for it, the biggest part of judging a suspect on a large heap.
   * Disabling the agent stops the sampler with no GC.
   */
  stop(): void {
    if (!this.session) return;
    try {
      this.post('HeapProfiler.disable', {});
    } catch {
      // Disconnecting below stops it too.
    }
    this.session.disconnect();
    this.session = null;
  }

  private post(method: string, params: object): unknown {
    if (!this.session) throw new Error('the inspector session is closed');
    return postSync(this.session, method, params);
  }
}

function leakwatchTestStartMarker(length: number): unknown[] {
  return new Array<unknown>(length);
}
