/**
 * Where one test file's findings and warnings go: an error on the test, the file's own error,
 * a warning printed at the file's end, and the report's record.
 */
import type { Circus } from '@jest/types';
import type { Mode } from '../core/config';
import type { Finding, TestInfo } from '../core/types';
import type { Baseline } from '../report/baseline';
import type { RecordWriter } from '../report/record-writer';
import { fileLeakError, formatFileFinding, formatFinding, leakError } from './leak-error';
import { actionFor, FindingAction } from './verdict';

/** The test name a baseline entry gives for a file-level leak. */
export const FILE_LEVEL = '(test file)';

export interface FindingSinkOptions {
  mode: Mode;
  /** The baseline file's path, for the "known leak" note. */
  baselinePath: string | null;
  baseline: Baseline | null;
  recordWriter: RecordWriter | null;
  /** The test file relative to rootDir, with forward slashes. */
  file: string;
}

export class FindingSink {
  /** Warnings not printed yet. */
  private readonly pending: string[] = [];
  /** Everything printed or failed, for the report record. */
  private readonly printed: string[] = [];
  private readonly fileFailures: string[] = [];

  constructor(private readonly options: FindingSinkOptions) {}

  warn(text: string): void {
    this.pending.push(text);
  }

  /** A test's finding: fails the test, or warns. */
  testFinding(test: Circus.TestEntry, info: TestInfo, finding: Finding): void {
    const action = this.actionFor(info.name, finding);
    this.options.recordWriter?.finding(info.id, { ...finding, verdict: action === FindingAction.Known ? 'known' : finding.verdict });
    if (action === FindingAction.Fail) test.errors.push(leakError(info.name, finding));
    else this.pending.push(`${formatFinding(info.name, finding)}${this.knownNote(action)}`);
  }

  /**
   * A finding about what the file's own code left open. A failure goes where jest-circus puts
   * an afterAll hook's error: the file fails, every test keeps its result.
   */
  fileFinding(state: Circus.State, finding: Finding): void {
    const action = this.actionFor(FILE_LEVEL, finding);
    const text = formatFileFinding(this.options.file, finding);
    if (action === FindingAction.Fail) {
      state.unhandledErrors.push(fileLeakError(this.options.file, finding));
      this.fileFailures.push(text);
    } else {
      this.pending.push(`${text}${this.knownNote(action)}`);
    }
  }

  /** Every warning and file failure so far, for the report record. */
  forRecord(): string[] {
    return [...this.fileFailures, ...this.printed, ...this.pending];
  }

  /** Prints the pending warnings to stderr under the file's name. */
  print(): void {
    if (this.pending.length === 0) return;
    // Straight to stderr: the test console would print leakwatch's own code frame beside it.
    process.stderr.write(`leakwatch: ${this.options.file}:\n  ${this.pending.join('\n  ')}\n`);
    this.printed.push(...this.pending);
    this.pending.length = 0;
  }

  private actionFor(testName: string, finding: Finding): FindingAction {
    const { baseline, file, mode } = this.options;
    return actionFor(finding, mode, !!baseline?.has({ file, test: testName, check: finding.check }));
  }

  private knownNote(action: FindingAction): string {
    return action === FindingAction.Known ? `\n  Known leak, listed in ${this.options.baselinePath}: not failed.` : '';
  }
}
