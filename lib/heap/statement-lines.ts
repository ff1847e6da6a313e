/**
 * The line of the statement that allocated a leak. V8's sampling heap profiler (and heap
 * snapshots) record only where each function starts, so once a leak is confirmed the test
 * runs once more with "logpoints": a conditional breakpoint on the first break location of
 * every line of the allocating function F and of its project caller P. Each condition calls
 * a recorder and evaluates to false, so the thread never pauses (a same-thread inspector
 * session could never resume it). The sampling profiler runs too, at a small interval, and
 * the recorder allocates a marker big enough to be sampled at each hit: a live sample after
 * that marker (and before the next) was allocated by that line. So lines are compared by
 * what SURVIVED (a full GC precedes the profile), not by what they allocated: a line making
 * 3 MB of temporary garbage loses to the line making the 1 MB that is kept. F's line with the
 * most survivors is the allocating statement; P's line hit last before them is the call site.
 */
import { Session } from 'node:inspector';
import * as path from 'node:path';
import { postSync } from '../core/inspector';
import { isInside, OWN_DIST, toFilePath } from '../core/stack';
import type { AllocationSite } from './attribution';
import { HeapSampler, type CallFrame, type Survivor } from './sampler';
import { SourceMapper } from './source-map';

export interface Position {
  scriptId: string;
  url: string;
  /** 0-based, in the code V8 ran. */
  lineNumber: number;
  columnNumber: number;
}

interface Logpoint {
  /** The function's key (script and start position); null for a return, where a function's bytes end. */
  fn: string | null;
  position: Position;
  breakpointId: string;
  /** Sampled bytes allocated after a hit of this line, before the next hit, and still alive. */
  bytes: number;
  hits: number;
  /** Such bytes of each other function while this line was the last hit of its own function. */
  calleeBytes: Map<string, number>;
}

/** A hit, in order: its line (null after a cut: what follows is no line's), each function's last line, the marker. */
type Hit = [Logpoint | null, Logpoint[], unknown[]];

/** Bytes: each hit's marker is 16 intervals (8 KB), sampled with probability 1 - e^-16. */
const SAMPLING_INTERVAL = 512;
/** leakwatch's compiled folder: samples the recorder allocated are not the line's. */
/**
 * Hits cost ~0.1-0.3 ms each (V8 compiles the condition every time), so a line in a loop is
 * measured for its first MAX_LINE_HITS hits only, then its logpoint is removed; after
 * MAX_HITS in all, every logpoint is switched off. What is allocated after such a cut, until
 * the next hit, counts for no line.
 */
const MAX_LINE_HITS = 100;
const MAX_HITS = 2000;
const RECORDER = Symbol.for('leakwatch.statementLines');
const CONDITION = `globalThis[Symbol.for('leakwatch.statementLines')]?.(ID) ?? false`;

const keyOf = (frame: CallFrame): string => `${frame.scriptId}:${frame.lineNumber}:${frame.columnNumber}`;

/**
 * Runs `rerun` once with logpoints in the sites' functions, for `globals` (the test's realm and
 * this one) to reach the recorder. Returns, per site index, its description with lines
 * ("src/make.ts:12 in makeData, called from __tests__/cache.test.ts:20"), mapped to the
 * original source; sites without a line found are missing. Throws on failure.
 */
export async function findStatementLines(
  sites: AllocationSite[],
  globals: object[],
  rerun: () => Promise<unknown>,
  rootDir: string,
): Promise<Map<number, string>> {
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}): unknown => postSync(session, method, params);
  const logpoints: Logpoint[] = [];
  /** Per function, its line hit last: the call site when another function allocates next. */
  const lastLine = new Map<string, Logpoint>();
  // Allocated before sampling starts: a growing array would be a big sample of leakwatch's own.
  const log = new Array<Hit | undefined>(MAX_HITS + 2);
  let hits = 0;
  let sampler: HeapSampler | null = null;
  const cut = (): void => {
    if (log[hits - 1]?.[0] !== null) log[hits++] = [null, [], sampler!.allocateMarker()];
  };
  const record = (id: number): false => {
    try {
      const point = logpoints[id];
      if (!point || !sampler || hits >= MAX_HITS) return false;
      point.hits += 1;
      if (hits >= MAX_HITS - 1) {
        post('Debugger.setBreakpointsActive', { active: false });
        cut();
      } else if (point.hits >= MAX_LINE_HITS) {
        post('Debugger.removeBreakpoint', { breakpointId: point.breakpointId });
        cut();
      } else {
        if (point.fn) lastLine.set(point.fn, point);
        // The marker last: what the recorder allocates before it is filtered out by its frame.
        log[hits++] = [point, [...lastLine.values()], sampler.allocateMarker()];
      }
    } catch {
      // Never throw into the test's code; the hit is lost.
    }
    return false;
  };
  const installed: object[] = [];
  const mapper = new SourceMapper();
  try {
    post('Debugger.enable');
    // No `debugger;` statement or exception may pause this thread while the debugger is on.
    post('Debugger.setSkipAllPauses', { skip: true });
    const frames = new Map(sites.flatMap((site) => site.frames.slice(0, 2)).map((frame) => [keyOf(frame), frame]));
    for (const [fn, frame] of frames) addLogpoints(post, logpoints, frame, fn);
    for (const global of globals) {
      Object.defineProperty(global, RECORDER, { value: record, configurable: true, enumerable: false, writable: true });
      installed.push(global);
    }
    const started = HeapSampler.start(SAMPLING_INTERVAL);
    if ('problem' in started) throw new Error(started.problem);
    sampler = started.sampler;
    await rerun();
    const ended = sampler;
    sampler = null;
    const { markerOrdinals, samples } = ended.liveSamples(isHitMarker);
    ended.stop();
    if (markerOrdinals.length !== hits) throw new Error(`${hits - markerOrdinals.length} of ${hits} logpoint markers were not sampled`);
    attributeSurvivors(log, markerOrdinals, samples);
    for (const frame of frames.values()) {
      try {
        const { scriptSource } = post('Debugger.getScriptSource', { scriptId: frame.scriptId }) as { scriptSource: string };
        mapper.add(frame.scriptId, frame.url, scriptSource);
      } catch {
        // Script collected meanwhile: its positions stay as V8 ran them.
      }
    }
  } finally {
    sampler?.stop();
    sampler = null;
    for (const global of installed) delete (global as Record<symbol, unknown>)[RECORDER];
    try {
      // Disabling the agent removes every breakpoint; the session goes with it.
      post('Debugger.disable');
    } finally {
      session.disconnect();
    }
  }
  const described = new Map<number, string>();
  sites.forEach((site, index) => {
    const [inner, caller] = site.frames;
    const statements = pickLines(logpoints, keyOf(inner));
    if (statements.length === 0) return;
    let text = `${joinLines(statements.map((point) => where(point.position, mapper, rootDir)))} in ${inner.functionName || '(anonymous)'}`;
    const callSite = caller ? pickCallSite(logpoints, keyOf(caller), keyOf(inner)) : null;
    if (callSite) text += `, called from ${where(callSite.position, mapper, rootDir)}`;
    else if (caller) text += `, called from ${caller.functionName || '(anonymous)'} (${where(caller, mapper, rootDir)})`;
    described.set(index, text);
  });
  return described;
}

/** Logpoints on the first break location of each line of the function starting at `frame`. */
function addLogpoints(post: (method: string, params?: object) => unknown, logpoints: Logpoint[], frame: CallFrame, fn: string): void {
  const start = { scriptId: frame.scriptId, lineNumber: frame.lineNumber, columnNumber: frame.columnNumber };
  // restrictToFunction: nested functions (callbacks) are not this frame's lines.
  const { locations } = post('Debugger.getPossibleBreakpoints', { start, restrictToFunction: true }) as {
    locations: Array<{ lineNumber: number; columnNumber: number; type?: string }>;
  };
  const lines = new Set<number>();
  for (const location of locations) {
    const isReturn = location.type === 'return';
    if (!isReturn && lines.has(location.lineNumber)) continue;
    if (!isReturn) lines.add(location.lineNumber);
    const id = logpoints.length;
    const position = { scriptId: frame.scriptId, url: frame.url, lineNumber: location.lineNumber, columnNumber: location.columnNumber };
    try {
      const { breakpointId } = post('Debugger.setBreakpoint', { location: position, condition: CONDITION.replace('ID', String(id)) }) as {
        breakpointId: string;
      };
      logpoints.push({ fn: isReturn ? null : fn, position, breakpointId, bytes: 0, hits: 0, calleeBytes: new Map() });
    } catch {
      // V8 refused this location: its bytes count for the line before.
    }
  }
}

/**
 * A hit's marker: big, allocated by the marker function or, once V8 inlines it, by its caller
 * (sampler.ts's allocateMarker or the recorder here). Not any big allocation of leakwatch's:
 * rerun.ts allocates some during the run.
 */
function isHitMarker(size: number, stack: CallFrame[]): boolean {
  const top = stack[0];
  // Markers are 16 intervals; the recorder's own small arrays were sampled at up to ~9.
  if (!top || size < SAMPLING_INTERVAL * 12) return false;
  const file = toFilePath(top.url);
  return top.functionName === 'leakwatchTestStartMarker' || file === __filename || file === path.join(__dirname, 'sampler.js');
}

/**
 * Gives each live sample to the hit whose marker came last before it (by ordinal), when the
 * sample's stack holds that hit's function and none of leakwatch's frames (the recorder's).
 */
function attributeSurvivors(log: Array<Hit | undefined>, markerOrdinals: number[], samples: Survivor[]): void {
  let marker = -1;
  for (const sample of [...samples].sort((a, b) => a.ordinal - b.ordinal)) {
    while (marker + 1 < markerOrdinals.length && markerOrdinals[marker + 1] < sample.ordinal) marker += 1;
    const hit = marker >= 0 ? log[marker] : undefined;
    const point = hit?.[0];
    if (!hit || !point?.fn) continue;
    // Above the line's function, no frame of leakwatch's (the recorder); below it, rerun.ts.
    const at = sample.stack.findIndex((frame) => keyOf(frame) === point.fn);
    if (at < 0 || sample.stack.slice(0, at).some((frame) => isInside(toFilePath(frame.url), OWN_DIST))) continue;
    point.bytes += sample.size;
    for (const line of hit[1]) {
      if (line.fn !== point.fn) line.calleeBytes.set(point.fn, (line.calleeBytes.get(point.fn) ?? 0) + sample.size);
    }
  }
}

/**
 * The line of `fn` whose allocations kept the most, and any line that kept at least half as
 * much (up to 4, in source order): in a loop whose every line allocates a part of what is
 * kept (a DOM node, its text, its listener), one line is no more "the" statement than the
 * others, and which one measures biggest varies from run to run.
 */
function pickLines(logpoints: Logpoint[], fn: string): Logpoint[] {
  const lines = logpoints.filter((point) => point.fn === fn && point.bytes > 0).sort((a, b) => b.bytes - a.bytes);
  if (lines.length === 0) return [];
  return lines
    .filter((point) => point.bytes >= lines[0].bytes / 2)
    .slice(0, 4)
    .sort((a, b) => a.position.lineNumber - b.position.lineNumber);
}

/** "src/a.js:6, 7, 9" for lines of one file (after source mapping, two may be one line). */
function joinLines(places: string[]): string {
  const unique = [...new Set(places)];
  const file = (place: string): string => place.slice(0, place.lastIndexOf(':'));
  if (unique.some((place) => file(place) !== file(unique[0]))) return unique.join(', ');
  return `${file(unique[0])}:${unique.map((place) => place.slice(place.lastIndexOf(':') + 1)).join(', ')}`;
}

/** The line of `caller` that was its last hit while `callee` allocated the most. */
function pickCallSite(logpoints: Logpoint[], caller: string, callee: string): Logpoint | null {
  const bytes = (point: Logpoint): number => point.calleeBytes.get(callee) ?? 0;
  const lines = logpoints.filter((point) => point.fn === caller && bytes(point) > 0);
  return lines.reduce<Logpoint | null>((top, point) => (top === null || bytes(point) > bytes(top) ? point : top), null);
}

/** "src/make.ts:12": the original file and line where a source map is known. */
function where(position: Position, mapper: SourceMapper, rootDir: string): string {
  const file = toFilePath(position.url);
  const original = mapper.original(position.scriptId, file, position.lineNumber, position.columnNumber);
  const [shown, line] = original ? [original.file, original.line] : [file, position.lineNumber + 1];
  return `${path.relative(rootDir, shown).split(path.sep).join('/')}:${line}`;
}
