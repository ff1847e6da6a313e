/** The handles probe's finding: when its grace period can end early, and what its message says. */
import { eventLoopNow, msUntilFires } from '../core/timers';
import type { Finding } from '../core/types';
import { counted } from '../core/units';
import { describeHandle } from './handle-names';
import type { OpenHandle } from './tracked-resource';
import { WindowTimerKind } from './window-timers';

/**
 * Whether every handle left is a timer that will not fire before the grace period ends: a
 * library's 3 s housekeeping timer is as open at its end as now (swr's tests left 267, each
 * waited the whole grace period). A margin covers the event loop's coarse clock.
 */
export function timersNotDueBy(left: OpenHandle[], msLeft: number): boolean {
  if (left.some((handle) => handle.type !== 'Timeout')) return false;
  const now = eventLoopNow();
  return (
    now !== null &&
    left.every((handle) => {
      const due = msUntilFires(handle.resource?.deref(), now);
      return due !== null && due > msLeft + 10;
    })
  );
}

/** One line per handle left open, then what to do; null when none is. */
export function handlesFinding(lines: string[], advice: string): Finding | null {
  if (lines.length === 0) return null;
  return {
    check: 'handles',
    verdict: 'leak',
    summary: `leaked ${counted(lines.length, 'open handle')}`,
    details: [...lines, advice],
  };
}

export function nameOf(handle: OpenHandle): string {
  return describeHandle({
    type: handle.type,
    resource: handle.resource?.deref(),
    windowInterval: handle.windowTimer?.kind === WindowTimerKind.Interval,
  });
}
