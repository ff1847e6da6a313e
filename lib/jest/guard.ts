/**
 * Every call from a Jest event into the engine goes through guard(): an internal error
 * disables leakwatch for the rest of the file, with one warning, and never changes a test result.
 */
import { errorStack } from '../core/errors';
import type { MaybePromise } from '../core/maybe-async';
import type { SessionState } from './session-state';

/** Runs `action`; an error it throws or rejects with is reported, and measuring stops for the file. */
export function guard(session: SessionState, what: string, action: () => MaybePromise<void>): MaybePromise<void> {
  const failed = (error: unknown): void => {
    session.sink.warn(`internal error while ${what}; test results are unchanged: ${errorStack(error)}`);
    // A probe in an unknown state can't be trusted for the rest of the file.
    session.current = null;
    disposeProbes(session);
    if (what === 'run_finish') session.sink.print();
  };
  try {
    const pending = action();
    if (pending) return pending.then(undefined, failed);
  } catch (error) {
    failed(error);
  }
  return undefined;
}

export function disposeProbes(session: SessionState): void {
  // In reverse: probes that wrap the same fs functions (fds, temp files) unwrap in the
  // opposite order they wrapped, or each file would leave one more wrapper behind.
  const probes = session.probes;
  session.probes = [];
  for (const probe of [...probes].reverse()) {
    try {
      probe.dispose();
    } catch {
      // Best effort: a probe that can't let go is dropped all the same.
    }
  }
}
