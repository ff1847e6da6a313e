/** What a finding does to its test: fail it, or print a warning. */
import type { Mode } from '../core/config';
import type { Finding } from '../core/types';

export enum FindingAction {
  /** A confirmed leak in fail mode: an error on the test. */
  Fail = 'fail',
  /** Unconfirmed, or mode 'warn': printed at the file's end, the test passes. */
  Warn = 'warn',
  /** A leak listed in the baseline file: printed as known, the test passes. */
  Known = 'known',
}

export function actionFor(finding: Finding, mode: Mode, inBaseline: boolean): FindingAction {
  if (finding.verdict !== 'leak') return FindingAction.Warn;
  if (inBaseline) return FindingAction.Known;
  return mode === 'fail' ? FindingAction.Fail : FindingAction.Warn;
}
