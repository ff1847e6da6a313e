/**
 * V8's sampling heap profiler over node:inspector, running for the whole test file.
 *
 * Sampling costs little while it runs; fetching a profile costs a full GC, so a profile is
 * fetched only for a suspect test. To know which samples were allocated during that test,
 * each test starts by allocating a marker 16 sampling intervals long, which V8 samples with
 * probability 1 - e^-16: live samples with a higher ordinal were allocated during the test.
 */
import { Session } from 'node:inspector';

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
  /** Ordinal of the newest start-of-test marker, null when it was not sampled (p ≈ 1e-7). */
  markerOrdinal: number | null;
  samples: Survivor[];
}

const MARKER_FUNCTION = 'leakwatchTestStartMarker';
const MARKER_INTERVALS = 16;

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
      sampler.post('HeapProfiler.startSampling', { samplingInterval: interval });
      return { sampler };
    } catch (error) {
      sampler.session?.disconnect();
      sampler.session = null;
      return { problem: `V8's sampling heap profiler could not be started (${errorText(error)})` };
    }
  }

  /**
   * Allocates the start-of-test marker. Keep the returned array alive until the profile
   * is fetched: V8 drops a sample from the profile when its object dies.
   */
  allocateMarker(): unknown[] {
    return leakwatchTestStartMarker((this.interval * MARKER_INTERVALS) / 8);
  }

  /** Every sampled allocation still alive. V8 runs a full GC before it reports. */
  liveSamples(): LiveSamples {
    const { profile } = this.post('HeapProfiler.getSamplingProfile', {}) as { profile: SamplingProfile };
    const stacks = new Map<number, CallFrame[]>();
    const pending: Array<[ProfileNode, CallFrame[]]> = [[profile.head, []]];
    for (let item = pending.pop(); item; item = pending.pop()) {
      const [node, outer] = item;
      const stack = node.callFrame.functionName === '(root)' ? outer : [node.callFrame, ...outer];
      stacks.set(node.id, stack);
      for (const child of node.children) pending.push([child, stack]);
    }
    let markerOrdinal: number | null = null;
    const samples: Survivor[] = [];
    for (const sample of profile.samples) {
      const stack = stacks.get(sample.nodeId) ?? [];
      if (stack[0]?.functionName === MARKER_FUNCTION) {
        markerOrdinal = Math.max(markerOrdinal ?? -1, sample.ordinal);
      } else {
        samples.push({ ordinal: sample.ordinal, size: sample.size, stack });
      }
    }
    return { markerOrdinal, samples };
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

  stop(): void {
    if (!this.session) return;
    try {
      this.post('HeapProfiler.stopSampling', {});
    } catch {
      // Already stopped by someone else: nothing to undo.
    }
    this.session.disconnect();
    this.session = null;
  }

  private post(method: string, params: object): unknown {
    if (!this.session) throw new Error('the inspector session is closed');
    let result: unknown;
    let failure: Error | null = null;
    // Session#post calls back synchronously for this thread's own inspector.
    this.session.post(method, params, (error, value) => {
      failure = error;
      result = value;
    });
    if (failure) throw failure;
    return result;
  }
}

function leakwatchTestStartMarker(length: number): unknown[] {
  return new Array<unknown>(length);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
