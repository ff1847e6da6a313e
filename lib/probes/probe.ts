/** The interface every leak check implements: look before the test, compare after it. */
import type { Check, FilePhase, Finding, ProbeKind, Rerun, TestInfo } from '../core/types';

export interface Probe {
  readonly check: Check;
  readonly kind: ProbeKind;
  /** Counters for LEAKWATCH_DEBUG, when the probe keeps any. */
  readonly stats?: object;
  /** At run_start, once the test file is loaded. Returns why the probe can't work fully, if so. */
  startFile(): string | null;
  /** At test_start, before beforeEach hooks run. */
  beforeTest(test: TestInfo): void | Promise<void>;
  /**
   * Optional: when the test's hooks and body are done, before any probe's afterTest, for a
   * reading the other probes' work must not disturb.
   */
  endTest?(): void;
  /**
   * At test_done, after afterEach hooks ran. `rerun` runs the test's hooks and body once
   * more, for probes that confirm a suspect by repetition.
   */
  afterTest(test: TestInfo, rerun: Rerun): Finding | null | Promise<Finding | null>;
  /** Forget the current test without a verdict (skipped, failed, not measurable). */
  abandonTest(): void;
  /**
   * Optional: code of the user's ran outside a measured test since the last afterTest (a
   * beforeAll or afterAll hook, an extra run of a suspect, a user probe's measure): what a
   * probe read at the last test's end may no longer hold at the next one's start.
   */
  userCodeRan?(): void;
  /**
   * Optional: the test runner is about to set a time-limit timer with this delay (for a hook
   * or a test body). Not the test's own handle.
   */
  runnerTimerStarting?(delay: number): void;
  /**
   * Optional, the file-level window: at environment setup, before the test file's module
   * scope runs. Resources the file's own code opens outside its tests count from here.
   */
  startFileWindow?(): void | Promise<void>;
  /** Optional: the test runner put its own listeners on these `process` events (not the file's). */
  runnerInstalledListeners?(events: readonly string[]): void;
  /** Optional: the file's own code starts running outside a test (`phase`), or stops (null). */
  fileCodeRunning?(phase: FilePhase | null): void | Promise<void>;
  /**
   * Optional: after the file's last afterAll hook, what its module scope and its
   * beforeAll/afterAll hooks left open, not counting what its tests left.
   */
  finishFileWindow?(): Finding | null | Promise<Finding | null>;
  /** At the end of the file's tests, before results are made: findings kept for then (warnings). */
  finishFile(): Array<{ test: TestInfo; finding: Finding }>;
  /** At environment teardown. Must not throw. */
  dispose(): void;
}

/**
 * The common shape of a probe: take a reading before the test, compare with a reading after
 * it. Subclasses say what a reading is and what a difference means.
 */
export abstract class BeforeAfterProbe<Reading> implements Probe {
  abstract readonly check: Check;
  readonly kind: ProbeKind = 'resource';
  private before: Reading | null = null;

  /** The reading at test_start; null when this probe can't read on this platform. */
  protected abstract read(): Reading | null;
  /** At test_done: what the test left behind, if anything. */
  protected abstract compare(before: Reading, test: TestInfo, rerun: Rerun): Finding | null | Promise<Finding | null>;

  startFile(): string | null {
    return null;
  }

  beforeTest(): void {
    this.before = this.read();
  }

  afterTest(test: TestInfo, rerun: Rerun): Finding | null | Promise<Finding | null> {
    const before = this.before;
    this.before = null;
    return before === null ? null : this.compare(before, test, rerun);
  }

  abandonTest(): void {
    this.before = null;
  }

  finishFile(): Array<{ test: TestInfo; finding: Finding }> {
    return [];
  }

  dispose(): void {
    this.before = null;
  }
}
