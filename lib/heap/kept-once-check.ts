/**
 * The kept-once check of one test file: for a suspect that repetition cleared (its extra
 * runs add nothing), whether a module-level collection of the project's, reached from the
 * test's code (reachable-collections.ts), holds at least the threshold in its newest entries,
 * and whether the test is what put them there (kept-once-cause.ts). At most MAX_CHECKS per
 * file, and the message says what holds the memory and what to do.
 */
import { errorMessage } from '../core/errors';
import type { Finding } from '../core/types';
import { formatBytes } from '../core/units';
import { newestEntriesHolding, ownDataProperties } from './entry-size';
import { rerunPutsBack } from './kept-once-cause';
import { clearExample, type Holder, type ModuleState } from './module-holders';
import type { ModuleCollection } from './reachable-collections';
import { scriptFile } from './script-files';

/** Inspector calls per check's walk: it goes on from the file's earlier walks (module-collections.ts). */
const WALK_CALLS = 100;
/** Checks per file at most. */
const MAX_CHECKS = 3;
/** The bound is the most a test kept; this much over it still counts (the size is estimated). */
const LIMIT_SLACK = 1.25;

/** A module-level collection whose newest entries the test put there. */
export interface KeptHolder extends Holder {
  entries: number;
  bytes: number;
}

export interface KeptOnceCheckOptions extends ModuleState {
  threshold: number;
}

export class KeptOnceCheck {
  private checks = 0;

  constructor(private readonly options: KeptOnceCheckOptions) {}

  /** Whether this file has checks left. */
  mayCheck(): boolean {
    return this.checks < MAX_CHECKS;
  }

  /**
   * The finding for a suspect whose extra runs added nothing, or null. `bound`: the most the
   * test kept; `code`: its body and hooks; `rerun`: runs it once more.
   */
  async check(bound: number, code: readonly object[], rerun: () => Promise<void>): Promise<Finding | null> {
    this.checks += 1;
    let collections: ModuleCollection[];
    try {
      collections = this.options.collections.reach(code, WALK_CALLS);
    } catch (error) {
      return {
        check: 'heap',
        verdict: 'unconfirmed',
        summary: `grew the heap by up to ${formatBytes(bound)} (unconfirmed, not failed)`,
        details: [`leakwatch could not check whether module-level state kept it: ${errorMessage(error)}.`],
        bytes: bound,
      };
    }
    const big = collections.flatMap((collection) => {
      const newest = newestEntriesHolding(collection.value, this.options.threshold, bound * LIMIT_SLACK);
      return newest ? [{ collection, newest }] : [];
    });
    if (big.length === 0) return null;
    const kept: KeptHolder[] = [];
    for (const { collection, newest } of big) {
      const file = scriptFile(collection.scriptId);
      const holder = { label: collection.label, kind: collection.kind, file, ...newest };
      if (!this.options.holders.isModuleFile(file) || this.options.holders.skipped(holder)) continue;
      if (collection.kind === 'Object' && !this.entriesOfTest(collection.value, holder)) continue;
      if (await causedBy(collection.value, newest.entries, rerun)) kept.push(holder);
    }
    if (kept.length === 0) return null;
    for (const holder of kept) this.options.holders.markReported(holder);
    return this.finding(kept.sort((a, b) => b.bytes - a.bytes));
  }

  /**
   * Whether a plain object's newest keys are entries the test added: it added that many keys
   * (a record whose field the test set again, `state.current = …`, holds a value, not entries),
   * and its module does not name them as fields (`settings.table ??= …`, built on first use).
   */
  private entriesOfTest(object: object, holder: KeptHolder): boolean {
    if ((this.options.growth.addedByLastTest(object) ?? 0) < holder.entries) return false;
    const keys = ownDataProperties(object)
      .slice(-holder.entries)
      .map(([key]) => key);
    return !this.options.holders.namesField(holder, keys);
  }

  private finding(holders: KeptHolder[]): Finding {
    const first = holders[0];
    const bytes = holders.reduce((sum, holder) => sum + holder.bytes, 0);
    const names = holders.map((holder) => this.describe(holder));
    const example = this.options.holders.allowEntry(first);
    return {
      check: 'heap',
      verdict: 'leak',
      summary: `kept ~${formatBytes(bytes)} in module-level state: ${names.join('; ')}`,
      details: [
        `Put there by this test and still held after it by a module-level variable: run once more with those entries ` +
          `taken out, the test put them back (size estimated from the values; threshold ${formatBytes(this.options.threshold)}, ` +
          `set by testEnvironmentOptions.leakwatch.heap.threshold).`,
        'Run again with the same input, the test adds nothing: the memory stays, but does not grow. ' +
          'A cache keyed on its input grows with every new input, so in a long-running process it has no bound.',
        `Fix: bound it (an LRU with a maximum size), or clear it in afterEach (e.g. ${clearExample(first)}). ` +
          `If it is meant to stay, call leakwatch.ignore('heap') in this test, or list it in ` +
          `testEnvironmentOptions.leakwatch.heap.keptOnce.allow (e.g. '${example}').`,
      ],
      bytes,
    };
  }

  /** "cache (Map) in src/api.js:2, +1 entry, ~2.3 MB". */
  private describe(holder: KeptHolder): string {
    const entries = `+${holder.entries} ${holder.entries === 1 ? 'entry' : 'entries'}`;
    return `${this.options.holders.name(holder)}, ${entries}, ~${formatBytes(holder.bytes)}`;
  }
}

/** rerunPutsBack, where a collection that refuses changes (a frozen array) is not the test's. */
async function causedBy(collection: object, entries: number, rerun: () => Promise<void>): Promise<boolean> {
  try {
    return await rerunPutsBack(collection, entries, rerun);
  } catch {
    return false;
  }
}
