/**
 * One test file's leak hunt: options, probes, and what each Jest event means for them.
 * The environment (environment.ts) owns one and forwards setup, teardown and test events.
 * Nothing here may throw out of handleTestEvent: that would fail the whole file. Internal
 * errors become one warning; results stand.
 */
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKS, parseCheckNames, parseConfig, parseProbeDefinition, type Check, type LeakwatchConfig } from './config';
import type { HandlesProbe } from './probes/handles';
import type { Finding, Probe, TestInfo } from './probes/probe';
import { UserProbe } from './probes/user';
import { loadBaseline, relativeTestFile, type Baseline } from './baseline';
import type { FileRecorder } from './recorder';
import { errorMessage } from './errors';
import { formatFinding, leakError } from './report';
import { isMeasuringHook, MEASURING_HOOK, rerunTest } from './rerun';

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
  private handles: HandlesProbe | null = null;
  private readonly userProbes: UserProbe[] = [];
  private current: Measured | null = null;
  private readonly testsById = new Map<number, Circus.TestEntry>();
  private nextTestId = 0;
  private pendingConcurrent = 0;
  private skippedConcurrent = 0;
  private readonly warnings: string[] = [];
  /** Every warning of the file, for the report (printed ones are cleared from `warnings`). */
  private readonly allWarnings: string[] = [];
  private readonly baseline: Baseline | null;
  private readonly recorder: FileRecorder | null;

  constructor(
    config: JestEnvironmentConfig,
    context: EnvironmentContext,
    private readonly env: HostEnvironment,
  ) {
    const options = (config.projectConfig.testEnvironmentOptions ?? {}) as Record<string, unknown>;
    this.leakwatchConfig = parseConfig({
      options: options.leakwatch,
      env: process.env,
      pragmas: context.docblockPragmas ?? {},
      rootDir: config.projectConfig.rootDir,
    });
    this.testPath = context.testPath;
    this.rootDir = config.projectConfig.rootDir;
    this.cacheDirectory = config.projectConfig.cacheDirectory;
    this.baseline = this.leakwatchConfig.mode !== 'off' && this.leakwatchConfig.baseline ? loadBaseline(this.leakwatchConfig.baseline) : null;
    this.recorder =
      this.leakwatchConfig.mode !== 'off' && reporterConfigured(config.globalConfig.reporters)
        ? createRecorder(this.leakwatchConfig.outputDir, this.testPath)
        : null;
    // jest-environment-node copies testEnvironmentOptions onto the global, so `leakwatch` is
    // already a global holding the options: replace it with the API for test code.
    this.env.global.leakwatch = this.createTestApi();
  }

  async start(): Promise<void> {
    if (this.leakwatchConfig.mode === 'off') return;
    await this.guard('starting', () => {
      const fileLabel = path.relative(this.rootDir, this.testPath);
      // Loaded only now, when measuring: see probes/create.ts.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createProbes } = require('./probes/create') as typeof import('./probes/create');
      const { probes, handles, heap } = createProbes({
        config: this.leakwatchConfig,
        rootDir: this.rootDir,
        cacheDirectory: this.cacheDirectory,
        fileLabel,
        testGlobal: this.env.global,
        userProbes: this.userProbes,
      });
      const debugFile = process.env.LEAKWATCH_DEBUG;
      const recorder = this.recorder;
      if ((debugFile && debugFile !== '1') || recorder) {
        heap.onMeasure = (test, measurement) => {
          recorder?.heapMeasured(measurement);
          // Calibration only: one JSON line per measured test.
          if (debugFile && debugFile !== '1') {
            fs.appendFileSync(debugFile, `${JSON.stringify({ file: fileLabel, test: test.name, ...measurement })}\n`);
          }
        };
      }
      this.probes = probes;
      this.handles = handles;
    });
  }

  async stop(): Promise<void> {
    await this.guard('stopping', () => {
      // In reverse: probes that wrap the same fs functions (fds, temp files) unwrap in the
      // opposite order they wrapped, or each file would leave one more wrapper behind.
      for (const probe of [...this.probes].reverse()) probe.dispose();
    });
    this.probes = [];
    this.handles = null;
    this.current = null;
    this.testsById.clear();
  }

  async handleTestEvent(event: Circus.Event, state: Circus.State): Promise<void> {
    if (this.probes.length > 0) {
      await this.guard(event.name, () => this.onEvent(event, state));
    } else if (event.name === 'run_finish' && this.leakwatchConfig.mode !== 'off') {
      // Switched off by an internal error earlier in the file: still say so.
      this.printWarnings();
    }
  }

  private async onEvent(event: Circus.Event, state: Circus.State): Promise<void> {
    switch (event.name) {
      case 'run_start':
        this.pendingConcurrent = countConcurrentTests(state.rootDescribeBlock);
        for (const probe of this.probes) {
          const problem = probe.startFile();
          if (problem) this.warnings.push(problem);
        }
        this.addMeasuringHook(state);
        break;
      case 'hook_start':
        if (event.hook.type === 'beforeAll' || event.hook.type === 'afterAll') this.userCodeRan();
        // jest-circus now sets the hook's time-limit timer: not the test's handle, and not worth a stack.
        this.handles?.skipJestTimer(event.hook.timeout || state.testTimeout);
        break;
      case 'test_fn_start':
        this.handles?.skipJestTimer(event.test.timeout || state.testTimeout);
        break;
      case 'test_start':
        await this.startTest(event.test);
        break;
      case 'test_skip':
      case 'test_todo':
        this.abandonTest();
        break;
      case 'test_done':
        if (event.test.concurrent) this.pendingConcurrent = Math.max(0, this.pendingConcurrent - 1);
        // Measured by the hook already; else the hook never ran for it: nothing to judge.
        if (this.current?.test === event.test) this.abandonTest();
        break;
      case 'run_finish':
        await this.finishFile();
        break;
      default:
        break;
    }
  }

  private async startTest(test: Circus.TestEntry): Promise<void> {
    if (test.concurrent) {
      this.skippedConcurrent += 1;
      this.userCodeRan();
      return;
    }
    // Concurrent bodies may still run: numbers taken now would mix them in.
    if (this.pendingConcurrent > 0 || test.failing) {
      this.userCodeRan();
      return;
    }
    const info: TestInfo = { name: fullTestName(test), id: this.nextTestId++ };
    this.testsById.set(info.id, test);
    const startedAt = performance.now();
    this.current = { test, info, ignored: new Set(), startMs: 0 };
    // The heap probe last: the others' readings are not the test's allocations.
    for (const probe of this.probes) await probe.beforeTest();
    this.current.startMs = performance.now() - startedAt;
  }

  /**
   * A test is judged in an afterEach hook of the root describe block, added last so it runs
   * after every hook of the user's: inside Jest's test scope. Runs again there may `require`,
   * touch `jest` (Jest 30 refuses both between tests) and use what the test's hooks set up.
   */
  private addMeasuringHook(state: Circus.State): void {
    if (state.rootDescribeBlock.hooks.some((hook) => isMeasuringHook(hook))) return;
    const fn = Object.assign(
      async (): Promise<void> => {
        const current = this.current;
        if (current && this.probes.length > 0) {
          await this.guard('measuring a test', () => this.finishTest(current, state.testTimeout));
        }
      },
      { [MEASURING_HOOK]: true },
    );
    state.rootDescribeBlock.hooks.push({
      asyncError: new Error('leakwatch measuring hook'),
      fn,
      parent: state.rootDescribeBlock,
      seenDone: false,
      // The runs again have their own time limits (the test's); this one must never fire
      // (2^31-1 ms is the largest delay timers accept).
      timeout: 2 ** 31 - 1,
      type: 'afterEach',
    } as Circus.Hook);
  }

  private async finishTest(current: Measured, testTimeout: number): Promise<void> {
    this.current = null;
    const { test } = current;
    const judgingStarted = performance.now();
    // A failed test's cleanup may not have run: what it left behind is expected, and its
    // result must stay the failure the user wrote.
    const measurable = test.errors.length === 0;
    if (measurable) this.recorder?.judging(current.info.id, current.info.name);
    else this.recorder?.notMeasured(current.info.name, 'failed');
    // The memory probes run suspects again. A test that left a handle, fd, listener, global
    // or user-probe resource behind (a leak, or one it keeps on purpose with
    // leakwatch.ignore) would leave it again, and its cleanup (afterAll(() => server.close()))
    // or a later test counting them (a pool's size) only knows the first one: those tests
    // are not run again. An ignored check is still read for this, and its finding dropped.
    let leftResources = false;
    if (measurable) for (const probe of this.probes) if (!current.ignored.has(probe.check)) probe.endTest?.();
    for (const probe of this.probes) {
      const memory = probe.check === 'heap' || probe.check === 'external';
      if (!measurable || (current.ignored.has(probe.check) && memory) || (leftResources && memory)) {
        probe.abandonTest();
        continue;
      }
      const finding = await probe.afterTest(current.info, () => {
        this.userCodeRan();
        return rerunTest(test, testTimeout, this.env.global as never, this.env.moduleMocker);
      });
      if (finding && !current.ignored.has(probe.check)) this.report(test, current.info, finding);
      if (finding && (!memory || finding.verdict === 'leak')) leftResources = true;
    }
    // User probes' measure() is the user's code too, run after the others read.
    if (this.userProbes.length > 0) this.userCodeRan();
    if (measurable) await this.recorder?.judged(current.startMs + performance.now() - judgingStarted);
  }

  private userCodeRan(): void {
    for (const probe of this.probes) probe.userCodeRan?.();
  }

  private abandonTest(): void {
    this.current = null;
    for (const probe of this.probes) probe.abandonTest();
  }

  private async finishFile(): Promise<void> {
    for (const probe of this.probes) {
      for (const { test, finding } of probe.finishFile()) {
        const entry = this.testsById.get(test.id);
        if (entry) this.report(entry, test, finding);
      }
    }
    for (const probe of this.userProbes) this.warnings.push(...probe.takeProblems());
    if (process.env.LEAKWATCH_DEBUG) {
      for (const probe of this.probes) this.warnings.push(`${probe.check} probe stats: ${JSON.stringify((probe as { stats?: unknown }).stats)}`);
    }
    if (this.skippedConcurrent > 0) {
      this.warnings.push(`${this.skippedConcurrent} concurrent test(s) not measured: they overlap in time, so per-test numbers mean nothing`);
    }
    if (this.recorder) {
      try {
        await this.recorder.finish([...this.allWarnings, ...this.warnings]);
      } catch (error) {
        this.warnings.push(`the report record for this file could not be written (${errorMessage(error)}); the reporter will list it as not measured`);
      }
    }
    this.printWarnings();
  }

  private printWarnings(): void {
    if (this.warnings.length === 0) return;
    // Straight to stderr: the test console would print leakwatch's own code frame beside it.
    process.stderr.write(`leakwatch: ${path.relative(this.rootDir, this.testPath)}:\n  ${this.warnings.join('\n  ')}\n`);
    this.allWarnings.push(...this.warnings);
    this.warnings.length = 0;
  }

  private report(test: Circus.TestEntry, info: TestInfo, finding: Finding): void {
    const known =
      finding.verdict === 'leak' &&
      !!this.baseline?.has({ file: relativeTestFile(this.rootDir, this.testPath), test: info.name, check: finding.check });
    this.recorder?.finding(info.id, { ...finding, verdict: known ? 'known' : finding.verdict });
    if (finding.verdict === 'leak' && !known && this.leakwatchConfig.mode === 'fail') {
      test.errors.push(leakError(info.name, finding) as unknown as Circus.Exception);
    } else if (known) {
      this.warnings.push(`${formatFinding(info.name, finding)}\n  Known leak, listed in ${this.leakwatchConfig.baseline}: not failed.`);
    } else {
      this.warnings.push(formatFinding(info.name, finding));
    }
  }

  /**
   * The `leakwatch` global for test code: `ignore('heap')` inside a test (or its hooks) skips
   * that check for that test; `registerProbe({...})`, from a setup file, adds a user probe.
   */
  private createTestApi(): object {
    return Object.freeze({
      ignore: (...checks: unknown[]): void => {
        const parsed = parseCheckNames(checks, this.userProbes.map((probe) => probe.check));
        if (this.current) for (const check of parsed) this.current.ignored.add(check);
      },
      registerProbe: (definition: unknown): void => {
        const taken = [...CHECKS, ...this.userProbes.map((probe) => probe.check)];
        const probe = new UserProbe(parseProbeDefinition(definition, taken));
        this.userProbes.push(probe);
        // Before setup() (setupFiles), setup() adds it; in mode 'off' it is never measured.
        if (this.probes.length === 0) return;
        // Before the memory probes, whose extra runs must not count for the others.
        const memory = this.probes.findIndex((p) => p.check === 'external' || p.check === 'heap');
        this.probes.splice(memory < 0 ? this.probes.length : memory, 0, probe);
      },
    });
  }

  private async guard(what: string, action: () => void | Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.warnings.push(`internal error while ${what}; test results are unchanged: ${text}`);
      // A probe in an unknown state can't be trusted for the rest of the file.
      this.current = null;
      for (const probe of [...this.probes].reverse()) {
        try {
          probe.dispose();
        } catch {
          // Already reported the first error; disposal is best effort.
        }
      }
      this.probes = [];
      this.handles = null;
      if (what === 'run_finish') this.printWarnings();
    }
  }
}

function fullTestName(test: Circus.TestEntry): string {
  const names: string[] = [];
  for (let block: Circus.DescribeBlock | Circus.TestEntry | undefined = test; block?.parent; block = block.parent) {
    names.unshift(block.name);
  }
  return names.join(' ');
}

function countConcurrentTests(block: Circus.DescribeBlock): number {
  let count = 0;
  for (const child of block.children) {
    if (child.type === 'describeBlock') count += countConcurrentTests(child);
    else if (child.concurrent) count += 1;
  }
  return count;
}

/**
 * Whether Jest's reporters include leakwatch's (`jest-environment-leakwatch/reporter`, which
 * Jest resolves to an absolute path): only then are records written for it.
 */
function reporterConfigured(reporters: unknown): boolean {
  if (!Array.isArray(reporters)) return false;
  const own = [path.resolve(__dirname, '..', 'reporter.js'), path.resolve(__dirname, 'reporter', 'index.js')];
  return reporters.some((entry) => {
    const name = Array.isArray(entry) ? entry[0] : entry;
    if (typeof name !== 'string') return false;
    return own.includes(path.resolve(name)) || /jest-environment-leakwatch[\\/](reporter(\.js)?|dist[\\/]reporter[\\/]index\.js)$/.test(name);
  });
}

/** The report's recorder, loaded only when measuring with the reporter on (see probes/create.ts). */
function createRecorder(outputDir: string, testPath: string): FileRecorder {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { FileRecorder: Recorder } = require('./recorder') as typeof import('./recorder');
  return new Recorder(outputDir, testPath);
}
