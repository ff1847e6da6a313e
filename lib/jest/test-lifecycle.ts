/**
 * One test's measuring: its probes start at test_start, it is judged in the measuring hook
 * (measuring-hook.ts), or it is abandoned when the hook never runs for it.
 */
import type { Circus } from '@jest/types';
import { inOrder, whenReady, type MaybePromise } from '../core/maybe-async';
import type { TestInfo } from '../core/types';
import { judgeTest } from '../probes/judge-test';
import { guard } from './guard';
import { userCodeRan } from './probe-signals';
import { rerunTest, testCode } from './rerun';
import type { Measured, SessionState } from './session-state';
import { fullTestName } from './test-tree';

export function startTest(session: SessionState, test: Circus.TestEntry): MaybePromise<void> {
  // Concurrent bodies may still run: numbers taken now would mix them in.
  if (test.concurrent || session.pendingConcurrent > 0 || test.failing) {
    if (test.concurrent) session.skippedConcurrent += 1;
    userCodeRan(session.probes);
    return;
  }
  const info: TestInfo = { name: fullTestName(test), id: session.nextTestId++, code: () => testCode(test) };
  session.testsById.set(info.id, test);
  const startedAt = performance.now();
  const current: Measured = { test, info, ignored: new Set(), startMs: 0 };
  session.current = current;
  // The heap probe last: the others' readings are not the test's allocations.
  return whenReady(
    inOrder(session.probes, (probe) => probe.beforeTest(info)),
    () => {
      current.startMs = performance.now() - startedAt;
    },
  );
}

export function measureCurrentTest(session: SessionState, testTimeout: number): MaybePromise<void> {
  const current = session.current;
  if (!current || session.probes.length === 0) return undefined;
  return guard(session, 'measuring a test', () => finishTest(session, current, testTimeout));
}

function finishTest(session: SessionState, current: Measured, testTimeout: number): MaybePromise<void> {
  session.current = null;
  const { test, info } = current;
  const judgingStarted = performance.now();
  // A failed test's cleanup may not have run: what it left behind is expected, and its
  // result must stay the failure the user wrote.
  if (test.errors.length > 0) {
    session.recordWriter?.notMeasured(info.name, 'failed');
    for (const probe of session.probes) probe.abandonTest();
    if (session.userProbes.length > 0) userCodeRan(session.probes);
    return undefined;
  }
  session.recordWriter?.judging(info.id, info.name);
  // What the test replaced on the global is not what it kept (global-leftovers.ts).
  session.leftovers?.release();
  const judged = judgeTest(session.probes, info, current.ignored, async () => {
    userCodeRan(session.probes);
    const outcome = await rerunTest(test, testTimeout, session.env.global as never, session.env.moduleMocker);
    session.leftovers?.release();
    return outcome;
  });
  return whenReady(judged, (found) => {
    for (const { finding } of found) session.sink.testFinding(test, info, finding);
    // User probes' measure() is the user's code too, run after the others read.
    if (session.userProbes.length > 0) userCodeRan(session.probes);
    return session.recordWriter?.judged(current.startMs + performance.now() - judgingStarted);
  });
}

export function abandonTest(session: SessionState): void {
  session.current = null;
  for (const probe of session.probes) probe.abandonTest();
}
