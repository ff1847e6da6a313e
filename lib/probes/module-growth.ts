/**
 * ModuleGrowthProbe: a module-level collection of the project's that grows test after test,
 * each test adding its own entries, such as a cache keyed on input that a suite fills with
 * different inputs. No single test need keep the threshold, so the heap probe never sees it.
 * At the first measured test the collections its code reaches are found once
 * (heap/module-collections.ts, ~15-25 ms); then each test costs a size read per collection.
 * Judged at the file's end, after its afterAll hooks, as a finding about the file.
 */
import { errorMessage } from '../core/errors';
import { quoteTestName } from '../core/test-names';
import type { Finding, TestInfo } from '../core/types';
import { formatBytes } from '../core/units';
import { MIN_GROWING_TESTS, type GrownCollection } from '../heap/collection-growth';
import { clearExample, type Holder, type ModuleState } from '../heap/module-holders';
import { scriptFile } from '../heap/script-files';
import type { Probe } from './probe';

/**
 * Inspector calls for the walk at the file's first test, which every file pays: the nearest
 * scopes (the test file's, the modules it requires) come first, and a suspect's kept-once
 * walk goes on from where this one stopped.
 */
const FIRST_WALK_CALLS = 100;
/** Sizes are estimated up to this many thresholds, then printed as "over". */
const SIZE_CAP_THRESHOLDS = 8;
/** Tests named in the message at most. */
const NAMED_TESTS = 5;

export interface ModuleGrowthStats {
  /** Collections followed in this file. */
  watchedCollections: number;
  /** Of those, grown by MIN_GROWING_TESTS tests or more (under the threshold or not), and the largest's KB. */
  grewInThreeTests: number;
  largestKb: number;
  /** Milliseconds the walk that found them took. */
  walkMs: number;
}

export interface ModuleGrowthOptions extends ModuleState {
  threshold: number;
}

export class ModuleGrowthProbe implements Probe {
  readonly check = 'heap' as const;
  readonly kind = 'memory' as const;
  readonly stats: ModuleGrowthStats = { watchedCollections: 0, walkMs: 0, grewInThreeTests: 0, largestKb: 0 };
  private looked = false;
  /** How many of the index's collections were offered to the growth tracker so far. */
  private offered = 0;
  private problem: string | null = null;

  constructor(private readonly options: ModuleGrowthOptions) {}

  /** Shared with the kept-once check, which asks what the last test added to a plain object. */
  private get growth() {
    return this.options.growth;
  }

  startFile(): string | null {
    return null;
  }

  beforeTest(test?: TestInfo): void {
    if (!test) return;
    if (!this.looked && test.code) {
      this.looked = true;
      this.watchReachable(test.code());
    } else if (this.options.collections.size !== this.offered) {
      // The kept-once check found more from a suspect's code (a describe block's, or what a
      // beforeEach hook set): follow those too, from now on.
      this.watch(this.options.collections.reach([]));
    }
    this.growth.testStarted(test.name);
  }

  endTest(): void {
    this.growth.testEnded();
  }

  afterTest(): null {
    this.growth.testJudged();
    return null;
  }

  abandonTest(): void {
    this.growth.testAbandoned();
  }

  /** After the file's afterAll hooks: what they cleared no longer counts. */
  finishFileWindow(): Finding | null {
    if (this.problem) {
      this.growth.clear();
      return {
        check: 'heap',
        verdict: 'unconfirmed',
        summary: 'was not checked for module-level collections that grow test after test (not failed)',
        details: [`${this.problem}.`],
      };
    }
    const holders = this.options.holders;
    // Past a few times the threshold the size says no more, and costs a walk of all it reaches.
    const candidates = this.growth.grown(this.options.threshold * SIZE_CAP_THRESHOLDS);
    this.stats.grewInThreeTests = candidates.length;
    this.stats.largestKb = Math.round((candidates[0]?.bytes ?? 0) / 1024);
    const grown = candidates.flatMap((collection) => {
      if (collection.bytes < this.options.threshold) return [];
      const file = scriptFile(collection.scriptId);
      const holder = { ...collection, file };
      return holders.isModuleFile(file) && !holders.skipped(holder) ? [holder] : [];
    });
    this.growth.clear();
    if (grown.length === 0) return null;
    for (const holder of grown) holders.markReported(holder);
    return this.finding(grown);
  }

  finishFile(): Array<{ test: TestInfo; finding: Finding }> {
    return [];
  }

  dispose(): void {
    this.growth.clear();
    this.options.collections.dispose();
  }

  private watchReachable(code: readonly object[]): void {
    if (code.length === 0) return;
    const started = performance.now();
    try {
      this.watch(this.options.collections.reach(code, FIRST_WALK_CALLS));
    } catch (error) {
      this.problem = `module-level collections could not be found: ${errorMessage(error)}`;
    }
    this.stats.walkMs = Math.round(performance.now() - started);
  }

  /** Offers the index's collections to the growth tracker, which leaves some out (a big table). */
  private watch(collections: ReturnType<ModuleState['collections']['reach']>): void {
    this.growth.watch(collections);
    this.offered = this.options.collections.size;
    this.stats.watchedCollections = this.growth.size;
  }

  private finding(grown: Array<GrownCollection & Holder>): Finding {
    const first = grown[0];
    const bytes = grown.reduce((sum, collection) => sum + collection.bytes, 0);
    const names = grown.map((collection) => this.describe(collection));
    return {
      check: 'heap',
      verdict: 'leak',
      summary: `grew module-level state test after test: ${names.join('; ')}`,
      details: [
        `Grown by ${namedTests(first.tests)}, and still held after the file's afterAll hooks ` +
          `(size estimated from the values; threshold ${formatBytes(this.options.threshold)}, set by testEnvironmentOptions.leakwatch.heap.threshold).`,
        `Each of these tests added entries of its own: a cache keyed on its input grows with every new input, so in a long-running process it has no bound.`,
        `Fix: bound it (an LRU with a maximum size), or clear it in afterEach (e.g. ${clearExample(first)}). ` +
          `If it is meant to grow, list it in testEnvironmentOptions.leakwatch.heap.keptOnce.allow (e.g. '${this.options.holders.allowEntry(first)}').`,
      ],
      bytes,
    };
  }

  /** "cache (Map) in src/thumbnails.js:3, +12 entries in 12 tests, ~3.1 MB". */
  private describe(collection: GrownCollection & Holder): string {
    const entries = `+${collection.entries} ${collection.entries === 1 ? 'entry' : 'entries'}`;
    const cap = this.options.threshold * SIZE_CAP_THRESHOLDS;
    const size = collection.bytes > cap ? `over ${formatBytes(cap)}` : `~${formatBytes(collection.bytes)}`;
    return `${this.options.holders.name(collection)}, ${entries} in ${collection.tests.length} tests, ${size}`;
  }
}

/** '"a", "b", "c" and 9 more tests' (at least MIN_GROWING_TESTS names). */
function namedTests(tests: readonly string[]): string {
  const named = tests.slice(0, Math.max(MIN_GROWING_TESTS, NAMED_TESTS)).map(quoteTestName);
  const more = tests.length - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more tests` : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
}
