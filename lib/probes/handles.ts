/**
 * HandlesProbe: timers, servers, sockets, child processes, workers and watchers that a test
 * opened and left open. An async_hooks `init` hook records each async resource created while
 * a test runs, with its creation stack (a handle through a WeakRef); all of them are
 * forgotten at the test's end. What is still open and ref'ed after a short grace period, and
 * was made from a frame in the project (Jest's and libraries' own handles never qualify), is
 * a leak. Promises are skipped at once, so the hook costs little beyond Node's promise hooks.
 * Not the test's: a connection accepted by a server it did not make (one opened in beforeAll
 * keeps a keep-alive client's connection idle for 5 s); the server is judged, and closing it
 * closes its idle connections. Not the test's either, yet: a socket a library opened for it (a
 * pool made in beforeAll connects at the first query); it is judged with the file's own
 * handles, after the last afterAll hook, naming the test.
 * Not a leak: a jsdom window's fire-once timer armed by the code under test rather than by the
 * test file, such as a data library's 3 s loading or dedupe timer. It fires once, and jsdom
 * clears it at teardown, so it cannot pile up or outlive the file (swr's suite left 267 of
 * them, docs/realworld.md).
 */
import { createHook, type AsyncHook } from 'node:async_hooks';
import type { MaybePromise } from '../core/maybe-async';
import { creationStack } from '../core/stack';
import { GRACE_MS, stillThereAfterGrace } from '../core/timers';
import { quoteTestName } from '../core/test-names';
import type { FilePhase, Finding, TestInfo } from '../core/types';
import { certainToStayOpen, handlesFinding, nameOf } from './handle-findings';
import { isWindowHousekeeping, madeByLibrary, siteOf } from './handle-origin';
import { endpoint } from './handle-names';
import { HANDLE_TYPES, isOpen } from './open-handles';
import type { Probe } from './probe';
import type { OpenHandle, Resource } from './tracked-resource';

/** Beyond this many resources in one test, only handles are tracked (bounded memory). */
const MAX_TRACKED = 100_000;
/** The "test" number of what the file's own code opens outside its tests (tests count from 1). */
const FILE = 0;
/** The "test" number of a server made while neither a test nor the file's own code ran. */
const NOBODY = -1;
const SERVER_TYPES = new Set(['TCPSERVERWRAP', 'PIPESERVERWRAP']);
/** What a server's accepted connection is: triggered by the server. */
const CONNECTION_TYPES = new Set(['TCPWRAP', 'PIPEWRAP']);
/** How each kind of handle is closed, for both messages' advice. */
const CLOSE_CALLS = 'clearInterval, server.close(), socket.destroy(), child.kill(), worker.terminate(), watcher.close(), port.close()';

export class HandlesProbe implements Probe {
  readonly check = 'handles' as const;
  readonly kind = 'resource' as const;
  private readonly hook: AsyncHook;
  /**
   * Async resources created during the current test, closed or not, until the test ends: a
   * handle made in a callback is traced back through what scheduled it.
   */
  private readonly live = new Map<number, Resource>();
  /** Every server made since the file began (async id → the test that made it): few, even one a request. */
  private readonly servers = new Map<number, number>();
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
        if (SERVER_TYPES.has(type)) this.servers.set(asyncId, test ?? NOBODY);
        if (test === null) return;
        if (CONNECTION_TYPES.has(type) && this.acceptedByOther(triggerId, test)) return;
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
    const left = await stillThereAfterGrace(
      () => this.leftOpen(FILE),
      (_left, msLeft) => certainToStayOpen(this.openHandles(FILE), msLeft),
    );
    this.forgetTest(FILE);
    return handlesFinding(
      left.map((handle) => `${nameOf(handle)}, created at ${handle.site} (${handle.openedIn ?? handle.phase ?? 'the file'})`),
      `Still open ${GRACE_MS} ms after the file's last afterAll hook: it keeps a Jest worker busy, and in band it keeps Jest from exiting. Close it in an afterAll hook (${CLOSE_CALLS}), or unref() it.`,
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

  afterTest(test?: TestInfo): MaybePromise<Finding | null> {
    this.jestTimerDelay = null;
    const testNumber = this.test;
    this.test = null;
    if (testNumber === null) return null;
    this.leaveSocketsToFile(testNumber, test?.name ?? 'a test');
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
      left = await stillThereAfterGrace(
        () => this.leftOpen(testNumber),
        (_left, msLeft) => certainToStayOpen(this.openHandles(testNumber), msLeft),
      );
    } finally {
      this.graceTest = null;
    }
    this.forgetTest(testNumber);
    return handlesFinding(
      left.map((handle) => `${nameOf(handle)}, created at ${handle.site}`),
      `Still open ${GRACE_MS} ms after the test ended. Close it in the test or an afterEach hook (clearTimeout/${CLOSE_CALLS}), or unref() it if it must outlive the test.`,
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
    this.servers.clear();
    this.test = null;
  }

  /**
   * A socket a library opened for the test and left open: a pool or client made before the test
   * (in beforeAll) keeps it, and closes it in afterAll. It is the file's from now on, named with
   * the test; what the test's own code opened stays the test's.
   */
  private leaveSocketsToFile(testNumber: number, testName: string): void {
    const ownServerPorts = this.serverPorts(testNumber);
    for (const resource of this.live.values()) {
      if (resource.test !== testNumber || !CONNECTION_TYPES.has(resource.type) || !isOpen(resource.resource?.deref())) continue;
      if (!madeByLibrary(resource, this.rootDir)) continue;
      // A client's request to a server the test left open (supertest's, never answered) is that same leak.
      const peerPort = endpoint(resource.resource?.deref(), 'getpeername')?.port;
      if (peerPort !== undefined && ownServerPorts.has(peerPort)) continue;
      resource.site = siteOf(resource, this.live, this.rootDir, this.testFile);
      if (!resource.site) continue;
      resource.test = FILE;
      resource.openedIn = `opened in test ${quoteTestName(testName)}`;
    }
  }

  /** The ports of the TCP servers this test made that are still open. */
  private serverPorts(testNumber: number): Set<number> {
    const ports = new Set<number>();
    for (const resource of this.live.values()) {
      if (resource.test !== testNumber || resource.type !== 'TCPSERVERWRAP') continue;
      const port = endpoint(resource.resource?.deref(), 'getsockname')?.port;
      if (port !== undefined) ports.add(port);
    }
    return ports;
  }

  /** A connection accepted by a server made outside this test (or this file stretch) is the server's. */
  private acceptedByOther(triggerId: number, test: number): boolean {
    const server = this.servers.get(triggerId);
    return server !== undefined && server !== test;
  }

  /** The test's handles still open, with or without a project line (leftOpen keeps those with one). */
  private openHandles(testNumber: number): Resource[] {
    return [...this.live.values()].filter(
      (handle) => handle.test === testNumber && HANDLE_TYPES.has(handle.type) && isOpen(handle.resource?.deref()),
    );
  }

  private leftOpen(testNumber: number): OpenHandle[] {
    const open: OpenHandle[] = [];
    for (const handle of this.openHandles(testNumber)) {
      const site = handle.site === undefined ? siteOf(handle, this.live, this.rootDir, this.testFile) : handle.site;
      // No project frame where it was made, nor where what made it was made: Jest's or a library's own.
      if (!site || isWindowHousekeeping(handle, this.testFile)) continue;
      open.push({ ...handle, site });
    }
    return open;
  }

  /**
   * The file's own resources are kept until its end, so only the ones that matter then: open
   * handles. What led to them (a DNS lookup before a server's listen) was needed only while
   * the hook that made them ran.
   */
  private pruneFileResources(): void {
    const open = (resource: Resource): boolean => resource.resource !== null && isOpen(resource.resource.deref());
    for (const resource of this.live.values()) {
      if (resource.test === FILE && resource.site === undefined && open(resource))
        resource.site = siteOf(resource, this.live, this.rootDir, this.testFile);
    }
    for (const [asyncId, resource] of this.live) if (resource.test === FILE && !open(resource)) this.live.delete(asyncId);
  }

  /** Reported or not, a test's resources are judged once: keep none of them past its end. */
  private forgetTest(testNumber: number): void {
    for (const [asyncId, resource] of this.live) if (resource.test === testNumber) this.live.delete(asyncId);
  }
}
