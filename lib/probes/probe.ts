/** The interface every leak check implements: look before the test, compare after it. */
import type { Check } from '../config';
import type { RerunOutcome } from '../rerun';

export interface TestInfo {
  /** Full name, describe blocks included, as Jest prints it. */
  name: string;
  /** Unique within the file: the same title can appear twice. */
  id: number;
}

/** What a probe found after one test. */
export interface Finding {
  check: Check;
  /** 'leak' fails the test (in fail mode); 'unconfirmed' only warns. */
  verdict: 'leak' | 'unconfirmed';
  /** One line without the test name, e.g. "leaked ~1.1 MB of heap". */
  summary: string;
  /** Further lines: how much, where it came from, what to do next. */
  details: string[];
  /** Size of the leak in bytes, where it has one. */
  bytes?: number;
  /** Heap snapshot files written for it. */
  snapshots?: string[];
}

export interface Probe {
  readonly check: Check;
  /** At run_start, once the test file is loaded. Returns why the probe can't work fully, if so. */
  startFile(): string | null;
  /** At test_start, before beforeEach hooks run. */
  beforeTest(): void | Promise<void>;
  /**
   * Optional: when the test's hooks and body are done, before any probe's afterTest, for a
   * reading the other probes' work must not disturb.
   */
  endTest?(): void;
  /**
   * At test_done, after afterEach hooks ran. `rerun` runs the test's hooks and body once
   * more, for probes that confirm a suspect by repetition.
   */
  afterTest(test: TestInfo, rerun: () => Promise<RerunOutcome>): Promise<Finding | null>;
  /** Forget the current test without a verdict (skipped, failed, not measurable). */
  abandonTest(): void;
  /**
   * Optional: code of the user's ran outside a measured test since the last afterTest (a
   * beforeAll or afterAll hook, an extra run of a suspect, a user probe's measure): what a
   * probe read at the last test's end may no longer hold at the next one's start.
   */
  userCodeRan?(): void;
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
  private before: Reading | null = null;

  /** The reading at test_start; null when this probe can't read on this platform. */
  protected abstract read(): Reading | null;
  /** At test_done: what the test left behind, if anything. */
  protected abstract compare(before: Reading, test: TestInfo, rerun: () => Promise<RerunOutcome>): Promise<Finding | null>;

  startFile(): string | null {
    return null;
  }

  beforeTest(): void {
    this.before = this.read();
  }

  async afterTest(test: TestInfo, rerun: () => Promise<RerunOutcome>): Promise<Finding | null> {
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
