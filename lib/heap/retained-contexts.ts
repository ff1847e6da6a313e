/**
 * Test files whose environment outlives them: the Jest users' "heap grows file after file"
 * (jestjs/jest#7874, #6738). A weak reference to each finished file's global object is kept
 * for the rest of the process. One still alive after V8's own full GCs is suspect, and a
 * forced full GC confirms it; only then does one heap snapshot say what holds it
 * (context-holder.ts). Until something is suspect this costs no GC of its own.
 */
import { Session } from 'node:inspector';
import { errorMessage } from '../core/errors';
import { collectAll, getGc, usedHeap } from '../core/gc';
import { postSync } from '../core/inspector';
import { nextTurn } from '../core/timers';
import { formatBytes } from '../core/units';
import { findContextHolders, type ContextHolder, type HolderFinding } from './context-holder';
import { takeSnapshot } from './heap-snapshot';
import { countMajorGcs, majorGcCount } from './major-gcs';
import { displayPath } from './retainers';
import { SourceMapper } from './source-map';

/**
 * V8's own full GCs a global must survive, counted once LATER_FILES_ENDED later files have
 * ended, before a forced GC is spent on it. Not sooner: while a file runs, Jest's modules
 * loaded in its realm (jest-snapshot, graceful-fs) can still reach the previous file's
 * (measured: a clean file alive after the next one's setup and a forced GC), and on Jest 30
 * a clean file's global survived all-out GCs one file later, with no strong path to it in a
 * heap snapshot, and was gone by the end of the run.
 */
const MIN_MAJOR_GCS = 2;
const LATER_FILES_ENDED = 2;

/**
 * While files run, forced GCs and a snapshot are spent only while all of them together cost
 * at most this share of the process's time so far: a file can outlive its end for a while
 * with no strong path to it (react-hook-form: two of them, unexplained), and a snapshot of a
 * 100 MB heap took 9-10 s, more than the rest of leakwatch's work in that process.
 */
const IN_RUN_SHARE = 0.1;
/** What a heap snapshot and its reading cost, measured: 8.8 s at 95 MB, 10.5 s at 110 MB. */
const SNAPSHOT_MS_PER_MB = 100;

interface Watched {
  /** The test file, as the user reads it. */
  label: string;
  rootDir: string;
  global: WeakRef<object>;
  /** Later files that have ended. */
  laterEnded: number;
  /** Major GCs counted when the LATER_FILES_ENDED-th later file ended; null until then. */
  since: number | null;
  /** A snapshot found it held only through the running file: left to the end of the run. */
  deferred: boolean;
  /** Survived one forced collection while files ran: the next one, a file later, decides. */
  survivedOnce: boolean;
  /**
   * Reported (or given up on): never judged again, but still marked while alive, so that a
   * later file's path through its realm is not taken for that file's holder.
   */
  done: boolean;
}

export interface RetainedContext {
  label: string;
  /** What holds it; null when it was not looked for (see note). */
  holder: ContextHolder | null;
  /** Why the holder was not looked for or not read, when it was not. */
  note?: string;
  /** Other files whose environment is reached only through this one's. */
  alsoKeeps: string[];
}

export class ContextWatch {
  /** For LEAKWATCH_DEBUG: forced GCs and heap snapshots spent so far, and files found retained. */
  readonly stats = { forcedGcs: 0, snapshots: 0, retained: 0, spentMs: 0 };
  private watched: Watched[] = [];
  /** A snapshot taken while files ran found nothing to report: no more until the end of the run. */
  private inRunSnapshotsFruitless = false;

  /** A test file has ended: from now on, its global should be freed, and the earlier files' are due. */
  watch(label: string, global: object, rootDir: string): void {
    countMajorGcs();
    const majorGcs = majorGcCount();
    for (const watched of this.watched) {
      watched.laterEnded += 1;
      if (watched.laterEnded >= LATER_FILES_ENDED) watched.since ??= majorGcs;
    }
    this.watched.push({
      label,
      rootDir,
      global: new WeakRef(global),
      laterEnded: 0,
      since: null,
      deferred: false,
      survivedOnce: false,
      done: false,
    });
  }

  /** Whether a watched global survived V8's own full GCs (derefs only: no GC). */
  hasSuspects(): boolean {
    if (this.inRunSnapshotsFruitless || !this.affordable()) return false;
    const majorGcs = majorGcCount();
    return this.watched.some((w) => this.isDue(w, majorGcs) && w.global.deref() !== undefined);
  }

  /** Whether the time spent so far, plus a snapshot of today's heap, fits IN_RUN_SHARE of the process's time. */
  private affordable(): boolean {
    const snapshotMs = (usedHeap() / (1024 * 1024)) * SNAPSHOT_MS_PER_MB;
    return this.stats.spentMs + snapshotMs <= IN_RUN_SHARE * performance.now();
  }

  /**
   * The files whose global survives a forced full GC: the suspects, or with `all`, every file
   * watched (at the end of the run). Freed ones are forgotten.
   */
  async confirm(all: boolean): Promise<Watched[]> {
    const gc = getGc();
    const majorGcs = majorGcCount();
    const due = this.watched.filter((w) => !w.done && (all || this.isDue(w, majorGcs)));
    if (!gc || due.length === 0) return [];
    // deref() keeps its target alive until the current turn ends: collect in a later one. A
    // vm context needs more than one full GC (Node's weak callback first), so all there is.
    await nextTurn();
    const started = performance.now();
    await collectAll(gc, nextTurn);
    this.stats.spentMs += performance.now() - started;
    this.stats.forcedGcs += 1;
    await nextTurn();
    this.watched = this.watched.filter((w) => w.global.deref() !== undefined);
    const alive = due.filter((w) => this.watched.includes(w));
    if (all) return alive;
    // While files run, a global can survive one all-out collection and be gone a file later,
    // with no strong path in a snapshot (seen on Jest 30): two collections a file apart, then
    // the snapshot, which costs seconds where a collection costs tens of milliseconds.
    for (const w of alive) {
      if (w.survivedOnce) continue;
      w.survivedOnce = true;
      w.since = null;
      w.laterEnded = LATER_FILES_ENDED - 1;
    }
    return alive.filter((w) => w.since !== null);
  }

  /**
   * What holds each retained global: marks every global still watched (a retained file's
   * realm can reach an earlier one's), takes one heap snapshot and reads it. A file reached
   * only through another retained file is not reported on its own: it is freed with that one.
   * Each file is reported once; its global stays marked in later snapshots while it lives.
   */
  async explain(retained: Watched[], maxHeap: number, running: object | null = null): Promise<RetainedContext[]> {
    if (retained.length === 0) return [];
    const heap = usedHeap();
    if (heap > maxHeap) {
      // While files run, one more file could be what holds it: the end of the run says.
      if (running) {
        for (const w of retained) w.deferred = true;
        return [];
      }
      this.forget(retained);
      const note = `What holds it was not looked for: a heap snapshot at this ${formatBytes(heap)} heap would take too long.`;
      return retained.map((w) => ({ label: w.label, holder: null, note, alsoKeeps: [] }));
    }
    // The file running now is marked too: an earlier file reached only through it is not
    // retained, just not freed yet.
    const marked = running
      ? [
          ...this.watched,
          {
            label: '',
            rootDir: '',
            global: new WeakRef(running),
            laterEnded: 0,
            since: null,
            deferred: false,
            survivedOnce: false,
            done: false,
          },
        ]
      : this.watched;
    const markers = marked.map((_, index) => `__leakwatchRetainedFile${index}`);
    const reported = new Set<Watched>();
    try {
      marked.forEach((w, index) => mark(w.global.deref(), markers[index], true));
      await nextTurn();
      this.stats.snapshots += 1;
      const started = performance.now();
      const wanted = new Set(marked.flatMap((w, index) => (retained.includes(w) ? [markers[index]] : [])));
      const findings = await findHolders(markers, retained[0].rootDir, wanted);
      this.stats.spentMs += performance.now() - started;
      const found = new Map<Watched, RetainedContext>();
      marked.forEach((w, index) => {
        const finding = findings.get(markers[index]);
        if (retained.includes(w) && finding?.kind === 'held') {
          found.set(w, { label: w.label, holder: withOriginalSite(finding.holder, w.rootDir), alsoKeeps: [] });
        }
      });
      marked.forEach((w, index) => {
        const finding = findings.get(markers[index]);
        if (!retained.includes(w) || finding?.kind !== 'through') return;
        const via = found.get(marked[markers.indexOf(finding.marker)]);
        via?.alsoKeeps.push(w.label);
        if (via) reported.add(w);
      });
      for (const w of found.keys()) reported.add(w);
      this.stats.retained += found.size;
      // Bounds the cost on a suite where a global lingers for reasons no snapshot shows.
      if (running && found.size === 0) this.inRunSnapshotsFruitless = true;
      return [...found.values()];
    } catch (error) {
      const note = `What holds it could not be read from a heap snapshot (${errorMessage(error)}).`;
      retained.forEach((w) => reported.add(w));
      return retained.map((w) => ({ label: w.label, holder: null, note, alsoKeeps: [] }));
    } finally {
      marked.forEach((w, index) => mark(w.global.deref(), markers[index], false));
      // While files run, what was not explained (held through the running file, or by nothing
      // a snapshot shows yet) is looked at again at the end of the run, at most.
      const unexplained = retained.filter((w) => !reported.has(w));
      this.forget(running ? [...reported] : retained);
      for (const w of unexplained) w.deferred = true;
    }
  }

  private isDue(w: Watched, majorGcs: number): boolean {
    return !w.done && !w.deferred && w.since !== null && majorGcs - w.since >= MIN_MAJOR_GCS;
  }

  private forget(files: Watched[]): void {
    for (const w of files) w.done = true;
  }
}

/** Its own function, so the snapshot's graph dies with this frame, not with the one that awaits it. */
async function findHolders(markers: string[], rootDir: string, wanted: ReadonlySet<string>): Promise<Map<string, HolderFinding>> {
  return findContextHolders(await takeSnapshot(), markers, rootDir, wanted);
}

/** The holder's line in the user's source, through the transform's inline source map. */
function withOriginalSite(holder: ContextHolder | null, rootDir: string): ContextHolder | null {
  if (!holder?.definedAt) return holder;
  const { file, scriptId, line, column } = holder.definedAt;
  const session = new Session();
  try {
    session.connect();
    postSync(session, 'Debugger.enable');
    const { scriptSource } = postSync(session, 'Debugger.getScriptSource', { scriptId: String(scriptId) }) as { scriptSource: string };
    const mapper = new SourceMapper();
    mapper.add(String(scriptId), file, scriptSource);
    const original = mapper.original(String(scriptId), file, line, column);
    return original ? { ...holder, site: `${displayPath(original.file, rootDir)}:${original.line}` } : holder;
  } catch {
    // The line stays the one in the code V8 ran.
    return holder;
  } finally {
    session.disconnect();
  }
}

function mark(global: object | undefined, name: string, on: boolean): void {
  if (!global) return;
  try {
    if (on) Object.defineProperty(global, name, { value: { leakwatch: 'marker' }, configurable: true });
    else Reflect.deleteProperty(global, name);
  } catch {
    // A frozen global: its holder goes unnamed.
  }
}
