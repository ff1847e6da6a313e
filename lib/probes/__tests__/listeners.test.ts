import { EventEmitter } from 'node:events';
import type { RerunOutcome } from '../../core/types';
import { ListenersProbe } from '../listeners';

const TEST = { name: 'adds listeners', id: 1 };
const rerun = jest.fn(async (): Promise<RerunOutcome> => ({ threw: null }));
const ADVICE =
  'Remove it with process.off(event, listener) in the test or an afterEach hook; each one keeps its closure alive and repeats its work on every event.';

/** Runs one test between the probe's two readings. */
async function judge(probe: ListenersProbe, body: () => void) {
  probe.beforeTest();
  body();
  return probe.afterTest(TEST, rerun);
}

describe('ListenersProbe', () => {
  const listener = () => {};
  let realProcess: EventEmitter;
  let testProcess: EventEmitter;
  let probe: ListenersProbe;

  beforeEach(() => {
    realProcess = new EventEmitter();
    testProcess = new EventEmitter();
    realProcess.on('exit', listener);
    probe = new ListenersProbe([realProcess, testProcess]);
  });

  test('finds nothing when the test adds no listener', async () => {
    expect(await judge(probe, () => {})).toBeNull();
  });

  test('finds nothing when the test removes the listeners it added', async () => {
    expect(
      await judge(probe, () => {
        testProcess.on('exit', listener);
        testProcess.off('exit', listener);
      }),
    ).toBeNull();
  });

  test('reports one listener left behind, with the event and what to do', async () => {
    expect(await judge(probe, () => testProcess.on('unhandledRejection', listener))).toEqual({
      check: 'listeners',
      verdict: 'leak',
      summary: 'leaked 1 process listener',
      details: ["process.on('unhandledRejection'): 1 added and not removed", ADVICE],
    });
  });

  test('adds up the real and the test’s process per event', async () => {
    const finding = await judge(probe, () => {
      realProcess.on('exit', () => {});
      testProcess.on('exit', () => {});
      testProcess.on('warning', () => {});
    });
    expect(finding?.summary).toBe('leaked 3 process listeners');
    expect(finding?.details).toEqual([
      "process.on('exit'): 2 added and not removed",
      "process.on('warning'): 1 added and not removed",
      ADVICE,
    ]);
  });

  test('a listener removed from one event does not offset one added to another', async () => {
    const finding = await judge(probe, () => {
      realProcess.off('exit', listener);
      realProcess.on('SIGINT', listener);
    });
    expect(finding?.details[0]).toBe("process.on('SIGINT'): 1 added and not removed");
  });

  test('names a symbol event by its description', async () => {
    const finding = await judge(probe, () => testProcess.on(Symbol('custom'), listener));
    expect(finding?.details[0]).toBe("process.on('Symbol(custom)'): 1 added and not removed");
  });

  test('finds nothing for a test abandoned after its first reading', async () => {
    probe.beforeTest();
    testProcess.on('exit', listener);
    probe.abandonTest();
    expect(await probe.afterTest(TEST, rerun)).toBeNull();
  });
});
