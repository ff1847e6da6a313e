/**
 * The built-in probes of one test file, in the order the session runs them. A module of its
 * own so that the session loads it only when it measures: with `mode: 'off'` (LEAKWATCH=off)
 * leakwatch must cost nothing, and these modules took ~20 ms to load in each Jest process.
 */
import * as path from 'node:path';
import type { LeakwatchConfig } from '../core/config';
import { isProjectFile } from '../core/stack';
import { CollectionGrowth } from '../heap/collection-growth';
import { ModuleCollectionIndex, realmGlobals } from '../heap/module-collections';
import { ModuleHolders } from '../heap/module-holders';
import type { SnapshotWriter } from '../heap/snapshot-writer';
import { ExternalProbe } from './external';
import { FdsProbe } from './fds';
import { GlobalsProbe } from './globals';
import { HandlesProbe } from './handles';
import { HeapProbe } from './heap';
import { ListenersProbe } from './listeners';
import { ModuleGrowthProbe } from './module-growth';
import { NativeMemoryProbe } from './native';
import type { Probe } from './probe';
import { TempFilesProbe } from './temp-files';

export interface ProbeSet {
  /** Every probe, user probes included, in the order they run. */
  probes: Probe[];
  heap: HeapProbe;
}

export function createProbes(options: {
  config: LeakwatchConfig;
  rootDir: string;
  cacheDirectory: string;
  /** The file's path relative to rootDir, for snapshot file names. */
  fileLabel: string;
  testGlobal: Record<string, unknown> & { process?: unknown };
  /** Registered by setupFiles, which Jest runs before setup(). */
  userProbes: Probe[];
}): ProbeSet {
  const { config, rootDir, testGlobal } = options;
  const snapshots = config.snapshots ? createSnapshotWriter(config.outputDir, options.fileLabel, config.snapshots) : null;
  const keptOnce = config.heap.keptOnce;
  const testFile = path.resolve(rootDir, options.fileLabel);
  // The kept-once and growth checks share the collections found and which holders count, and report each once.
  const moduleState = keptOnce
    ? {
        holders: new ModuleHolders({ rootDir, testFile, allow: keptOnce.allow }),
        collections: new ModuleCollectionIndex(realmGlobals(testGlobal), (file) => isProjectFile(file, rootDir)),
        growth: new CollectionGrowth(),
      }
    : null;
  const heap = new HeapProbe(config, rootDir, snapshots, testGlobal, moduleState);
  const growth = moduleState ? new ModuleGrowthProbe({ ...moduleState, threshold: config.heap.threshold }) : null;
  const handles = config.handles ? new HandlesProbe(rootDir, testFile) : null;
  // The heap probe goes last: it runs suspects again, and what those extra runs open or
  // add must not be counted by the other probes as the test's own.
  const probes: Probe[] = [
    ...(handles ? [handles] : []),
    ...(config.fds ? [new FdsProbe(rootDir)] : []),
    ...(config.listeners
      ? [new ListenersProbe([...new Set([process, testGlobal.process as NodeJS.Process])], rootDir, [process], testFile)]
      : []),
    ...(config.globals ? [new GlobalsProbe(testGlobal)] : []),
    ...(config.tempFiles ? [new TempFilesProbe(config.tempFiles.dirs, options.cacheDirectory, rootDir)] : []),
    ...options.userProbes,
    // Its one walk per file comes before the native and heap readings; its sizes are read
    // at each test's end (endTest), before any probe runs the test again.
    ...(growth ? [growth] : []),
    // Before external and heap: a native leak ends the judging, and their extra runs come after.
    ...(config.native ? [new NativeMemoryProbe(config.native.threshold, rootDir)] : []),
    ...(config.external ? [new ExternalProbe(config.external.threshold)] : []),
    heap,
  ];
  return { probes, heap };
}

/** Loaded only when snapshots are on: its hashing module alone took ~4 ms to load. */
function createSnapshotWriter(...args: ConstructorParameters<typeof SnapshotWriter>): SnapshotWriter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SnapshotWriter: Writer } = require('../heap/snapshot-writer') as typeof import('../heap/snapshot-writer');
  return new Writer(...args);
}
