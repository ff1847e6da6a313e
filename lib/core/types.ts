/**
 * The vocabulary shared by the measuring engine, the report and the Jest glue. Nothing here
 * knows Jest: a second test runner could drive the same probes.
 */

/** Built-in checks, in the order they run; the names users pass to `leakwatch.ignore()`. */
export const CHECKS = ['heap', 'external', 'handles', 'fds', 'listeners', 'globals', 'tempFiles', 'native'] as const;
export type BuiltinCheck = (typeof CHECKS)[number];

/** A user probe's name (`leakwatch.registerProbe({ name })`), checked not to clash with a built-in one. */
export type UserCheck = string & { readonly userProbeName: unique symbol };

/** What a finding is about: a built-in check or a user probe. */
export type Check = BuiltinCheck | UserCheck;

export function isBuiltinCheck(name: string): name is BuiltinCheck {
  return (CHECKS as readonly string[]).includes(name);
}

/**
 * Memory probes confirm a suspect by running the test again; resource probes judge at once,
 * and a test that left a resource behind is not run again (it would leave a second one).
 */
export type ProbeKind = 'memory' | 'resource';

export interface TestInfo {
  /** Full name, describe blocks included, as Jest prints it. */
  name: string;
  /** Unique within the file: the same title can appear twice. */
  id: number;
  /**
   * The test's body and its each-hooks: what a check may follow into the module state they
   * reach. A function, so that only the few tests a check looks at pay for the list.
   */
  code?: () => readonly object[];
}

/** Where a test file's own code runs outside its tests: what a file-level finding names. */
export type FilePhase = 'module scope' | 'beforeAll' | 'afterAll';

/** 'leak' fails the test (in fail mode); 'unconfirmed' only warns. */
export type Verdict = 'leak' | 'unconfirmed';

/** What a probe found after one test. */
export interface Finding {
  check: Check;
  verdict: Verdict;
  /** One line without the test name, e.g. "leaked ~1.1 MB of heap". */
  summary: string;
  /** Further lines: how much, where it came from, what to do next. */
  details: string[];
  /** Size of the leak in bytes, where it has one. */
  bytes?: number;
  /** Heap snapshot files written for it. */
  snapshots?: string[];
}

/**
 * How one extra run of a test ended. Its memory is measured either way: a test that asserts
 * on state it accumulates (`expect(cache.size).toBe(1)`) fails the second time, yet still
 * shows whether it leaves memory behind.
 */
export type RerunOutcome = ({ threw: null } | { threw: string }) & {
  /** Fake timers pending after the run less those before it (jest/fake-clock.ts); absent with real timers. */
  fakeTimersAdded?: number;
  /** Clears the fake timers the run made that are still pending; returns how many it cleared. */
  dropFakeTimers?: () => number;
};

/** Runs the test's hooks and body once more, for probes that confirm a suspect by repetition. */
export type Rerun = () => Promise<RerunOutcome>;

/** A number the user's own code reports, registered with `leakwatch.registerProbe()`. */
export interface UserProbeDefinition {
  /** Also the name for `leakwatch.ignore(name)`. */
  name: string;
  measure: () => number | Promise<number>;
  /** Growth allowed per test; default 0. */
  tolerance?: number;
  /** Printed after the number, e.g. 'connections'. */
  unit?: string;
  /** Custom message for a leak. */
  message?: (growth: number) => string;
}

/** One test's heap numbers, for the report and for calibration (LEAKWATCH_DEBUG): bytes. */
export interface HeapMeasurement {
  /**
   * What the test allocated (no GC ran during it), or used heap after a scavenge at the end
   * minus the old generation at the start: an upper bound of what the test kept, unless V8
   * ran a mark-compact during it.
   */
  bound: number;
  /** Used heap at the end of the test (after a scavenge when the bound was high). */
  usedAfter: number;
  /** Mark-compacts V8 ran during the test. */
  majorGcs: number;
  /** With majorGcs > 0: what the test allocated at most, which bounds what it kept where `bound` may not. */
  allocated?: number;
  /** For suspects: the user's sampled survivors of the extra runs (one to three). */
  runs?: number[];
  /** Whether the test was a suspect, judged by running it again. */
  suspect: boolean;
  /** For suspects, with the native addon: the user's samples of the quick look's runs (one or two) alive without a full GC. */
  quickUserBytes?: number;
  /** The user's samples still alive after the test's own run, when it was sampled. */
  firstRunUserBytes?: number;
  /** The same after a full GC. */
  firstRunUserBytesAfterFullGc?: number;
  /** How many quick-look runs it took: one when the first run's samples already cleared it. */
  quickRuns?: number;
  /** When that did not clear it: the same samples read again after a full GC. */
  quickUserBytesAfterFullGc?: number;
  /** The bound of the first extra run, measured like the test's own (see HeapProbe.runBounded). */
  rerunBound?: number;
  /** Milliseconds the first extra run took, its settling included. */
  rerunMs?: number;
  /** Without the native addon, when the first extra run did not clear it: the bound of a window over two more runs. */
  twoRunBound?: number;
  /** For suspects whose sampled runs ran on fake timers: each run's change in pending fake timers. */
  fakeTimersAdded?: number[];
  /** When every run but the last left fake timers pending: what the runs kept once those timers were cleared. */
  runsWithoutFakeTimers?: number[];
  /** For suspects the extra runs cleared: whether a heap snapshot looked for memory kept once in module state. */
  keptOnceChecked?: boolean;
  /** Milliseconds of the kept-once check, its extra run included. */
  keptOnceMs?: number;
  /** Milliseconds from the first extra run's start to the end of its window (its scavenge included). */
  firstLookMs?: number;
  /** Milliseconds: the test itself (hooks and body), and leakwatch's judging of it. */
  testMs: number;
  judgeMs?: number;
}
