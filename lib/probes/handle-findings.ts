/** The handles probe's finding: when its grace period can end early, and what its message says. */
import { eventLoopNow, msUntilFires } from '../core/timers';
import type { Finding } from '../core/types';
import { counted } from '../core/units';
import { describeHandle } from './handle-names';
import type { OpenHandle, Resource } from './tracked-resource';
import { WindowTimerKind } from './window-timers';

/**
 * Handle types that close only when code calls close() on them: a listening server, a
 * watcher, a signal handler. A socket or a child process can end from the other side.
 */
const CLOSED_ONLY_BY_CODE = new Set(['TCPSERVERWRAP', 'PIPESERVERWRAP', 'FSEVENTWRAP', 'STATWATCHER', 'SIGNALWRAP', 'UDPWRAP']);

/**
 * Whether every handle left is sure to be open when the grace period ends, so waiting longer
 * tells nothing: a timer that will not fire by then (a library's 3 s housekeeping timer: swr's
 * tests left 267, each waited the whole grace period), or a server or watcher when nothing
 * else of the test is open to call back and close it (koa's suite left a listening server in
 * 94 tests, each waited 100 ms). `open`: every handle of the test still open, a library's
 * too. A margin covers the event loop's coarse clock.
 */
export function certainToStayOpen(open: Resource[], msLeft: number): boolean {
  const timers = open.filter((handle) => !CLOSED_ONLY_BY_CODE.has(handle.type));
  if (timers.some((handle) => handle.type !== 'Timeout')) return false;
  if (timers.length === 0) return true;
  const now = eventLoopNow();
  return (
    now !== null &&
    timers.every((handle) => {
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
