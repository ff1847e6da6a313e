/**
 * The kept-once check of one test file: for a suspect that repetition cleared (its extra
 * runs add nothing), whether a module-level collection of the project's, reached from the
 * test's code (module-collections.ts), holds at least the threshold in its newest entries,
 * and whether the test is what put them there (kept-once-cause.ts). At most MAX_CHECKS per
 * file, and the message says what holds the memory and what to do.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../core/errors';
import { isProjectFile } from '../core/stack';
import type { Finding } from '../core/types';
import { formatBytes } from '../core/units';
import { newestEntriesHolding } from './entry-size';
import { rerunPutsBack } from './kept-once-cause';
import { reachableCollections, scriptFiles, type ModuleCollection } from './module-collections';
import { displayPath } from './retainers';

/** Checks per file at most. */
const MAX_CHECKS = 3;
/** The bound is the most a test kept; this much over it still counts (the size is estimated). */
const LIMIT_SLACK = 1.25;
/** Test files (Jest's default testMatch): their variables are the test's fixtures, not module state. */
const TEST_FILE = /[\\/]__tests__[\\/]|\.(?:test|spec)\.[cm]?[jt]sx?$/;

/** A module-level collection whose newest entries the test put there. */
export interface KeptHolder {
  label: string;
  kind: string;
  file: string;
  entries: number;
  bytes: number;
}

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
  /** Holders already reported in this file, by file and label. */
  private readonly reported = new Set<string>();

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
      // Scripts known from an earlier check and not the project's (Jest's, Node's, libraries') are not followed.
      const known = scriptFiles();
      collections = reachableCollections(code, this.options.realmGlobals, (scriptId) => {
        const file = known.get(scriptId);
        return file === undefined || isProjectFile(file, this.options.rootDir);
      });
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
      const file = scriptFiles(collection.scriptId).get(collection.scriptId) ?? '';
      if (!this.isModuleFile(file)) continue;
      const holder = { label: collection.label, kind: collection.kind, file, ...newest };
      if (this.allowed(holder) || this.reported.has(this.key(holder))) continue;
      if (await causedBy(collection.value, newest.entries, rerun)) kept.push(holder);
    }
    if (kept.length === 0) return null;
    for (const holder of kept) this.reported.add(this.key(holder));
    return this.finding(kept.sort((a, b) => b.bytes - a.bytes));
  }

  /** A module of the project's own: under rootDir, outside node_modules, not a test file. */
  private isModuleFile(file: string): boolean {
    return path.isAbsolute(file) && file !== this.options.testFile && !TEST_FILE.test(file) && isProjectFile(file, this.options.rootDir);
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
        `Put there by this test and still held after it by a module-level variable: run once more with those entries ` +
          `taken out, the test put them back (size estimated from the values; threshold ${formatBytes(this.options.threshold)}, ` +
          `set by testEnvironmentOptions.leakwatch.heap.threshold).`,
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

/** rerunPutsBack, where a collection that refuses changes (a frozen array) is not the test's. */
async function causedBy(collection: object, entries: number, rerun: () => Promise<void>): Promise<boolean> {
  try {
    return await rerunPutsBack(collection, entries, rerun);
  } catch {
    return false;
  }
}
