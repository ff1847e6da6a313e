/**
 * One test's judging across probes: which probe may run the test again, and which findings
 * stand. Knows nothing of the test runner: it gets the rerun as a function.
 */
import { inOrder, whenReady, type MaybePromise } from '../core/maybe-async';
import type { Check, Finding, Rerun, TestInfo } from '../core/types';
import type { Probe } from './probe';

export interface JudgedFinding {
  probe: Probe;
  finding: Finding;
}

/**
 * Ends the test for every probe and collects their findings, in probe order. `ignored` checks
 * are still read (their finding is dropped), because a resource the test keeps on purpose
 * still rules out running it again: a second run would leave a second one, and the test's
 * cleanup (`afterAll(() => server.close())`) or a later test counting them knows only the
 * first. So memory probes run only while no probe has found a resource left behind.
 */
export function judgeTest(
  probes: readonly Probe[],
  test: TestInfo,
  ignored: ReadonlySet<Check>,
  rerun: Rerun,
): MaybePromise<JudgedFinding[]> {
  const found: JudgedFinding[] = [];
  for (const probe of probes) if (!ignored.has(probe.check)) probe.endTest?.();
  let leftResources = false;
  const judged = inOrder(probes, (probe) => {
    const memory = probe.kind === 'memory';
    if (memory && (ignored.has(probe.check) || leftResources)) {
      probe.abandonTest();
      return undefined;
    }
    return whenReady(probe.afterTest(test, rerun), (finding) => {
      if (!finding) return;
      if (!ignored.has(probe.check)) found.push({ probe, finding });
      if (!memory || finding.verdict === 'leak') leftResources = true;
    });
  });
  return whenReady(judged, () => found);
}
