/**
 * What the module-state checks (kept once, growth across tests) share about a holder: whether
 * its file is the project's own module, whether the user listed it as expected, and how a
 * message names it ("cache (Map) in src/api.js:2").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isProjectFile } from '../core/stack';
import type { CollectionGrowth } from './collection-growth';
import type { ModuleCollectionIndex } from './module-collections';
import { displayPath } from './retainers';

/** Test files (Jest's default testMatch) and manual mocks: their variables are the tests' fixtures, not module state. */
const TEST_FILE = /[\\/]__tests__[\\/]|[\\/]__mocks__[\\/]|\.(?:test|spec)\.[cm]?[jt]sx?$/;

/** A module-level collection: the variable (then the property, "store.byId"), its kind, its file. */
export interface Holder {
  label: string;
  kind: string;
  file: string;
}

/**
 * What the module-state checks of one test file share: the holder rules, the collections
 * found, and their sizes test by test.
 */
export interface ModuleState {
  holders: ModuleHolders;
  collections: ModuleCollectionIndex;
  growth: CollectionGrowth;
}

export interface ModuleHoldersOptions {
  rootDir: string;
  testFile: string;
  /** Holders the user expects: 'src/api.js', 'cache', 'src/api.js:cache', or a folder 'src/legacy/'. */
  allow: readonly string[];
}

export class ModuleHolders {
  /** Holders already reported in this file, by either check. */
  private readonly reported = new Set<string>();

  constructor(private readonly options: ModuleHoldersOptions) {}

  /** A module of the project's own: under rootDir, outside node_modules, not a test file or a mock. */
  isModuleFile(file: string): boolean {
    return path.isAbsolute(file) && file !== this.options.testFile && !TEST_FILE.test(file) && isProjectFile(file, this.options.rootDir);
  }

  /** Whether the user listed it as expected, or a check reported it already in this file. */
  skipped(holder: Holder): boolean {
    return this.reported.has(key(holder)) || this.allowed(holder);
  }

  markReported(holder: Holder): void {
    this.reported.add(key(holder));
  }

  /**
   * Whether the holder's source names any of these keys as a field (`settings.table`,
   * `state?.current`): a plain object's field set on first use is a lazily built value, not
   * an entry of a cache.
   */
  namesField(holder: Holder, keys: readonly string[]): boolean {
    const name = escapeRegExp(holder.label.split('.').pop()!);
    const source = sourceOf(holder.file);
    return keys.some((key) => new RegExp(`\\b${name}\\s*\\??\\.\\s*${escapeRegExp(key)}\\b`).test(source));
  }

  /** "cache (Map) in src/api.js:2". */
  name(holder: Holder): string {
    const line = declarationLine(holder.file, variableOf(holder));
    return `${holder.label} (${holder.kind}) in ${this.relative(holder.file)}${line ? `:${line}` : ''}`;
  }

  /** The allow-list entry that would name it: 'src/api.js:cache'. */
  allowEntry(holder: Holder): string {
    return `${this.relative(holder.file)}:${variableOf(holder)}`;
  }

  private allowed(holder: Holder): boolean {
    const file = this.relative(holder.file);
    const variable = variableOf(holder);
    return this.options.allow.some((entry) => {
      const colon = entry.lastIndexOf(':');
      if (colon > 0) return entry.slice(0, colon) === file && [variable, holder.label].includes(entry.slice(colon + 1));
      if (entry.endsWith('/')) return file.startsWith(entry);
      return /[./]/.test(entry) ? entry === file : entry === variable || entry === holder.label;
    });
  }

  private relative(file: string): string {
    return displayPath(file, this.options.rootDir);
  }
}

/** How the fix empties it: `cache.clear()`, `log.length = 0`, `for (const key in memo) delete memo[key]`. */
export function clearExample(holder: Holder): string {
  if (holder.kind === 'Array') return `${holder.label}.length = 0`;
  if (holder.kind === 'Object') return `for (const key in ${holder.label}) delete ${holder.label}[key]`;
  return `${holder.label}.clear()`;
}

function key(holder: Holder): string {
  return `${holder.file}:${holder.label}`;
}

function variableOf(holder: Holder): string {
  return holder.label.split('.')[0];
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The module's source on disk ('' when unreadable): the original file, not Jest's transformed copy. */
function sourceOf(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The line declaring `name` (a variable, a class, a function or a CommonJS export) in the module's source on
 * disk (1-based), or null. The inspector names the variable, not its line; the original
 * file, not Jest's transformed copy, is read.
 */
export function declarationLine(file: string, name: string): number | null {
  const text = sourceOf(file);
  if (text === '') return null;
  const escaped = name.replace(/[$]/g, '\\$');
  const declaration = new RegExp(
    `^\\s*(?:export\\s+)?(?:const|let|var)\\s+${escaped}\\b|^\\s*(?:export\\s+)?(?:const|let|var)\\s+\\{[^}]*\\b${escaped}\\b` +
      `|^\\s*(?:export\\s+)?(?:default\\s+)?(?:abstract\\s+)?(?:class|(?:async\\s+)?function\\*?)\\s+${escaped}\\b` +
      `|^\\s*(?:module\\.)?exports\\.${escaped}\\s*=[^=]`,
  );
  const lines = text.split('\n');
  const index = lines.findIndex((line) => declaration.test(line));
  return index >= 0 ? index + 1 : null;
}
