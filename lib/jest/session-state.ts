/**
 * What one test file's session keeps between jest-circus events. LeakwatchSession (session.ts)
 * owns one; the event handler and the functions it calls read and change it.
 */
import type { Circus } from '@jest/types';
import type { LeakwatchConfig } from '../core/config';
import type { Check, TestInfo } from '../core/types';
import type { Probe } from '../probes/probe';
import type { UserProbe } from '../probes/user';
import type { RecordWriter } from '../report/record-writer';
import type { FindingSink } from './finding-sink';
import type { GlobalLeftovers } from './global-leftovers';

/** What the session needs of the environment that owns it. */
export interface HostEnvironment {
  global: Record<string, unknown> & { process?: unknown };
  moduleMocker: unknown;
}

export type Retention = typeof import('./retention');

/** The test being measured, from test_start to the measuring hook. */
export interface Measured {
  test: Circus.TestEntry;
  info: TestInfo;
  ignored: Set<Check>;
  /** Milliseconds leakwatch spent at the test's start. */
  startMs: number;
}

export interface SessionState {
  readonly leakwatchConfig: LeakwatchConfig;
  readonly testPath: string;
  readonly rootDir: string;
  readonly cacheDirectory: string;
  readonly env: HostEnvironment;
  /** Empty until measuring starts, and again once disposed. */
  probes: Probe[];
  readonly userProbes: UserProbe[];
  current: Measured | null;
  readonly testsById: Map<number, Circus.TestEntry>;
  nextTestId: number;
  pendingConcurrent: number;
  skippedConcurrent: number;
  readonly recordWriter: RecordWriter | null;
  readonly sink: FindingSink;
  retention: Retention | null;
  /** Jest runs the file as a native ES module, whose environment Node keeps (native-esm.ts). */
  nativeEsm: boolean;
  /** Jest 30's replaced global values, held weakly between runs; null before Jest 30 and under jsdom. */
  readonly leftovers: GlobalLeftovers | null;
}
