/**
 * What the session tells every probe about whose code runs now: the file's own, the user's,
 * or jest-circus's.
 */
import { inOrder, type MaybePromise } from '../core/maybe-async';
import type { FilePhase } from '../core/types';
import type { Probe } from '../probes/probe';

export function fileCodeRunning(probes: readonly Probe[], phase: FilePhase | null): MaybePromise<void> {
  return inOrder(probes, (probe) => probe.fileCodeRunning?.(phase));
}

export function userCodeRan(probes: readonly Probe[]): void {
  for (const probe of probes) probe.userCodeRan?.();
}

/** jest-circus is about to set a hook's or test's time-limit timer: not the test's handle. */
export function runnerTimerStarting(probes: readonly Probe[], delay: number): void {
  for (const probe of probes) probe.runnerTimerStarting?.(delay);
}
