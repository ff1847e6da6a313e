/**
 * Known leaks, for adopting leakwatch on a codebase that already leaks: a leak listed in the
 * baseline file (`leakwatch.baseline.json` under rootDir by default) warns instead of failing;
 * any other fails. `npx leakwatch baseline` rewrites the file from the last report, so the list
 * only changes when someone runs it and commits the result (a ratchet, as linters do).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LeakwatchConfigError } from '../core/config-error';

export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  /** Test file, relative to rootDir, with forward slashes. */
  file: string;
  /** The test's full name. */
  test: string;
  /** The check that found it: heap, external, handles, … or a user probe's name. */
  check: string;
}

export interface BaselineFile {
  version: typeof BASELINE_VERSION;
  leaks: BaselineEntry[];
}

export class Baseline {
  private readonly keys: Set<string>;

  constructor(readonly entries: BaselineEntry[]) {
    this.keys = new Set(entries.map(keyOf));
  }

  has(entry: BaselineEntry): boolean {
    return this.keys.has(keyOf(entry));
  }
}

export function relativeTestFile(rootDir: string, testPath: string): string {
  return path.relative(rootDir, testPath).split(path.sep).join('/');
}

/** The baseline at `file`, an empty one when there is no file; bad content is a config error. */
export function loadBaseline(file: string, option = 'testEnvironmentOptions.leakwatch.baseline'): Baseline {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Baseline([]);
    throw new LeakwatchConfigError(`${option}: cannot read ${file} (${(error as Error).message}).`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LeakwatchConfigError(
      `${option}: ${file} is not JSON (${(error as Error).message}); regenerate it with \`npx leakwatch baseline\`.`,
    );
  }
  const leaks = (parsed as Partial<BaselineFile> | null)?.leaks;
  if (!Array.isArray(leaks) || !leaks.every(isEntry)) {
    throw new LeakwatchConfigError(
      `${option}: ${file} must be {"version": 1, "leaks": [{"file", "test", "check"}, …]} with strings; regenerate it with \`npx leakwatch baseline\`.`,
    );
  }
  return new Baseline(leaks);
}

export function writeBaseline(file: string, entries: BaselineEntry[]): void {
  const unique = new Map(entries.map((entry) => [keyOf(entry), { file: entry.file, test: entry.test, check: entry.check }]));
  const leaks = [...unique.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  const content: BaselineFile = { version: BASELINE_VERSION, leaks };
  fs.writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
}

function keyOf(entry: BaselineEntry): string {
  return JSON.stringify([entry.file, entry.test, entry.check]);
}

function isEntry(value: unknown): value is BaselineEntry {
  const entry = value as Record<string, unknown> | null;
  return !!entry && typeof entry.file === 'string' && typeof entry.test === 'string' && typeof entry.check === 'string';
}
