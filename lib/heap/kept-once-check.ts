/**
 * The kept-once check of one test file: for a suspect that repetition cleared (its extra
 * runs add nothing), a heap snapshot after the test says whether a module-level collection
 * of the project's gained entries holding at least the threshold (heap/kept-once.ts). Only
 * such suspects pay for it, at most MAX_CHECKS per file, and the message says what holds the
 * memory and what to do.
 */
import * as fs from 'node:fs';
import { errorMessage } from '../core/errors';
import type { Finding } from '../core/types';
import { formatBytes } from '../core/units';
import { objectOfSnapshotId, rerunPutsBack } from './kept-once-cause';
import { findKeptOnce, type KeptHolder } from './kept-once';
import { takeSnapshotText } from './heap-snapshot';
import { displayPath, notRetaining } from './retainers';
import { maxObjectId, parseSnapshot, shortestPaths } from './snapshot-parser';

/** Snapshots per file at most: each takes ~1 s at a 20 MB heap. */
const MAX_CHECKS = 3;
/** The bound is the most a test kept; this much over it still counts (sizes in snapshots differ a little). */
const LIMIT_SLACK = 1.25;

export interface KeptOnceCheckOptions {
  rootDir: string;
  testFile: string;
  threshold: number;
  /** Holders the user expects: 'src/api.js', 'cache', 'src/api.js:cache', or a folder 'src/legacy/'. */
  allow: readonly string[];
  /** The globals of the realms the project's modules run in: the test's, and this one. */
  realmGlobals: readonly object[];
}

export class KeptOnceCheck {
  private checks = 0;
  /** The largest object id of this file's last snapshot: newer objects were made after it. */
  private maxIdBefore: number | null = null;
  /** Entries of each holder (by object id) in that snapshot. */
  private entriesBefore = new Map<number, number>();
  /** Holders already reported in this file, by file and label. */
  private readonly reported = new Set<string>();

  constructor(private readonly options: KeptOnceCheckOptions) {}

  /** Whether this file has checks left. */
  mayCheck(): boolean {
    return this.checks < MAX_CHECKS;
  }

  /**
   * The finding for a suspect whose extra runs added nothing, or null. `bound`: the most the
   * test kept; `rerun`: runs the test once more (kept-once-cause.ts).
   */
  async check(bound: number, rerun: () => Promise<void>): Promise<Finding | null> {
    this.checks += 1;
    let holders: KeptHolder[];
    try {
      const snapshot = parseSnapshot(await takeSnapshotText());
      const tree = shortestPaths(snapshot, (node, edgeType, name) => notRetaining(snapshot, node, edgeType, name));
      const entriesNow = new Map<number, number>();
      holders = findKeptOnce(
        snapshot,
        tree,
        {
          rootDir: this.options.rootDir,
          testFile: this.options.testFile,
          threshold: this.options.threshold,
          limit: bound * LIMIT_SLACK,
          maxIdBefore: this.maxIdBefore,
          entriesBefore: this.entriesBefore,
        },
        entriesNow,
      );
      this.maxIdBefore = maxObjectId(snapshot);
      this.entriesBefore = entriesNow;
    } catch (error) {
      return {
        check: 'heap',
        verdict: 'unconfirmed',
        summary: `grew the heap by up to ${formatBytes(bound)} (unconfirmed, not failed)`,
        details: [`leakwatch could not check whether module-level state kept it: ${errorMessage(error)}.`],
        bytes: bound,
      };
    }
    const fresh: KeptHolder[] = [];
    for (const holder of holders) {
      if (this.allowed(holder) || this.reported.has(this.key(holder))) continue;
      const live = objectOfSnapshotId(holder.id, this.options.realmGlobals);
      if (live !== null && (await rerunPutsBack(live, holder.entries, rerun))) fresh.push(holder);
    }
    if (fresh.length === 0) return null;
    for (const holder of fresh) this.reported.add(this.key(holder));
    return this.finding(fresh);
  }

  private finding(holders: KeptHolder[]): Finding {
    const first = holders[0];
    const bytes = holders.reduce((sum, holder) => sum + holder.bytes, 0);
    const names = holders.map((holder) => this.describe(holder));
    const example = `${this.relative(first.file)}:${first.label.split('.')[0]}`;
    return {
      check: 'heap',
      verdict: 'leak',
      summary: `kept ~${formatBytes(bytes)} in module-level state: ${names.join('; ')}`,
      details: [
        `Allocated while the test ran and still held after it by a module-level variable (heap snapshot after the test; ` +
          `threshold ${formatBytes(this.options.threshold)}, set by testEnvironmentOptions.leakwatch.heap.threshold).`,
        'Run again with the same input, the test adds nothing: the memory stays, but does not grow. ' +
          'A cache keyed on its input grows with every new input, so in a long-running process it has no bound.',
        `Fix: bound it (an LRU with a maximum size), or clear it in afterEach (e.g. ${first.label}.clear()). ` +
          `If it is meant to stay, call leakwatch.ignore('heap') in this test, or list it in ` +
          `testEnvironmentOptions.leakwatch.heap.keptOnce.allow (e.g. '${example}').`,
      ],
      bytes,
    };
  }

  /** "cache (Map) in src/api.js:2, +1 entry, ~2.3 MB". */
  private describe(holder: KeptHolder): string {
    const line = declarationLine(holder.file, holder.label.split('.')[0]);
    const where = `${this.relative(holder.file)}${line ? `:${line}` : ''}`;
    const entries = `+${holder.entries} ${holder.entries === 1 ? 'entry' : 'entries'}`;
    return `${holder.label} (${holder.kind}) in ${where}, ${entries}, ~${formatBytes(holder.bytes)}`;
  }

  private allowed(holder: KeptHolder): boolean {
    const file = this.relative(holder.file);
    const variable = holder.label.split('.')[0];
    return this.options.allow.some((entry) => {
      const colon = entry.lastIndexOf(':');
      if (colon > 0) return entry.slice(0, colon) === file && [variable, holder.label].includes(entry.slice(colon + 1));
      if (entry.endsWith('/')) return file.startsWith(entry);
      return /[./]/.test(entry) ? entry === file : entry === variable || entry === holder.label;
    });
  }

  private key(holder: KeptHolder): string {
    return `${holder.file}:${holder.label}`;
  }

  private relative(file: string): string {
    return displayPath(file, this.options.rootDir);
  }
}

/**
 * The line declaring `name` in the module's source on disk (1-based), or null. The snapshot
 * names the variable, not its line; the original file, not Jest's transformed copy, is read.
 */
export function declarationLine(file: string, name: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const escaped = name.replace(/[$]/g, '\\$');
  const declaration = new RegExp(
    `^\\s*(?:export\\s+)?(?:const|let|var)\\s+${escaped}\\b|^\\s*(?:export\\s+)?(?:const|let|var)\\s+\\{[^}]*\\b${escaped}\\b`,
  );
  const lines = text.split('\n');
  const index = lines.findIndex((line) => declaration.test(line));
  return index >= 0 ? index + 1 : null;
}
