/**
 * What each jest-circus event means for the probes, one block per event, as jest-circus's
 * own eventHandler. LeakwatchSession (session.ts) calls it through guard() while measuring.
 */
import type { Circus } from '@jest/types';
import { whenReady, type MaybePromise } from '../core/maybe-async';
import { addMeasuringHook } from './measuring-hook';
import { fileCodeRunning, runnerTimerStarting, userCodeRan } from './probe-signals';
import { finishRun } from './run-finish';
import type { SessionState } from './session-state';
import { abandonTest, measureCurrentTest, startTest } from './test-lifecycle';
import { countConcurrentTests } from './test-tree';

/** Events on which jest-circus installs its own error listeners at 'setup' (Jest 29: the first two). */
const CIRCUS_ERROR_EVENTS = ['uncaughtException', 'unhandledRejection', 'rejectionHandled'];

export function eventHandler(session: SessionState, event: Circus.Event, state: Circus.State): MaybePromise<void> {
  switch (event.name) {
    case 'setup': {
      // jest-circus has just replaced the process's error listeners with its own.
      for (const probe of session.probes) probe.runnerInstalledListeners?.(CIRCUS_ERROR_EVENTS);
      break;
    }
    case 'run_start': {
      return whenReady(fileCodeRunning(session.probes, null), () => {
        session.pendingConcurrent = countConcurrentTests(state.rootDescribeBlock);
        for (const probe of session.probes) {
          const problem = probe.startFile();
          if (problem) session.sink.warn(problem);
        }
        addMeasuringHook(state, () => measureCurrentTest(session, state.testTimeout));
      });
    }
    case 'hook_start': {
      const timeout = event.hook.timeout || state.testTimeout;
      if (event.hook.type === 'beforeAll' || event.hook.type === 'afterAll') {
        userCodeRan(session.probes);
        return whenReady(fileCodeRunning(session.probes, event.hook.type), () => runnerTimerStarting(session.probes, timeout));
      }
      runnerTimerStarting(session.probes, timeout);
      break;
    }
    case 'hook_success':
    case 'hook_failure': {
      if (event.hook.type === 'beforeAll' || event.hook.type === 'afterAll') return fileCodeRunning(session.probes, null);
      break;
    }
    case 'test_fn_start': {
      runnerTimerStarting(session.probes, event.test.timeout || state.testTimeout);
      break;
    }
    case 'test_start': {
      return startTest(session, event.test);
    }
    case 'test_skip':
    case 'test_todo': {
      abandonTest(session);
      break;
    }
    case 'test_done': {
      if (event.test.concurrent) session.pendingConcurrent = Math.max(0, session.pendingConcurrent - 1);
      // Measured by the hook already; else the hook never ran for it: nothing to judge.
      if (session.current?.test === event.test) abandonTest(session);
      break;
    }
    case 'run_finish': {
      return finishRun(session, state);
    }
    default:
      break;
  }
  return undefined;
}
