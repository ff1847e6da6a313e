/**
 * ListenersProbe: listeners a test added to `process` and did not remove. Both the real
 * process and the test's own `process` (Jest gives each file a copy) are counted per event.
 * At file level, what the file's own code (module scope, beforeAll, afterAll) added: the
 * growth between tests, summed per event, so a test's own listeners never count twice; and
 * of that, only listeners added from a project line (a library's or Jest's are not the file's).
 */
import { whenReady, type MaybePromise } from '../core/maybe-async';
import { wrapFunction, type AnyFunction } from '../core/patch';
import { creationStack, userSite } from '../core/stack';
import type { FilePhase, Finding, Rerun, TestInfo } from '../core/types';
import { counted } from '../core/units';
import { BeforeAfterProbe } from './probe';

/** EventEmitter methods that add a listener, its function the second argument. */
const ADDERS = ['on', 'addListener', 'prependListener', 'once', 'prependOnceListener'];

type Counts = Map<string | symbol, number>;

interface Emitter {
  eventNames(): Array<string | symbol>;
  listenerCount(event: string | symbol): number;
  listeners(event: string | symbol): unknown[];
}

export class ListenersProbe extends BeforeAfterProbe<Counts[]> {
  readonly check = 'listeners' as const;
  /** Per event, what the file's own code added (or removed) outside its tests. */
  private outside: Map<string, number> | null = null;
  /** The reading where the current stretch outside a test began; null during a test. */
  private outsideSince: Counts[] | null = null;
  /** Listeners the test runner installed, by event: never the file's. */
  private readonly runnerOwned = new Map<string | symbol, WeakSet<object>>();
  /** Where the file's own code runs now, outside a test; null otherwise. */
  private filePhase: FilePhase | null = null;
  /** Where each listener was first added: in which phase of the file's own code, else in which test. */
  private readonly origins = new WeakMap<object, { origin: Error; phase: FilePhase | null; test: number }>();
  /** Counts the tests begun, so a listener's origin tells which test added it. */
  private testNumber = 0;
  private readonly restore: Array<() => void> = [];

  /**
   * @param lasting the emitters that outlive the file, whose listeners the file-level check
   *   reports. Not Jest's per-file copy of `process`: it is freed with the file's environment
   *   (measured: Jest's --detectLeaks and leakwatch's retained-environment check both see
   *   such a file freed), so a listener left on it keeps nothing.
   */
  constructor(
    private readonly emitters: Emitter[],
    private readonly rootDir: string | null = null,
    private readonly lasting: Emitter[] = emitters,
    /** The test file's absolute path: a listener a library adds is named with the test's line too. */
    private readonly testFile: string | null = null,
  ) {
    super();
  }

  fileCodeRunning(phase: FilePhase | null): void {
    this.filePhase = phase;
  }

  /** The listeners now on these events are the test runner's own (its error handlers). */
  runnerInstalledListeners(events: readonly string[]): void {
    // No adjustment of readings taken before: the runner's listeners were not there yet.
    for (const event of events) {
      const owned = new WeakSet<object>();
      for (const emitter of this.emitters)
        for (const listener of emitter.listeners(event)) if (typeof listener === 'function') owned.add(listener);
      this.runnerOwned.set(event, owned);
    }
  }

  startFileWindow(): void {
    this.outside = new Map();
    this.outsideSince = this.read();
    const probe = this;
    for (const emitter of new Set(this.emitters)) {
      for (const name of ADDERS) {
        this.restore.push(
          wrapFunction(
            emitter,
            name,
            (original: AnyFunction) =>
              function (this: unknown, ...args: unknown[]): unknown {
                const listener = args[1];
                if (typeof listener === 'function' && probe.isNewOrigin(listener)) {
                  probe.origins.set(listener, { origin: creationStack(), phase: probe.filePhase, test: probe.testNumber });
                }
                return original.apply(this, args);
              },
          ),
        );
      }
    }
  }

  override dispose(): void {
    for (const undo of this.restore.splice(0)) undo();
    super.dispose();
  }

  override beforeTest(): void {
    this.testNumber += 1;
    this.endOutsideStretch();
    super.beforeTest();
  }

  override afterTest(test: TestInfo, rerun: Rerun): MaybePromise<Finding | null> {
    return whenReady(super.afterTest(test, rerun), (finding) => {
      this.startOutsideStretch();
      return finding;
    });
  }

  override abandonTest(): void {
    super.abandonTest();
    this.startOutsideStretch();
  }

  finishFileWindow(): Finding | null {
    this.endOutsideStretch();
    const grown = [...(this.outside ?? [])].filter(([, n]) => n > 0).map(([event]) => event);
    this.outside = null;
    this.filePhase = null;
    const lines = grown.flatMap((event) => this.fileListenerLines(event));
    if (lines.length === 0) return null;
    return {
      check: 'listeners',
      verdict: 'leak',
      summary: `leaked ${counted(lines.length, 'process listener')}`,
      details: [
        ...lines,
        "Remove it with process.off(event, listener) in an afterAll hook: a listener left on the process keeps the file's whole environment (its global, its modules) alive after the file ends, and it runs again on every event.",
      ],
    };
  }

  /** The file's own listeners still on `event`, one line each: where its code added them. */
  private fileListenerLines(event: string): string[] {
    if (this.rootDir === null) return [];
    const lines: string[] = [];
    for (const emitter of new Set(this.lasting)) {
      for (const listener of emitter.listeners(event)) {
        const added = typeof listener === 'function' ? this.origins.get(listener) : undefined;
        const site = added?.phase ? userSite(added.origin, this.rootDir, this.testFile) : null;
        if (added?.phase && site) lines.push(`process.on('${event}') listener, added at ${site} (${added.phase}) and not removed`);
      }
    }
    return lines;
  }

  /** The file's code keeps its first origin; a function a later test adds again is that test's. */
  private isNewOrigin(listener: object): boolean {
    const known = this.origins.get(listener);
    return known === undefined || (this.filePhase === null && known.phase === null && known.test !== this.testNumber);
  }

  /** ", at lib/run.js:12" for where this test added listeners to `event`; empty when unknown. */
  private testSites(event: string): string {
    if (this.rootDir === null) return '';
    const sites = new Set<string>();
    for (const emitter of new Set(this.emitters)) {
      for (const listener of emitter
        .eventNames()
        .filter((name) => String(name) === event)
        .flatMap((name) => emitter.listeners(name))) {
        const added = typeof listener === 'function' ? this.origins.get(listener) : undefined;
        const site =
          added && added.phase === null && added.test === this.testNumber ? userSite(added.origin, this.rootDir, this.testFile) : null;
        if (site) sites.add(site);
      }
    }
    return sites.size > 0 ? `, at ${[...sites].join(', ')}` : '';
  }

  private startOutsideStretch(): void {
    if (this.outside === null) return;
    this.endOutsideStretch();
    this.outsideSince = this.read();
  }

  private endOutsideStretch(): void {
    if (this.outside === null || this.outsideSince === null) return;
    for (const [event, n] of this.growthSince(this.outsideSince)) this.outside.set(event, (this.outside.get(event) ?? 0) + n);
    this.outsideSince = null;
  }

  /** Per event, listeners now minus then, over every emitter (negative when removed). */
  private growthSince(then: Counts[]): Map<string, number> {
    const growth = new Map<string, number>();
    this.emitters.forEach((emitter, index) => {
      const now = this.count(emitter);
      for (const event of new Set([...now.keys(), ...then[index].keys()])) {
        const change = (now.get(event) ?? 0) - (then[index].get(event) ?? 0);
        if (change !== 0) growth.set(String(event), (growth.get(String(event)) ?? 0) + change);
      }
    });
    return growth;
  }

  protected read(): Counts[] {
    return this.emitters.map((emitter) => this.count(emitter));
  }

  protected compare(before: Counts[]): Finding | null {
    const added = new Map<string, number>();
    this.emitters.forEach((emitter, index) => {
      for (const [event, n] of this.count(emitter)) {
        const extra = n - (before[index].get(event) ?? 0);
        if (extra > 0) added.set(String(event), (added.get(String(event)) ?? 0) + extra);
      }
    });
    if (added.size === 0) return null;
    const total = [...added.values()].reduce((a, b) => a + b, 0);
    return {
      check: 'listeners',
      verdict: 'leak',
      summary: `leaked ${counted(total, 'process listener')}`,
      details: [
        ...[...added].map(([event, n]) => `process.on('${event}'): ${n} added and not removed${this.testSites(event)}`),
        'Remove it with process.off(event, listener) in the test or an afterEach hook; each one keeps its closure alive and repeats its work on every event.',
      ],
    };
  }

  private count(emitter: Emitter): Counts {
    const counts: Counts = new Map();
    for (const event of emitter.eventNames()) {
      const owned = this.runnerOwned.get(event);
      const n = owned
        ? emitter.listeners(event).filter((listener) => !(typeof listener === 'function' && owned.has(listener))).length
        : emitter.listenerCount(event);
      counts.set(event, n);
    }
    return counts;
  }
}
