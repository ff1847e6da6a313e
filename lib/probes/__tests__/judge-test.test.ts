import type { Check, Finding, ProbeKind, Rerun, TestInfo, Verdict } from '../../core/types';
import { judgeTest } from '../judge-test';
import type { Probe } from '../probe';

const TEST: TestInfo = { name: 'opens a server', id: 7 };
const rerun: Rerun = async () => ({ threw: null });

/** A probe that finds what it is told to, and logs every call judgeTest makes on it. */
function fakeProbe(check: string, kind: ProbeKind, verdict: Verdict | null, log: string[], withEndTest = true) {
  const finding: Finding | null = verdict && { check: check as Check, verdict, summary: `${check} ${verdict}`, details: [] };
  const probe: Probe & { rerunGot?: Rerun } = {
    check: check as Check,
    kind,
    startFile: () => null,
    beforeTest: () => undefined,
    afterTest: async (test, givenRerun) => {
      log.push(`${check}.afterTest(${test.name})`);
      probe.rerunGot = givenRerun;
      return finding;
    },
    abandonTest: () => log.push(`${check}.abandonTest`),
    finishFile: () => [],
    dispose: () => undefined,
  };
  if (withEndTest) probe.endTest = () => log.push(`${check}.endTest`);
  return probe;
}

const summaries = (judged: Array<{ finding: Finding }>) => judged.map(({ finding }) => finding.summary);

/** Judges fake probes made from [check, kind, verdict]; the findings' summaries and the call log. */
async function judge(specs: Array<[string, ProbeKind, Verdict | null]>, ignored: Check[] = []) {
  const log: string[] = [];
  const probes = specs.map(([check, kind, verdict]) => fakeProbe(check, kind, verdict, log));
  return { found: summaries(await judgeTest(probes, TEST, new Set(ignored), rerun)), log };
}

describe('judgeTest', () => {
  test('collects the findings in probe order, each with its probe', async () => {
    const log: string[] = [];
    const heap = fakeProbe('heap', 'memory', 'unconfirmed', log);
    const fds = fakeProbe('fds', 'resource', 'leak', log);
    const listeners = fakeProbe('listeners', 'resource', 'leak', log);
    const judged = await judgeTest([heap, fds, listeners], TEST, new Set(), rerun);
    expect(judged.map(({ probe }) => probe)).toEqual([heap, fds, listeners]);
    expect(summaries(judged)).toEqual(['heap unconfirmed', 'fds leak', 'listeners leak']);
  });

  test('a confirmed memory leak stops the memory probes after it, not the resource ones', async () => {
    const { found, log } = await judge([
      ['heap', 'memory', 'leak'],
      ['fds', 'resource', null],
      ['external', 'memory', 'leak'],
    ]);
    expect(found).toEqual(['heap leak']);
    expect(log).toEqual([
      'heap.endTest',
      'fds.endTest',
      'external.endTest',
      'heap.afterTest(opens a server)',
      'fds.afterTest(opens a server)',
      'external.abandonTest',
    ]);
  });

  test('no findings when no probe finds anything', async () => {
    expect(
      (
        await judge([
          ['heap', 'memory', null],
          ['fds', 'resource', null],
        ])
      ).found,
    ).toEqual([]);
  });

  test('memory probes are abandoned after a resource finding: a second run would leave a second resource', async () => {
    const { found, log } = await judge([
      ['handles', 'resource', 'leak'],
      ['heap', 'memory', 'leak'],
    ]);
    expect(found).toEqual(['handles leak']);
    expect(log).toContain('heap.abandonTest');
    expect(log).not.toContain('heap.afterTest(opens a server)');
  });

  test("an ignored check's finding is dropped, but its resource still stops the memory probes", async () => {
    const { found, log } = await judge(
      [
        ['handles', 'resource', 'leak'],
        ['heap', 'memory', 'leak'],
        ['fds', 'resource', 'leak'],
      ],
      ['handles'],
    );
    expect(found).toEqual(['fds leak']);
    expect(log.join(' → ')).toBe(
      'heap.endTest → fds.endTest → handles.afterTest(opens a server) → heap.abandonTest → fds.afterTest(opens a server)',
    );
  });

  test('an ignored memory probe is abandoned without being read', async () => {
    const { found, log } = await judge(
      [
        ['heap', 'memory', 'leak'],
        ['external', 'memory', 'leak'],
      ],
      ['heap'],
    );
    expect(found).toEqual(['external leak']);
    expect(log).toEqual(['external.endTest', 'heap.abandonTest', 'external.afterTest(opens a server)']);
  });

  test('an unconfirmed memory finding does not stop later probes', async () => {
    const { found, log } = await judge([
      ['heap', 'memory', 'unconfirmed'],
      ['external', 'memory', 'leak'],
    ]);
    expect(found).toEqual(['heap unconfirmed', 'external leak']);
    expect(log).not.toContain('external.abandonTest');
  });

  test('endTest is called only for probes that have it and are not ignored, all before any afterTest', async () => {
    const log: string[] = [];
    const probes = [
      fakeProbe('heap', 'memory', null, log),
      fakeProbe('fds', 'resource', null, log, false),
      fakeProbe('handles', 'resource', null, log),
    ];
    await judgeTest(probes, TEST, new Set<Check>(['handles']), rerun);
    expect(log).toEqual([
      'heap.endTest',
      'heap.afterTest(opens a server)',
      'fds.afterTest(opens a server)',
      'handles.afterTest(opens a server)',
    ]);
  });

  test('passes the rerun function through to the probes it reads', async () => {
    const log: string[] = [];
    const heap = fakeProbe('heap', 'memory', null, log);
    const fds = fakeProbe('fds', 'resource', null, log);
    await judgeTest([heap, fds], TEST, new Set(), rerun);
    expect(heap.rerunGot).toBe(rerun);
    expect(fds.rerunGot).toBe(rerun);
  });

  test('judges at once, with no promise, when no probe has to wait', () => {
    const log: string[] = [];
    const fds = { ...fakeProbe('fds', 'resource', 'leak', log), afterTest: () => fdsFinding };
    const fdsFinding: Finding = { check: 'fds', verdict: 'leak', summary: 'fds leak', details: [] };
    const heap = { ...fakeProbe('heap', 'memory', null, log), afterTest: () => null };
    const judged = judgeTest([fds, heap], TEST, new Set(), rerun);
    expect(Array.isArray(judged) && summaries(judged)).toEqual(['fds leak']);
  });

  test('waits for a probe that returns a promise before asking the next', async () => {
    const log: string[] = [];
    let release!: () => void;
    const slow = {
      ...fakeProbe('heap', 'memory', null, log),
      afterTest: () => new Promise<null>((resolve) => (release = () => resolve(null))),
    };
    const next = { ...fakeProbe('fds', 'resource', null, log), afterTest: () => (log.push('fds.afterTest'), null) };
    const judged = judgeTest([slow, next], TEST, new Set(), rerun);
    expect(log).not.toContain('fds.afterTest');
    release();
    expect(await judged).toEqual([]);
    expect(log).toContain('fds.afterTest');
  });
});
