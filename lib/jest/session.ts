/**
 * One test file's leak hunt: what each jest-circus event means for the probes. The
 * environment (environment.ts) owns one and forwards setup, teardown and test events.
 * Nothing here may throw out of handleTestEvent: that would fail the whole file. Internal
 * errors become one warning; results stand.
 */
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import * as path from 'node:path';
import { parseConfig, type LeakwatchConfig } from '../core/config';
import { errorMessage, errorStack } from '../core/errors';
import { inOrder, whenReady, type MaybePromise } from '../core/maybe-async';
import type { Check, FilePhase, TestInfo } from '../core/types';
import { judgeTest } from '../probes/judge-test';
import type { Probe } from '../probes/probe';
import type { UserProbe } from '../probes/user';
import { loadBaseline, relativeTestFile } from '../report/baseline';
import type { RecordWriter } from '../report/record-writer';
import { appendMeasurement, debugEnabled, debugLinesFile, probeStatsLines } from './debug';
import { FindingSink } from './finding-sink';
import { addMeasuringHook } from './measuring-hook';
import { leakwatchReporterConfigured } from './reporter-detection';
import { rerunTest, testCode } from './rerun';
import { createTestApi } from './test-api';
import { countConcurrentTests, fullTestName } from './test-tree';

/** Events on which jest-circus installs its own error listeners at 'setup' (Jest 29: the first two). */
const CIRCUS_ERROR_EVENTS = ['uncaughtException', 'unhandledRejection', 'rejectionHandled'];

interface Measured {
  test: Circus.TestEntry;
  info: TestInfo;
  ignored: Set<Check>;
  /** Milliseconds leakwatch spent at the test's start. */
  startMs: number;
}

/** What the session needs of the environment that owns it. */
export interface HostEnvironment {
  global: Record<string, unknown> & { process?: unknown };
  moduleMocker: unknown;
}

export class LeakwatchSession {
  private readonly leakwatchConfig: LeakwatchConfig;
  private readonly testPath: string;
  private readonly rootDir: string;
  private readonly cacheDirectory: string;
  private probes: Probe[] = [];
  private readonly userProbes: UserProbe[] = [];
  private current: Measured | null = null;
  private readonly testsById = new Map<number, Circus.TestEntry>();
  private nextTestId = 0;
  private pendingConcurrent = 0;
  private skippedConcurrent = 0;
  private readonly recordWriter: RecordWriter | null;
  private readonly sink: FindingSink;
  private retention: Retention | null = null;

  constructor(
    config: JestEnvironmentConfig,
    context: EnvironmentContext,
    private readonly env: HostEnvironment,
  ) {
    const options = config.projectConfig.testEnvironmentOptions ?? {};
    this.leakwatchConfig = parseConfig({
      options: options.leakwatch,
      env: process.env,
      pragmas: context.docblockPragmas ?? {},
      rootDir: config.projectConfig.rootDir,
    });
    this.testPath = context.testPath;
    this.rootDir = config.projectConfig.rootDir;
    this.cacheDirectory = config.projectConfig.cacheDirectory;
    const measuring = this.leakwatchConfig.mode !== 'off';
    const baselinePath = this.leakwatchConfig.baseline;
    this.recordWriter =
      measuring && leakwatchReporterConfigured(config.globalConfig.reporters)
        ? createRecordWriter(this.leakwatchConfig.outputDir, this.testPath)
        : null;
    this.sink = new FindingSink({
      mode: this.leakwatchConfig.mode,
      baselinePath,
      baseline: measuring && baselinePath ? loadBaseline(baselinePath) : null,
      recordWriter: this.recordWriter,
      file: relativeTestFile(this.rootDir, this.testPath),
    });
    // jest-environment-node copies testEnvironmentOptions onto the global, so `leakwatch` is
    // already a global holding the options: replace it with the API for test code.
    this.env.global.leakwatch = createTestApi({
      userProbes: this.userProbes,
      ignore: (checks) => {
        if (this.current) for (const check of checks) this.current.ignored.add(check);
      },
      addUserProbe: (probe) => this.addUserProbe(probe),
    });
  }

  async start(): Promise<void> {
    if (this.leakwatchConfig.mode === 'off') return;
    await this.guard('starting', async () => {
      const fileLabel = path.relative(this.rootDir, this.testPath);
      // Loaded only now, when measuring: see probes/create.ts.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createProbes } = require('../probes/create') as typeof import('../probes/create');
      const { probes, heap } = createProbes({
        config: this.leakwatchConfig,
        rootDir: this.rootDir,
        cacheDirectory: this.cacheDirectory,
        fileLabel,
        testGlobal: this.env.global,
        userProbes: this.userProbes,
      });
      const linesFile = debugLinesFile();
      const recordWriter = this.recordWriter;
      if (linesFile || recordWriter) {
        heap.onMeasure = (test, measurement) => {
          recordWriter?.heapMeasured(measurement);
          if (linesFile) appendMeasurement(linesFile, fileLabel, test, measurement);
        };
      }
      this.probes = probes;
      this.retention = loadRetention();
      // The test file's module scope runs next, before run_start.
      for (const probe of probes) await probe.startFileWindow?.();
      await this.fileCodeRunning('module scope');
    });
  }

  async stop(): Promise<void> {
    await this.guard('stopping', () => {
      this.disposeProbes();
      // From here on the file's global should be freed once Jest lets go of the environment.
      this.retention?.fileEnded(relativeTestFile(this.rootDir, this.testPath), this.env.global, this.rootDir);
    });
    this.current = null;
    this.testsById.clear();
  }

  /** A promise only when the event's work has to wait (see core/maybe-async.ts). */
  handleTestEvent(event: Circus.Event, state: Circus.State): MaybePromise<void> {
    if (this.probes.length > 0) {
      return this.guard(event.name, () => this.onEvent(event, state));
    } else if (event.name === 'run_finish' && this.leakwatchConfig.mode !== 'off') {
      // Switched off by an internal error earlier in the file: still say so.
      this.sink.print();
    }
  }

  private onEvent(event: Circus.Event, state: Circus.State): MaybePromise<void> {
    switch (event.name) {
      case 'setup': {
        // jest-circus has just replaced the process's error listeners with its own.
        for (const probe of this.probes) probe.runnerInstalledListeners?.(CIRCUS_ERROR_EVENTS);
        break;
      }
      case 'run_start': {
        return whenReady(this.fileCodeRunning(null), () => {
          this.pendingConcurrent = countConcurrentTests(state.rootDescribeBlock);
          for (const probe of this.probes) {
            const problem = probe.startFile();
            if (problem) this.sink.warn(problem);
          }
          addMeasuringHook(state, () => this.measureCurrentTest(state.testTimeout));
        });
      }
      case 'hook_start': {
        const timeout = event.hook.timeout || state.testTimeout;
        if (event.hook.type === 'beforeAll' || event.hook.type === 'afterAll') {
          this.userCodeRan();
          return whenReady(this.fileCodeRunning(event.hook.type), () => this.runnerTimerStarting(timeout));
        }
        this.runnerTimerStarting(timeout);
        break;
      }
      case 'hook_success':
      case 'hook_failure': {
        if (event.hook.type === 'beforeAll' || event.hook.type === 'afterAll') return this.fileCodeRunning(null);
        break;
      }
      case 'test_fn_start': {
        this.runnerTimerStarting(event.test.timeout || state.testTimeout);
        break;
      }
      case 'test_start': {
        return this.startTest(event.test);
      }
      case 'test_skip':
      case 'test_todo': {
        this.abandonTest();
        break;
      }
      case 'test_done': {
        if (event.test.concurrent) this.pendingConcurrent = Math.max(0, this.pendingConcurrent - 1);
        // Measured by the hook already; else the hook never ran for it: nothing to judge.
        if (this.current?.test === event.test) this.abandonTest();
        break;
      }
      case 'run_finish': {
        return this.finishRun(state);
      }
      default:
        break;
    }
    return undefined;
  }

  private async finishRun(state: Circus.State): Promise<void> {
    await this.reportRetainedEarlierFiles();
    await this.finishFileWindow(state);
    await this.finishFile();
  }

  private startTest(test: Circus.TestEntry): MaybePromise<void> {
    // Concurrent bodies may still run: numbers taken now would mix them in.
    if (test.concurrent || this.pendingConcurrent > 0 || test.failing) {
      if (test.concurrent) this.skippedConcurrent += 1;
      this.userCodeRan();
      return;
    }
    const info: TestInfo = { name: fullTestName(test), id: this.nextTestId++, code: () => testCode(test) };
    this.testsById.set(info.id, test);
    const startedAt = performance.now();
    const current: Measured = { test, info, ignored: new Set(), startMs: 0 };
    this.current = current;
    // The heap probe last: the others' readings are not the test's allocations.
    return whenReady(
      inOrder(this.probes, (probe) => probe.beforeTest(info)),
      () => {
        current.startMs = performance.now() - startedAt;
      },
    );
  }

  private measureCurrentTest(testTimeout: number): MaybePromise<void> {
    const current = this.current;
    if (!current || this.probes.length === 0) return undefined;
    return this.guard('measuring a test', () => this.finishTest(current, testTimeout));
  }

  private finishTest(current: Measured, testTimeout: number): MaybePromise<void> {
    this.current = null;
    const { test, info } = current;
    const judgingStarted = performance.now();
    // A failed test's cleanup may not have run: what it left behind is expected, and its
    // result must stay the failure the user wrote.
    if (test.errors.length > 0) {
      this.recordWriter?.notMeasured(info.name, 'failed');
      for (const probe of this.probes) probe.abandonTest();
      if (this.userProbes.length > 0) this.userCodeRan();
      return undefined;
    }
    this.recordWriter?.judging(info.id, info.name);
    const judged = judgeTest(this.probes, info, current.ignored, () => {
      this.userCodeRan();
      return rerunTest(test, testTimeout, this.env.global as never, this.env.moduleMocker);
    });
    return whenReady(judged, (found) => {
      for (const { finding } of found) this.sink.testFinding(test, info, finding);
      // User probes' measure() is the user's code too, run after the others read.
      if (this.userProbes.length > 0) this.userCodeRan();
      return this.recordWriter?.judged(current.startMs + performance.now() - judgingStarted);
    });
  }

  private fileCodeRunning(phase: FilePhase | null): MaybePromise<void> {
    return inOrder(this.probes, (probe) => probe.fileCodeRunning?.(phase));
  }

  /**
   * What the file's own code left open, judged after its last afterAll hook. A failure goes
   * where jest-circus puts an afterAll hook's error: the file fails, every test keeps its result.
   */
  private async finishFileWindow(state: Circus.State): Promise<void> {
    for (const probe of this.probes) {
      const finding = await probe.finishFileWindow?.();
      if (finding) this.sink.fileFinding(state, finding);
    }
  }

  /** Earlier files of this process whose environment is still alive: printed, and kept in this file's record. */
  private async reportRetainedEarlierFiles(): Promise<void> {
    const records = await this.retention?.reportEarlierFiles(this.env.global);
    if (records) this.recordWriter?.retained(records);
  }

  private userCodeRan(): void {
    for (const probe of this.probes) probe.userCodeRan?.();
  }

  /** jest-circus is about to set a hook's or test's time-limit timer: not the test's handle. */
  private runnerTimerStarting(delay: number): void {
    for (const probe of this.probes) probe.runnerTimerStarting?.(delay);
  }

  private abandonTest(): void {
    this.current = null;
    for (const probe of this.probes) probe.abandonTest();
  }

  private addUserProbe(probe: UserProbe): void {
    this.userProbes.push(probe);
    // Before setup() (setupFiles), setup() adds it; in mode 'off' it is never measured.
    if (this.probes.length === 0) return;
    // Before the memory probes, whose extra runs must not count for the others.
    const memory = this.probes.findIndex((p) => p.kind === 'memory');
    this.probes.splice(memory < 0 ? this.probes.length : memory, 0, probe);
  }

  private async finishFile(): Promise<void> {
    for (const probe of this.probes) {
      for (const { test, finding } of probe.finishFile()) {
        const entry = this.testsById.get(test.id);
        if (entry) this.sink.testFinding(entry, test, finding);
      }
    }
    for (const probe of this.userProbes) for (const problem of probe.takeProblems()) this.sink.warn(problem);
    if (debugEnabled())
      for (const line of [...probeStatsLines(this.probes), this.retention?.retentionStats() ?? '']) if (line) this.sink.warn(line);
    if (this.skippedConcurrent > 0) {
      this.sink.warn(`${this.skippedConcurrent} concurrent test(s) not measured: they overlap in time, so per-test numbers mean nothing`);
    }
    if (this.recordWriter) {
      try {
        await this.recordWriter.finish(this.sink.forRecord());
      } catch (error) {
        this.sink.warn(
          `the report record for this file could not be written (${errorMessage(error)}); the reporter will list it as not measured`,
        );
      }
    }
    this.sink.print();
  }

  private disposeProbes(): void {
    // In reverse: probes that wrap the same fs functions (fds, temp files) unwrap in the
    // opposite order they wrapped, or each file would leave one more wrapper behind.
    const probes = this.probes;
    this.probes = [];
    for (const probe of [...probes].reverse()) {
      try {
        probe.dispose();
      } catch {
        // Best effort: a probe that can't let go is dropped all the same.
      }
    }
  }

  /** Runs `action`; an error it throws or rejects with is reported, and measuring stops for the file. */
  private guard(what: string, action: () => MaybePromise<void>): MaybePromise<void> {
    const failed = (error: unknown): void => {
      this.sink.warn(`internal error while ${what}; test results are unchanged: ${errorStack(error)}`);
      // A probe in an unknown state can't be trusted for the rest of the file.
      this.current = null;
      this.disposeProbes();
      if (what === 'run_finish') this.sink.print();
    };
    try {
      const pending = action();
      if (pending) return pending.then(undefined, failed);
    } catch (error) {
      failed(error);
    }
    return undefined;
  }
}

type Retention = typeof import('./retention');

/** Loaded only when measuring, like the probes: it brings the heap snapshot reader. */
function loadRetention(): Retention {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./retention') as Retention;
}

/** The report's record writer, loaded only when measuring with the reporter on (see probes/create.ts). */
function createRecordWriter(outputDir: string, testPath: string): RecordWriter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { RecordWriter: Writer } = require('../report/record-writer') as typeof import('../report/record-writer');
  return new Writer(outputDir, testPath);
}
