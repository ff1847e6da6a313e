import { JSDOM } from 'jsdom';
import type { RerunOutcome } from '../../core/types';
import type { Attribution } from '../attribution';
import { HeapLeakExplainer } from '../leak-explainer';

const mockGc = jest.fn();
let mockUsedHeap = 0;
jest.mock('../../core/gc', () => ({
  ...jest.requireActual<typeof import('../../core/gc')>('../../core/gc'),
  getGc: () => mockGc,
  minorGc: () => undefined,
  usedHeap: () => mockUsedHeap,
}));
/** The last object id V8 gave when tracking started: about twice the live objects. */
let mockLastId = 0;
const mockTrack = jest.fn();
const mockTakeSnapshot = jest.fn();
jest.mock('../heap-snapshot', () => ({
  trackObjectIds: async () => {
    mockTrack();
    return { lastId: mockLastId, stop: () => undefined };
  },
  takeSnapshot: async () => {
    mockTakeSnapshot();
    throw new Error('no snapshot in this test');
  },
}));

const RUN: Attribution = { userBytes: 1024 * 1024, allBytes: 1024 * 1024, sites: [], userSamples: new Map() };
const TEST = { name: 'keeps 1 MiB', id: 1 };
const rerun = async (): Promise<RerunOutcome> => ({ threw: null });

function explainer(testGlobal: object | null = null): HeapLeakExplainer {
  return new HeapLeakExplainer({ threshold: 512 * 1024, rootDir: '/project', retainers: true, snapshots: null, testGlobal });
}

async function details(of: HeapLeakExplainer, run = rerun): Promise<string[]> {
  return (await of.describe(TEST, [RUN, RUN, RUN], [], run)).details;
}

describe('HeapLeakExplainer: whether it takes a snapshot for what holds a leak', () => {
  beforeEach(() => {
    mockTrack.mockClear();
    mockTakeSnapshot.mockClear();
    mockUsedHeap = 60 * 1024 * 1024;
  });

  test('a heap of few objects is snapshotted, however many bytes (a 100 MB heap of big arrays takes 0.6 s)', async () => {
    mockUsedHeap = 100 * 1024 * 1024;
    mockLastId = 400_000;
    expect(await details(explainer())).toContain('What holds it could not be worked out: no snapshot in this test.');
    expect(mockTakeSnapshot).toHaveBeenCalledTimes(1);
  });

  test('a heap of more than a million objects is not, and the next leaks of the file are spared the object ids', async () => {
    mockLastId = 2_400_000;
    const file = explainer();
    expect(await details(file)).toContain(
      'What holds it was not worked out: the heap holds ~1.2 million objects, over the 1 million up to which leakwatch takes a heap snapshot (~15 s at a million).',
    );
    expect(mockTakeSnapshot).not.toHaveBeenCalled();
    expect((await details(file)).some((line) => line.startsWith('What holds it'))).toBe(false);
    expect(mockTrack).toHaveBeenCalledTimes(1);
  });

  test('a heap over 128 MB is not even given object ids', async () => {
    mockUsedHeap = 130 * 1024 * 1024;
    expect(await details(explainer())).toContain(
      'What holds it was not worked out: the heap is 130.0 MB, over the 128.0 MB up to which leakwatch reads heap snapshots (at 200 MB, two took 56 s and 5 GB of memory).',
    );
    expect(mockTrack).not.toHaveBeenCalled();
  });
});

describe("HeapLeakExplainer: elements left in the test's document", () => {
  beforeEach(() => {
    mockTrack.mockClear();
    mockTakeSnapshot.mockClear();
    mockUsedHeap = 60 * 1024 * 1024;
    mockLastId = 400_000;
  });

  test('are what holds it, with no snapshot', async () => {
    const { window } = new JSDOM('<!doctype html><body></body>');
    const appendsFrame = async (): Promise<RerunOutcome> => {
      window.document.body.append(window.document.createElement('iframe'));
      return { threw: null };
    };
    const lines = await details(explainer(window), appendsFrame);
    expect(lines.slice(-4, -1)).toEqual([
      "What holds it: the test's document, where one more run of the test left:",
      '  <iframe> in <body>, with a window of its own',
      "Remove what the test adds to the document when it ends (element.remove(), or document.body.innerHTML = '' in afterEach). " +
        "A removed iframe's window stays in jsdom's list of same-origin windows until jsdom/jsdom#4276 (merged 2026-09) is in your jsdom.",
    ]);
    expect(mockTrack).not.toHaveBeenCalled();
    expect(mockTakeSnapshot).not.toHaveBeenCalled();
  });

  test('when a run leaves none, the snapshot looks', async () => {
    const { window } = new JSDOM('<!doctype html><body></body>');
    expect(await details(explainer(window))).toContain('What holds it could not be worked out: no snapshot in this test.');
    expect(mockTakeSnapshot).toHaveBeenCalledTimes(1);
  });
});
