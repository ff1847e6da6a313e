import type { Finding } from '../../core/types';
import { actionFor, FindingAction } from '../verdict';

const finding = (verdict: Finding['verdict']): Finding => ({ check: 'heap', verdict, summary: 'leaked ~1.0 MB of heap', details: [] });

describe('actionFor', () => {
  test('a confirmed leak fails the test in fail mode', () => {
    expect(actionFor(finding('leak'), 'fail', false)).toBe(FindingAction.Fail);
  });

  test('a confirmed leak only warns in warn mode', () => {
    expect(actionFor(finding('leak'), 'warn', false)).toBe(FindingAction.Warn);
  });

  test('a leak listed in the baseline is known, in any mode', () => {
    expect(actionFor(finding('leak'), 'fail', true)).toBe(FindingAction.Known);
    expect(actionFor(finding('leak'), 'warn', true)).toBe(FindingAction.Known);
  });

  test('an unconfirmed finding only warns, even in fail mode and in the baseline', () => {
    expect(actionFor(finding('unconfirmed'), 'fail', false)).toBe(FindingAction.Warn);
    expect(actionFor(finding('unconfirmed'), 'fail', true)).toBe(FindingAction.Warn);
  });
});
