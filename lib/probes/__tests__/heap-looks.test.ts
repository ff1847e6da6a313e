/**
 * HeapProbe's looks at a suspect before the sampled runs: which runs it asks for, and in what
 * order, with and without the addon, as the worker's look odds allow. V8, the heap windows,
 * the sampler and the attribution are mocks: each test sets what they read.
 */
import type { GcFunction } from '../../core/gc';
import { parseConfig } from '../../core/config-parser';
import type { Rerun, TestInfo } from '../../core/types';
import { FirstRunOdds } from '../../heap/first-run-odds';
import { LookOdds } from '../../heap/look-odds';
import { HeapProbe } from '../heap';

const KB = 1024;
const THRESHOLD = 512 * KB;
const ENOUGH = THRESHOLD * 0.75;

const mockGc = jest.fn<void, Parameters<GcFunction>>();
/** Bounds the windows read, in order: the test's own first, then each look's. */
const mockBounds: number[] = [];
/** The user's bytes the quick look reads, one per read. */
const mockUserBytes: number[] = [];
const mockProfiler = { present: true };
const mockSampled = jest.fn(async () => null);
const mockRerunAndSettle = jest.fn(async (rerun: Rerun) => rerun());
const mockSampleWithoutFullGc = jest.fn(async (_profiler: unknown, _interval: number, look: (read: () => unknown[]) => Promise<unknown>) =>
  look(() => []),
);

jest.mock('../../core/gc', () => ({
  ...jest.requireActual<typeof import('../../core/gc')>('../../core/gc'),
  getGc: () => mockGc,
  usedHeap: () => 0,
}));
jest.mock('../../heap/window', () => ({
  openWindow: () => ({ spacesAtStart: new Map(), gcProfiler: { stop: () => undefined }, startedAt: performance.now() }),
  closeWindow: (_gc: unknown, _window: unknown, _bar: number, held = 0) => ({
    bound: (mockBounds.shift() ?? 0) - held,
    majorGcs: 0,
    swept: false,
    usedAfter: 100 * 1024 * 1024,
    ...mockMarkCompact.shift(),
  }),
}));
/** For the test's own window: the mark-compacts V8 ran in it, and what it allocated. */
const mockMarkCompact: Array<{ majorGcs: number; allocated: number }> = [];
const mockKeptOnceJudge = jest.fn(async (_bound: number) => null);
jest.mock('../../heap/kept-once-gate', () => ({
  KeptOnceGate: class {
    stats = { checks: 0 };
    judge = (bound: number): Promise<null> => mockKeptOnceJudge(bound);
  },
}));
jest.mock('../../heap/quick-sampler', () => ({
  nativeProfiler: () => (mockProfiler.present ? {} : null),
  sampleWithoutFullGc: (...args: Parameters<typeof mockSampleWithoutFullGc>) => mockSampleWithoutFullGc(...args),
}));
/** The first-run sampler's reads, in order (user bytes; null: not the run's samples). */
const mockFirstRunReads: Array<number | null> = [];
const mockFirstRunStop = jest.fn();
/** Whether the sampler's reads come after V8's full GC (node:inspector's, without the addon). */
const mockReadsAfterFullGc = { value: false };
const MARKER = 64 * KB;
const mockFirstRunSample = (throughInspector: boolean): object => ({
  markerBytes: MARKER,
  readsAfterFullGc: throughInspector || mockReadsAfterFullGc.value,
  read: () => {
    const bytes = mockFirstRunReads.shift();
    return bytes === null || bytes === undefined ? null : [{ bytes }];
  },
  stop: mockFirstRunStop,
});
jest.mock('../../heap/first-run-sampler', () => ({
  sampleFirstRun: () => mockFirstRunSample(false),
  sampleFirstRunWithInspector: () => mockFirstRunSample(true),
}));
jest.mock('../../heap/sampler', () => ({ HeapSampler: { busy: () => false } }));
jest.mock('../../heap/attribution', () => ({
  attribute: (survivors: Array<{ bytes?: number }>) => ({
    // A first-run read carries its bytes; the quick look's reads take the next of mockUserBytes.
    userBytes: survivors[0]?.bytes ?? mockUserBytes.shift() ?? 0,
    allBytes: 0,
    sites: [],
    userSamples: new Map(),
  }),
}));
jest.mock('../heap-sampled-runs', () => ({
  MAX_RUNS: 3,
  rerunAndSettle: (rerun: Rerun) => mockRerunAndSettle(rerun),
  runAgainSampled: () => mockSampled(),
}));

const test1: TestInfo = { name: 'a suspect', id: 1 };

/** Odds that take (`true`) or leave out (`false`) each look, and sample the test's own run or not. */
function odds(
  firstLook: boolean,
  twoRunWindow = true,
  firstRun = false,
): { firstLook: LookOdds; twoRunWindow: LookOdds; firstRun: FirstRunOdds } {
  const fixed = (worth: boolean): LookOdds => Object.assign(new LookOdds(1 / 2), { worthIt: () => worth, record: jest.fn() });
  return {
    firstLook: fixed(firstLook),
    twoRunWindow: fixed(twoRunWindow),
    firstRun: Object.assign(new FirstRunOdds(), { worthIt: () => firstRun, clearedByRuns: jest.fn() }),
  };
}

/** Runs one suspect through the probe; the runs it asked for, and whether the sampled runs followed. */
async function judgeSuspect(lookOdds: ReturnType<typeof odds>): Promise<{ reruns: number; sampledWindows: number; sampled: boolean }> {
  const config = parseConfig({ options: { heap: { keptOnce: false } }, env: {}, pragmas: {}, rootDir: '/project' });
  const probe = new HeapProbe(config, '/project', null, null, null, lookOdds);
  const rerun = jest.fn<ReturnType<Rerun>, []>(async () => ({ threw: null }));
  probe.beforeTest();
  probe.endTest();
  await probe.afterTest(test1, rerun);
  return {
    reruns: rerun.mock.calls.length,
    sampledWindows: mockSampleWithoutFullGc.mock.calls.length,
    sampled: mockSampled.mock.calls.length > 0,
  };
}

beforeEach(() => {
  jest.clearAllMocks();
  mockBounds.length = 0;
  mockUserBytes.length = 0;
  mockMarkCompact.length = 0;
  mockFirstRunReads.length = 0;
  mockReadsAfterFullGc.value = false;
  mockProfiler.present = true;
});

test('with the addon, the first look clears a suspect in one rerun, with no sampler', async () => {
  mockBounds.push(THRESHOLD * 2, ENOUGH / 2);
  const lookOdds = odds(true);
  expect(await judgeSuspect(lookOdds)).toEqual({ reruns: 1, sampledWindows: 0, sampled: false });
  expect(lookOdds.firstLook.record).toHaveBeenCalledWith(true);
});

test('with the addon, the quick look goes first where the first look is not worth it, and clears after one run', async () => {
  mockBounds.push(THRESHOLD * 2);
  mockUserBytes.push(ENOUGH / 2);
  expect(await judgeSuspect(odds(false))).toEqual({ reruns: 1, sampledWindows: 1, sampled: false });
});

test("the quick look runs twice when the first run's samples are over a run's worth, and clears under two", async () => {
  mockBounds.push(THRESHOLD * 2);
  mockUserBytes.push(ENOUGH * 1.5, ENOUGH * 1.5);
  expect(await judgeSuspect(odds(false))).toEqual({ reruns: 2, sampledWindows: 1, sampled: false });
});

test('what neither look clears goes on to the sampled runs', async () => {
  mockBounds.push(THRESHOLD * 2, THRESHOLD * 2);
  mockUserBytes.push(ENOUGH * 2, ENOUGH * 3, ENOUGH * 3);
  const lookOdds = odds(true);
  expect(await judgeSuspect(lookOdds)).toEqual({ reruns: 3, sampledWindows: 1, sampled: true });
  expect(lookOdds.firstLook.record).toHaveBeenCalledWith(false);
});

test('without the addon, the window over two runs follows the first look while it is worth it', async () => {
  mockProfiler.present = false;
  mockBounds.push(THRESHOLD * 2, THRESHOLD * 2, ENOUGH);
  const lookOdds = odds(true, true);
  expect(await judgeSuspect(lookOdds)).toEqual({ reruns: 3, sampledWindows: 0, sampled: false });
  expect(lookOdds.twoRunWindow.record).toHaveBeenCalledWith(true);
});

test('without the addon, the sampled runs follow the first look where the window over two runs is not worth it', async () => {
  mockProfiler.present = false;
  mockBounds.push(THRESHOLD * 2, THRESHOLD * 2);
  expect(await judgeSuspect(odds(true, false))).toEqual({ reruns: 1, sampledWindows: 0, sampled: true });
});

describe("where the worker's odds sample the test's own run", () => {
  test("a suspect whose run left under a run's worth of the user's memory alive is cleared with no rerun", async () => {
    mockBounds.push(THRESHOLD * 2 + MARKER);
    mockFirstRunReads.push(ENOUGH / 2);
    expect(await judgeSuspect(odds(true, true, true))).toEqual({ reruns: 0, sampledWindows: 0, sampled: false });
    expect(mockGc).not.toHaveBeenCalledWith();
    expect(mockFirstRunStop).toHaveBeenCalled();
  });

  test('over it after the scavenge, read again after a full GC, which clears it', async () => {
    mockBounds.push(THRESHOLD * 2 + MARKER);
    mockFirstRunReads.push(ENOUGH * 1.5, ENOUGH / 2);
    expect(await judgeSuspect(odds(true, true, true))).toEqual({ reruns: 0, sampledWindows: 0, sampled: false });
    expect(mockGc).toHaveBeenCalledWith();
  });

  test('still over it after the full GC (a leak, or a cache filled once): the looks follow', async () => {
    mockBounds.push(THRESHOLD * 2 + MARKER, ENOUGH / 2);
    mockFirstRunReads.push(ENOUGH * 1.5, ENOUGH);
    const lookOdds = odds(true, true, true);
    expect(await judgeSuspect(lookOdds)).toEqual({ reruns: 1, sampledWindows: 0, sampled: false });
    expect(lookOdds.firstRun.clearedByRuns).toHaveBeenCalledTimes(1);
  });

  test("a read after V8's own full GC is the only one: over it, the looks follow with no full GC of leakwatch's", async () => {
    mockReadsAfterFullGc.value = true;
    mockBounds.push(THRESHOLD * 2 + MARKER, ENOUGH / 2);
    mockFirstRunReads.push(ENOUGH * 1.5, ENOUGH / 2);
    expect(await judgeSuspect(odds(true, true, true))).toEqual({ reruns: 1, sampledWindows: 0, sampled: false });
    expect(mockGc).not.toHaveBeenCalledWith();
  });

  test('without the addon, the run is sampled through node:inspector, whose one read clears it', async () => {
    mockProfiler.present = false;
    mockBounds.push(THRESHOLD * 2 + MARKER);
    mockFirstRunReads.push(ENOUGH / 2);
    expect(await judgeSuspect(odds(true, true, true))).toEqual({ reruns: 0, sampledWindows: 0, sampled: false });
    expect(mockGc).not.toHaveBeenCalledWith();
  });

  test("samples that are not the run's own (the test restarted the sampler) clear nothing", async () => {
    mockBounds.push(THRESHOLD * 2 + MARKER, ENOUGH / 2);
    mockFirstRunReads.push(null);
    expect(await judgeSuspect(odds(true, true, true))).toEqual({ reruns: 1, sampledWindows: 0, sampled: false });
  });

  test("the marker is not the test's: a test under the threshold without it is no suspect", async () => {
    mockBounds.push(THRESHOLD - KB + MARKER, ENOUGH / 2);
    // Read as a suspect, these would send it to the looks.
    mockFirstRunReads.push(ENOUGH * 2, ENOUGH * 2);
    expect(await judgeSuspect(odds(true, true, true))).toEqual({ reruns: 0, sampledWindows: 0, sampled: false });
    expect(mockFirstRunStop).toHaveBeenCalled();
  });
});

describe('memory kept once, for a suspect the looks cleared', () => {
  async function keptOnceBound(): Promise<number> {
    const config = parseConfig({ options: {}, env: {}, pragmas: {}, rootDir: '/project' });
    const moduleState = {} as ConstructorParameters<typeof HeapProbe>[4];
    const probe = new HeapProbe(config, '/project', null, null, moduleState, odds(true));
    probe.beforeTest();
    probe.endTest();
    await probe.afterTest(
      test1,
      jest.fn(async () => ({ threw: null })),
    );
    return mockKeptOnceJudge.mock.calls[0][0];
  }

  test("is checked against the test's bound", async () => {
    mockBounds.push(THRESHOLD * 4, ENOUGH / 2);
    expect(await keptOnceBound()).toBe(THRESHOLD * 4);
  });

  test('is checked against what the test allocated when a mark-compact during it made the bound understate', async () => {
    mockBounds.push(THRESHOLD / 4, ENOUGH / 2);
    mockMarkCompact.push({ majorGcs: 1, allocated: THRESHOLD * 5 });
    expect(await keptOnceBound()).toBe(THRESHOLD * 5);
  });
});
