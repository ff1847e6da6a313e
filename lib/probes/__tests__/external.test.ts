/**
 * ExternalProbe on a fake V8: external memory is what live Buffers hold plus dead ones no GC
 * has freed yet; a scavenge or a full GC frees the dead. The test decides both.
 */
import type { GcFunction } from '../../core/gc';
import type { RerunOutcome } from '../../core/types';
import { ExternalProbe } from '../external';

const mockExternal = { live: 0, dead: 0, gcAvailable: true };
const mockGc = jest.fn<void, Parameters<GcFunction>>(() => {
  mockExternal.dead = 0;
});

jest.mock('node:v8', () => ({ getHeapStatistics: () => ({ external_memory: mockExternal.live + mockExternal.dead }) }));
jest.mock('../../core/gc', () => ({
  ...jest.requireActual<typeof import('../../core/gc')>('../../core/gc'),
  getGc: () => (mockExternal.gcAvailable ? mockGc : null),
}));

const MB = 1024 * 1024;
const THRESHOLD = MB;
const TEST = { name: 'keeps buffers', id: 1 };

/** An extra run of the test that keeps `kept` bytes and leaves `garbage` bytes dead. */
function rerunKeeping(kept: number, garbage = 0) {
  return jest.fn(async (): Promise<RerunOutcome> => {
    mockExternal.live += kept;
    mockExternal.dead += garbage;
    return { threw: null };
  });
}

async function judge(probe: ExternalProbe, body: () => void, rerun = rerunKeeping(0)) {
  probe.beforeTest();
  body();
  return probe.afterTest(TEST, rerun);
}

beforeEach(() => {
  Object.assign(mockExternal, { live: 10 * MB, dead: 0, gcAvailable: true });
  mockGc.mockClear();
});

describe('ExternalProbe', () => {
  test('says why it cannot measure when V8 will not expose gc(), and then finds nothing', async () => {
    mockExternal.gcAvailable = false;
    const probe = new ExternalProbe(THRESHOLD);
    expect(probe.startFile()).toBe('V8 would not expose gc(), so external memory was not measured');
    expect(await judge(probe, () => (mockExternal.live += 5 * MB))).toBeNull();
  });

  test('can measure when gc() is there', () => {
    expect(new ExternalProbe(THRESHOLD).startFile()).toBeNull();
  });

  test('growth under the threshold passes without running the test again or collecting', async () => {
    const rerun = rerunKeeping(MB);
    expect(await judge(new ExternalProbe(THRESHOLD), () => (mockExternal.live += THRESHOLD - 1), rerun)).toBeNull();
    expect(rerun).not.toHaveBeenCalled();
    expect(mockGc).not.toHaveBeenCalled();
  });

  test('a test over the threshold whose two extra runs each keep half of it again leaks: the smaller run is the size', async () => {
    const rerun = rerunKeeping(1.5 * MB);
    rerun.mockImplementationOnce(async () => {
      mockExternal.live += 2 * MB;
      return { threw: null };
    });
    expect(await judge(new ExternalProbe(THRESHOLD), () => (mockExternal.live += 2 * MB), rerun)).toEqual({
      check: 'external',
      verdict: 'leak',
      summary: 'leaked ~1.5 MB of external memory per run',
      details: [
        'Run twice more between full GCs, the test kept 2.0 MB and 1.5 MB more memory outside the JS heap (Buffers, ArrayBuffers, native objects; threshold 1.0 MB, set by testEnvironmentOptions.leakwatch.external.threshold).',
      ],
      bytes: 1.5 * MB,
    });
    expect(rerun).toHaveBeenCalledTimes(2);
  });

  test('runs between full GCs: a full collection, then a scavenge, before the runs and after each', async () => {
    await judge(new ExternalProbe(THRESHOLD), () => (mockExternal.live += 2 * MB), rerunKeeping(MB));
    expect(mockGc.mock.calls).toEqual([[], [{ type: 'minor' }], [], [{ type: 'minor' }], [], [{ type: 'minor' }]]);
  });

  test('garbage over the threshold is no leak: the extra runs, measured after full GCs, keep nothing', async () => {
    const rerun = rerunKeeping(0, 2 * MB);
    expect(await judge(new ExternalProbe(THRESHOLD), () => (mockExternal.dead += 2 * MB), rerun)).toBeNull();
    expect(rerun).toHaveBeenCalledTimes(1);
  });

  test('a second run that keeps less than half the threshold is no leak', async () => {
    const rerun = rerunKeeping(THRESHOLD / 2 - 1);
    rerun.mockImplementationOnce(async () => {
      mockExternal.live += MB;
      return { threw: null };
    });
    expect(await judge(new ExternalProbe(THRESHOLD), () => (mockExternal.live += 2 * MB), rerun)).toBeNull();
    expect(rerun).toHaveBeenCalledTimes(2);
  });

  test('scavenges before a reading once a quarter of the threshold was added since its last one, so dead Buffers freed during the test cannot hide a leak', async () => {
    const probe = new ExternalProbe(THRESHOLD);
    // A first test leaves a quarter of the threshold of garbage.
    expect(await judge(probe, () => (mockExternal.dead += THRESHOLD / 4))).toBeNull();
    expect(mockGc).not.toHaveBeenCalled();
    // The next test keeps the threshold, and a GC of V8's during it frees the garbage.
    const finding = await judge(
      probe,
      () => {
        mockExternal.live += THRESHOLD;
        mockExternal.dead = 0;
      },
      rerunKeeping(THRESHOLD),
    );
    expect(mockGc.mock.calls[0]).toEqual([{ type: 'minor' }]);
    expect(finding?.bytes).toBe(THRESHOLD);
  });

  test('does not scavenge before a reading while less than a quarter of the threshold was added', async () => {
    const probe = new ExternalProbe(THRESHOLD);
    await judge(probe, () => (mockExternal.dead += THRESHOLD / 4 - 1));
    probe.beforeTest();
    expect(mockGc).not.toHaveBeenCalled();
  });

  test("runs a full GC before a test when a quarter of the threshold was added since the last one ended (another check's extra runs)", async () => {
    const probe = new ExternalProbe(THRESHOLD);
    expect(await judge(probe, () => undefined)).toBeNull();
    // The heap check ran that test again: its Buffers are dead, and may be old already.
    mockExternal.dead += THRESHOLD / 4;
    probe.beforeTest();
    expect(mockGc.mock.calls).toEqual([[], [{ type: 'minor' }]]);
  });
});
