/**
 * NativeMemoryProbe: memory that native code allocates and V8 never hears of, such as an
 * addon's malloc that is never freed. Per test it reads the process's resident anonymous
 * memory minus what V8 accounts for (native-reading.ts): two reads of a few µs. That number
 * is noisy (malloc arenas keep freed pages, other threads allocate), so a test over the
 * threshold runs three times more with a full GC after each, and leaks only when every run
 * adds half the threshold again: memory a warm allocator reuses, or that a GC or the next
 * tick frees (sockets, zlib, TLS), stops growing on the second run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fullGc, getGc, type GcFunction } from '../core/gc';
import type { MaybePromise } from '../core/maybe-async';
import { closesDone } from '../core/timers';
import type { Finding, Rerun, TestInfo } from '../core/types';
import { formatBytes } from '../core/units';
import { loadedAddons, openStatm, readNative, unaccounted, type AnonymousMemoryReader } from './native-reading';
import type { Probe } from './probe';

/** Extra runs that must each add half the threshold. */
export const CONFIRMING_RUNS = 3;

/** The platform note is printed once per process (each Jest worker), not in every file. */
let platformNoted = false;
/** Addons mapped before leakwatch's first file in this process: the test runner's own (Jest 30's resolver). */
let runnerAddons: Set<string> | null = null;

export interface NativeMemoryStats {
  tests: number;
  suspects: number;
  leaks: number;
  /** For calibrating the threshold (LEAKWATCH_DEBUG): the largest growths of single tests, in KB. */
  topKb: number[];
  /** Tests that grew by 1 MB or more. */
  over1MB: number;
  /** Suspects' extra runs' growths, in KB. */
  rerunKb: number[];
}

export interface AnonymousMemorySource {
  read: AnonymousMemoryReader;
  close: () => void;
}

/** What the probe reads the process with; tests pass fakes. */
export interface NativeMemoryDeps {
  /** Null where the platform has no such reading. */
  source: AnonymousMemorySource | null;
  /** Waits for native frees scheduled by closes and finalizers. */
  settle: () => Promise<void>;
  /** Absolute paths of the native addons mapped into the process. */
  listAddons: () => string[];
}

export class NativeMemoryProbe implements Probe {
  readonly check = 'native' as const;
  readonly kind = 'memory' as const;
  readonly stats: NativeMemoryStats = { tests: 0, suspects: 0, leaks: 0, topKb: [], over1MB: 0, rerunKb: [] };
  private readonly gc: GcFunction | null = getGc();
  private readonly source: AnonymousMemorySource | null;
  private readonly deps: Omit<NativeMemoryDeps, 'source'>;
  private before: number | null = null;
  private after: number | null = null;

  constructor(
    private readonly threshold: number,
    private readonly rootDir: string,
    deps: Partial<NativeMemoryDeps> = {},
  ) {
    const { source = openStatm(), settle = closesDone, listAddons = addonsInProcess } = deps;
    this.deps = { settle, listAddons };
    this.source = this.gc ? source : null;
    if (!this.gc) source?.close();
    if (this.source) runnerAddons ??= new Set(listAddons());
  }

  startFile(): string | null {
    if (this.source || platformNoted) return null;
    platformNoted = true;
    return this.gc
      ? `native memory was not measured: this platform has no /proc/self/statm (Linux only)`
      : 'V8 would not expose gc(), so native memory was not measured';
  }

  beforeTest(): void {
    this.before = this.read();
    this.after = null;
  }

  /** Read before other probes judge: their GCs, snapshots and extra runs are not the test's. */
  endTest(): void {
    if (this.before !== null && this.after === null) this.after = this.read();
  }

  afterTest(test: TestInfo, rerun: Rerun): MaybePromise<Finding | null> {
    this.endTest();
    const { before, after } = this;
    this.before = this.after = null;
    if (before === null || after === null || !this.gc) return null;
    this.stats.tests += 1;
    this.count(after - before);
    if (after - before < this.threshold) return null;
    this.stats.suspects += 1;
    return this.confirm(this.gc, test, rerun);
  }

  private async confirm(gc: GcFunction, test: TestInfo, rerun: Rerun): Promise<Finding | null> {
    const growth = await this.runAgain(gc, rerun);
    if (!growth) return null;
    this.stats.leaks += 1;
    return this.describe(test, growth);
  }

  abandonTest(): void {
    this.before = this.after = null;
  }

  finishFile(): Array<{ test: TestInfo; finding: Finding }> {
    return [];
  }

  dispose(): void {
    this.abandonTest();
    this.source?.close();
  }

  private count(growth: number): void {
    const { stats } = this;
    if (growth >= 1024 * 1024) stats.over1MB += 1;
    stats.topKb.push(Math.round(growth / 1024));
    stats.topKb.sort((a, b) => b - a).splice(5);
  }

  private read(): number | null {
    const reading = this.source && readNative(this.source.read);
    return reading ? unaccounted(reading) : null;
  }

  /** Each extra run's growth, or null as soon as one adds less than half the threshold. */
  private async runAgain(gc: GcFunction, rerun: Rerun): Promise<number[] | null> {
    const growth: number[] = [];
    let before = await this.settledReading(gc);
    for (let run = 0; run < CONFIRMING_RUNS && before !== null; run++) {
      await rerun();
      const after = await this.settledReading(gc);
      if (after === null) return null;
      this.stats.rerunKb.push(Math.round((after - before) / 1024));
      if (after - before < this.threshold / 2) return null;
      growth.push(after - before);
      before = after;
    }
    return growth.length === CONFIRMING_RUNS ? growth : null;
  }

  /** After a full GC and a few event-loop turns: native memory freed by finalizers or closes is gone. */
  private async settledReading(gc: GcFunction): Promise<number | null> {
    fullGc(gc);
    await this.deps.settle();
    fullGc(gc);
    return this.read();
  }

  private describe(test: TestInfo, growth: number[]): Finding {
    const bytes = Math.min(...growth);
    const addons = this.deps
      .listAddons()
      .filter((file) => !runnerAddons?.has(file))
      .map((file) => (file.startsWith(this.rootDir + path.sep) ? path.relative(this.rootDir, file) : file));
    return {
      check: 'native',
      verdict: 'leak',
      summary: `leaked ~${formatBytes(bytes)} of native memory per run`,
      details: [
        `Run ${CONFIRMING_RUNS} times more with a full GC after each, the test kept ${growth.map(formatBytes).join(', ')} more ` +
          `of the process's memory (resident, anonymous) that neither V8's heap nor its external memory counts ` +
          `(threshold ${formatBytes(this.threshold)}, set by testEnvironmentOptions.leakwatch.native.threshold).`,
        'Memory V8 does not see is allocated by native code: a native addon, or a native library behind a Node API (zlib, crypto).',
        addons.length > 0
          ? `Native addons loaded since the tests started in this process: ${addons.join(', ')}.`
          : 'No native addon (.node file) is loaded in this process: look at the Node APIs the test uses (zlib streams, crypto, sqlite).',
        'Fix: close or free what the native module returns once the test is done (stream.close(), db.close(), handle.destroy()); ' +
          'check its close/destroy/free API. Objects dropped without it may keep their native memory until the process exits.',
      ],
      bytes,
    };
  }
}

/** The addons mapped into this process, leakwatch's own optional profiler excluded; [] if unreadable. */
function addonsInProcess(): string[] {
  const own = path.resolve(__dirname, '..', '..');
  try {
    const maps = fs.readFileSync('/proc/self/maps', 'latin1');
    return loadedAddons(maps, (file) => file.includes(`${path.sep}@datadog${path.sep}pprof${path.sep}`) || file.startsWith(own));
  } catch {
    return [];
  }
}
