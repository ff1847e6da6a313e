/**
 * One test file's leak hunt: what each jest-circus event means for the probes. The
 * environment (environment.ts) owns one and forwards setup, teardown and test events.
 * Nothing here may throw out of handleTestEvent: that would fail the whole file. Internal
 * errors become one warning; results stand.
 */
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import * as path from 'node:path';
import { parseConfig } from '../core/config-parser';
import type { MaybePromise } from '../core/maybe-async';
import type { UserProbe } from '../probes/user';
import { loadBaseline, relativeTestFile } from '../report/baseline';
import type { RecordWriter } from '../report/record-writer';
import { appendMeasurement, debugLinesFile } from './debug';
import { eventHandler } from './event-handler';
import { FindingSink } from './finding-sink';
import { GlobalLeftovers } from './global-leftovers';
import { disposeProbes, guard } from './guard';
import { runsAsNativeEsm } from './native-esm';
import { fileCodeRunning } from './probe-signals';
import { leakwatchReporterConfigured } from './reporter-detection';
import type { HostEnvironment, Retention, SessionState } from './session-state';
import { createTestApi } from './test-api';

export class LeakwatchSession {
  private readonly session: SessionState;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext, env: HostEnvironment) {
    const options = config.projectConfig.testEnvironmentOptions ?? {};
    const leakwatchConfig = parseConfig({
      options: options.leakwatch,
      env: process.env,
      pragmas: context.docblockPragmas ?? {},
      rootDir: config.projectConfig.rootDir,
    });
    const testPath = context.testPath;
    const rootDir = config.projectConfig.rootDir;
    const measuring = leakwatchConfig.mode !== 'off';
    const baselinePath = leakwatchConfig.baseline;
    const recordWriter =
      measuring && leakwatchReporterConfigured(config.globalConfig.reporters)
        ? createRecordWriter(leakwatchConfig.outputDir, testPath)
        : null;
    const sink = new FindingSink({
      mode: leakwatchConfig.mode,
      baselinePath,
      baseline: measuring && baselinePath ? loadBaseline(baselinePath) : null,
      recordWriter,
      file: relativeTestFile(rootDir, testPath),
    });
    this.session = {
      leakwatchConfig,
      testPath,
      rootDir,
      cacheDirectory: config.projectConfig.cacheDirectory,
      env,
      probes: [],
      userProbes: [],
      current: null,
      testsById: new Map(),
      nextTestId: 0,
      pendingConcurrent: 0,
      skippedConcurrent: 0,
      recordWriter,
      sink,
      retention: null,
      nativeEsm: runsAsNativeEsm(testPath, config.projectConfig.extensionsToTreatAsEsm),
      leftovers: measuring ? GlobalLeftovers.of(env) : null,
    };
    // jest-environment-node copies testEnvironmentOptions onto the global, so `leakwatch` is
    // already a global holding the options: replace it with the API for test code.
    env.global.leakwatch = createTestApi({
      userProbes: this.session.userProbes,
      ignore: (checks) => {
        const current = this.session.current;
        if (current) for (const check of checks) current.ignored.add(check);
      },
      addUserProbe: (probe) => this.addUserProbe(probe),
    });
  }

  async start(): Promise<void> {
    const session = this.session;
    if (session.leakwatchConfig.mode === 'off') return;
    await guard(session, 'starting', async () => {
      const fileLabel = path.relative(session.rootDir, session.testPath);
      // Loaded only now, when measuring: see probes/create.ts.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createProbes } = require('../probes/create') as typeof import('../probes/create');
      const { probes, heap } = createProbes({
        config: session.leakwatchConfig,
        rootDir: session.rootDir,
        cacheDirectory: session.cacheDirectory,
        fileLabel,
        testGlobal: session.env.global,
        userProbes: session.userProbes,
      });
      const linesFile = debugLinesFile();
      const recordWriter = session.recordWriter;
      if (linesFile || recordWriter) {
        heap.onMeasure = (test, measurement) => {
          recordWriter?.heapMeasured(measurement);
          if (linesFile) appendMeasurement(linesFile, fileLabel, test, measurement);
        };
      }
      session.probes = probes;
      session.retention = loadRetention();
      // The test file's module scope runs next, before run_start.
      for (const probe of probes) await probe.startFileWindow?.();
      await fileCodeRunning(session.probes, 'module scope');
    });
  }

  async stop(): Promise<void> {
    const session = this.session;
    await guard(session, 'stopping', () => {
      disposeProbes(session);
      session.leftovers?.restore();
      // From here on the file's global should be freed once Jest lets go of the environment;
      // not a native ES module's, which Node keeps.
      if (!session.nativeEsm)
        session.retention?.fileEnded(relativeTestFile(session.rootDir, session.testPath), session.env.global, session.rootDir);
    });
    session.current = null;
    session.testsById.clear();
  }

  /** A promise only when the event's work has to wait (see core/maybe-async.ts). */
  handleTestEvent(event: Circus.Event, state: Circus.State): MaybePromise<void> {
    const session = this.session;
    if (session.probes.length > 0) {
      return guard(session, event.name, () => eventHandler(session, event, state));
    } else if (event.name === 'run_finish' && session.leakwatchConfig.mode !== 'off') {
      // Switched off by an internal error earlier in the file: still say so.
      session.sink.print();
    }
  }

  private addUserProbe(probe: UserProbe): void {
    const { probes, userProbes } = this.session;
    userProbes.push(probe);
    // Before setup() (setupFiles), setup() adds it; in mode 'off' it is never measured.
    if (probes.length === 0) return;
    // Before the memory probes, whose extra runs must not count for the others.
    const memory = probes.findIndex((p) => p.kind === 'memory');
    probes.splice(memory < 0 ? probes.length : memory, 0, probe);
  }
}

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
