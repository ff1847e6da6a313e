/**
 * HandlesProbe: timers, servers, sockets, child processes, workers and watchers that a test
 * opened and left open. An async_hooks `init` hook records each such handle created while a
 * test runs, with its creation stack, if a frame of that stack is in the project (Jest's and
 * libraries' own handles never qualify); `destroy` forgets it. What is still open and
 * ref'ed after a short grace period is a leak. Promises are skipped at once, so the hook
 * costs little beyond Node's promise hooks. Not a leak: a jsdom window's fire-once timer armed
 * by the code under test rather than by the test file, such as a data library's 3 s
 * loading or dedupe timer. It fires once, and jsdom clears it at teardown, so it cannot pile
 * up or outlive the file (swr's suite left 267 of them, docs/realworld.md).
 */
import { createHook, type AsyncHook } from 'node:async_hooks';
import type { MaybePromise } from '../core/maybe-async';
import { callSites, creationStack, toFilePath, userSite } from '../core/stack';
import { eventLoopNow, GRACE_MS, msUntilFires, stillThereAfterGrace } from '../core/timers';
import type { FilePhase, Finding, TestInfo } from '../core/types';
import { describeHandle } from './handle-names';
import type { Probe } from './probe';
import { windowTimer, WindowTimerKind, type WindowTimer } from './window-timers';

/** Resource types that keep the event loop alive. */
const HANDLE_TYPES = new Set([
  'Timeout',
  // A setImmediate loop keeps the process busy forever: its pending Immediate, made by the
  // loop's last turn, is still there after the grace period; a one-off has run by then.
  'Immediate',
  'TCPSERVERWRAP',
  'TCPWRAP',
  'PIPESERVERWRAP',
  'PIPEWRAP',
  'UDPWRAP',
  'PROCESSWRAP',
  'WORKER',
  'FSEVENTWRAP',
  'STATWATCHER',
  'SIGNALWRAP',
  'MESSAGEPORT',
  // Not TLSWRAP: it has no hasRef() to tell it closed, and the TCPWRAP under it is reported.
]);

/** Beyond this many resources in one test, only handles are tracked (bounded memory). */
const MAX_TRACKED = 100_000;
/** The "test" number of what the file's own code opens outside its tests (tests count from 1). */
const FILE = 0;

interface Resource {
  type: string;
  /** Captured at creation; formatted (and source-mapped by Jest) only if it is reported. */
  origin: Error;
  triggerId: number;
  /** Handle types only: other resources are kept for what they tell about where a handle came from. */
  resource: WeakRef<object> | null;
  test: number;
  /** For the file's own resources: where its code ran. */
  phase?: FilePhase;
  /** The file's own handles: their project line, found before what led to them is dropped. */
  site?: string | null;
  /** Timers only, read from `origin` once one is still open at the end. */
  windowTimer?: WindowTimer;
}

interface OpenHandle extends Resource {
  site: string;
}

export class HandlesProbe implements Probe {
  readonly check = 'handles' as const;
  readonly kind = 'resource' as const;
  private readonly hook: AsyncHook;
  /**
   * Async resources created during the current test, closed or not, until the test ends: a
   * handle made in a callback is traced back through what scheduled it.
   */
  private readonly live = new Map<number, Resource>();
  private test: number | null = null;
  /** The test whose grace period is running: what its own resources create then is still its. */
  private graceTest: number | null = null;
  private testCount = 0;
  /**
   * The delay of the time-limit timer jest-circus is about to set for a hook or test body,
   * between the event that announces it and the first timer made after that.
   */
  private jestTimerDelay: number | null = null;
  /** Where the file's own code runs now, outside a test; null while no such code runs. */
  private filePhase: FilePhase | null = null;

  constructor(
    private readonly rootDir: string,
    /** The test file's absolute path: timers it arms itself are the test's. */
    private readonly testFile: string | null = null,
  ) {
    this.hook = createHook({
      // Node versions with this option (nodejs/node#61415, January 2026) leave promises out of
      // the hook: they are skipped below anyway. Node 20 and 22 ignore the option; the promise
      // hooks then cost at most ~0.5 s on a 14 s React suite (docs/measurements.md).
      ...({ trackPromises: false } as object),
      init: (asyncId, type, triggerId, resource) => {
        if (type === 'PROMISE') return;
        if (this.jestTimerDelay !== null && type === 'Timeout') {
          const jestTimer = (resource as { _idleTimeout?: unknown })._idleTimeout === this.jestTimerDelay;
          this.jestTimerDelay = null;
          if (jestTimer) return;
        }
        const parent = this.live.get(triggerId);
        const test =
          this.test ??
          (this.graceTest !== null && parent?.test === this.graceTest ? this.graceTest : null) ??
          (this.filePhase !== null || parent?.test === FILE ? FILE : null);
        if (test === null) return;
        const handle = HANDLE_TYPES.has(type);
        if (this.live.size >= MAX_TRACKED && !handle) return;
        const phase = test === FILE ? (this.filePhase ?? parent?.phase) : undefined;
        this.live.set(asyncId, { type, origin: creationStack(), triggerId, resource: handle ? new WeakRef(resource) : null, test, phase });
      },
    });
  }

  startFileWindow(): void {
    this.hook.enable();
  }

  startFile(): string | null {
    this.hook.enable();
    return null;
  }

  fileCodeRunning(phase: FilePhase | null): void {
    this.filePhase = phase;
  }

  async finishFileWindow(): Promise<Finding | null> {
    this.filePhase = null;
    this.jestTimerDelay = null;
    const left = await stillThereAfterGrace(() => this.leftOpen(FILE));
    this.forgetTest(FILE);
    return handlesFinding(
      left.map((handle) => `${nameOf(handle)}, created at ${handle.site} (${handle.phase ?? 'the file'})`),
      `Still open ${GRACE_MS} ms after the file's last afterAll hook: it keeps a Jest worker busy, and in band it keeps Jest from exiting. Close it in an afterAll hook (server.close(), clearInterval, socket.destroy(), child.kill(), worker.terminate(), watcher.close()), or unref() it.`,
    );
  }

  /**
   * jest-circus is about to run a hook or a test body (`hook_start`, `test_fn_start`), and
   * sets a timer for its time limit first, before any of the user's code runs: it is Jest's,
   * cleared when the function ends, and its creation stack cost ~10–20 µs. immer's suite made
   * ~3.4 of them a test (its tests' bodies and hooks, and leakwatch's measuring hook, whose
   * timer is even open while leakwatch judges the test). The first timer made after the
   * event is skipped if its delay is the time limit's; a user's timer made in between (a
   * promise callback of an earlier test) consumes the skip and keeps its stack.
   */
  runnerTimerStarting(delay: number): void {
    this.jestTimerDelay = delay;
  }

  beforeTest(): void {
    this.testCount += 1;
    this.test = this.testCount;
    this.pruneFileResources();
  }

  afterTest(): MaybePromise<Finding | null> {
    this.jestTimerDelay = null;
    const testNumber = this.test;
    this.test = null;
    if (testNumber === null) return null;
    // Most tests leave nothing open: judged at once, with no wait.
    if (this.leftOpen(testNumber).length === 0) {
      this.forgetTest(testNumber);
      return null;
    }
    return this.judgeAfterGrace(testNumber);
  }

  private async judgeAfterGrace(testNumber: number): Promise<Finding | null> {
    this.graceTest = testNumber;
    let left: OpenHandle[];
    try {
      left = await stillThereAfterGrace(() => this.leftOpen(testNumber), timersNotDueBy);
    } finally {
      this.graceTest = null;
    }
    this.forgetTest(testNumber);
    return handlesFinding(
      left.map((handle) => `${nameOf(handle)}, created at ${handle.site}`),
      `Still open ${GRACE_MS} ms after the test ended. Close it in the test or an afterEach hook (clearTimeout/clearInterval, server.close(), socket.destroy(), child.kill(), worker.terminate(), watcher.close()), or unref() it if it must outlive the test.`,
    );
  }

  abandonTest(): void {
    if (this.test !== null) this.forgetTest(this.test);
    this.test = null;
    this.jestTimerDelay = null;
  }

  finishFile(): Array<{ test: TestInfo; finding: Finding }> {
    return [];
  }

  dispose(): void {
    this.hook.disable();
    this.live.clear();
    this.test = null;
  }

  private leftOpen(testNumber: number): OpenHandle[] {
    const open: OpenHandle[] = [];
    for (const handle of this.live.values()) {
      if (handle.test !== testNumber || !HANDLE_TYPES.has(handle.type)) continue;
      if (!isOpen(handle.resource?.deref())) continue;
      const site = handle.site === undefined ? this.siteOf(handle) : handle.site;
      // No project frame where it was made, nor where what made it was made: Jest's or a library's own.
      if (!site || this.isWindowHousekeeping(handle)) continue;
      open.push({ ...handle, site });
    }
    return open;
  }

  /**
   * A jsdom window's fire-once timer that the code under test asked for, not the test file:
   * the code right outside jsdom decides, so a library's timer armed while the test file's
   * render() runs is the library's.
   */
  private isWindowHousekeeping(handle: Resource): boolean {
    if (handle.type !== 'Timeout') return false;
    handle.windowTimer ??= windowTimer(callSites(handle.origin) ?? []);
    const { kind, caller } = handle.windowTimer;
    if (kind !== WindowTimerKind.Once) return false;
    return caller !== null && toFilePath(caller) !== this.testFile;
  }

  /**
   * The project line that created a handle, or the resource that led to it: a server bound
   * to a host name is created in a DNS lookup's callback, whose own creation has the user's stack.
   * A timer made in a timer's callback is not a hop: jsdom re-arms an interval that way at
   * each tick, 20 times in the grace period at 5 ms.
   */
  private siteOf(resource: Resource): string | null {
    let hops = 0;
    for (let current: Resource | undefined = resource, steps = 0; current && hops < 5 && steps < 1000; steps++) {
      const site = userSite(current.origin, this.rootDir);
      if (site) return site;
      const parent = this.live.get(current.triggerId);
      if (!(parent?.type === 'Timeout' && current.type === 'Timeout')) hops += 1;
      current = parent;
    }
    return null;
  }

  /**
   * The file's own resources are kept until its end, so only the ones that matter then: open
   * handles. What led to them (a DNS lookup before a server's listen) was needed only while
   * the hook that made them ran.
   */
  private pruneFileResources(): void {
    const open = (resource: Resource): boolean => resource.resource !== null && isOpen(resource.resource.deref());
    for (const resource of this.live.values()) {
      if (resource.test === FILE && resource.site === undefined && open(resource)) resource.site = this.siteOf(resource);
    }
    for (const [asyncId, resource] of this.live) if (resource.test === FILE && !open(resource)) this.live.delete(asyncId);
  }

  /** Reported or not, a test's resources are judged once: keep none of them past its end. */
  private forgetTest(testNumber: number): void {
    for (const [asyncId, resource] of this.live) if (resource.test === testNumber) this.live.delete(asyncId);
  }
}

/**
 * Open and keeping the process alive. Collected: closed. A timer or immediate that fired or
 * was cleared is marked `_destroyed` at once. Every other handle type here is a libuv handle
 * wrap whose hasRef() is false when unref'ed and undefined once closed (its native half is
 * gone); checked on Node 20, 22 and 24 for each type (docs/how-it-works.md, "Open handles").
 */
export function isOpen(resource: object | undefined): boolean {
  if (!resource) return false;
  if ((resource as { _destroyed?: boolean })._destroyed === true) return false;
  // The process's own stdin, stdout or stderr, made on first use (a test file that reads
  // process.stdout in a Jest worker with CI=true): Node's, not the test's.
  const fd = (resource as { fd?: unknown }).fd;
  if (typeof fd === 'number' && fd >= 0 && fd <= 2) return false;
  const hasRef = (resource as { hasRef?: () => boolean }).hasRef;
  if (typeof hasRef !== 'function') return true;
  try {
    return hasRef.call(resource) === true;
  } catch {
    return false;
  }
}

/**
 * Whether every handle left is a timer that will not fire before the grace period ends: a
 * library's 3 s housekeeping timer is as open at its end as now (swr's tests left 267, each
 * waited the whole grace period). A margin covers the event loop's coarse clock.
 */
function timersNotDueBy(left: OpenHandle[], msLeft: number): boolean {
  if (left.some((handle) => handle.type !== 'Timeout')) return false;
  const now = eventLoopNow();
  return (
    now !== null &&
    left.every((handle) => {
      const due = msUntilFires(handle.resource?.deref(), now);
      return due !== null && due > msLeft + 10;
    })
  );
}

/** One line per handle left open, then what to do; null when none is. */
function handlesFinding(lines: string[], advice: string): Finding | null {
  if (lines.length === 0) return null;
  return {
    check: 'handles',
    verdict: 'leak',
    summary: `leaked ${lines.length === 1 ? '1 open handle' : `${lines.length} open handles`}`,
    details: [...lines, advice],
  };
}

function nameOf(handle: OpenHandle): string {
  return describeHandle({
    type: handle.type,
    resource: handle.resource?.deref(),
    windowInterval: handle.windowTimer?.kind === WindowTimerKind.Interval,
  });
}
