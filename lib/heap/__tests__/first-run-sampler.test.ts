/**
 * The sampler during a test's own run: through the addon (a fake profiler here) and through
 * node:inspector (HeapSampler mocked). Which samples a read returns, when it returns none, and
 * the marker the window leaves out.
 */
import * as path from 'node:path';
import { OWN_DIST } from '../../core/stack';
import { sampleFirstRun, sampleFirstRunWithInspector } from '../first-run-sampler';
import type { NativeProfiler, survivorsOf } from '../quick-sampler';

type NativeNode = Parameters<typeof survivorsOf>[0];

const INTERVAL = 1024;
const OWN_FILE = path.join(OWN_DIST, 'heap', 'first-run-sampler.js');
/** 8 bytes an element: this Node does not compress pointers. */
const ELEMENT = (process.config.variables as Record<string, unknown>).v8_enable_pointer_compression === 1 ? 4 : 8;

const mockSampler = {
  start: jest.fn(),
  liveSamples: jest.fn(),
  stop: jest.fn(),
};
jest.mock('../sampler', () => ({
  ...jest.requireActual<typeof import('../sampler')>('../sampler'),
  HeapSampler: { start: (interval: number) => mockSampler.start(interval) },
}));

function node(name: string, scriptName: string, sizeBytes: number, children: NativeNode[] = []): NativeNode {
  const allocations = sizeBytes > 0 ? [{ sizeBytes, count: 1 }] : [];
  return { name, scriptId: 7, scriptName, lineNumber: 1, columnNumber: 0, allocations, children };
}

/** The run kept 4 KB in makeData; `withMarker`: leakwatch's marker is still there. */
function profile(withMarker: boolean): NativeNode {
  const children = [node('makeData', '/project/src/make.js', 4096)];
  if (withMarker) children.push(node('beforeTest', OWN_FILE, 16 * INTERVAL));
  return node('(root)', '', 0, children);
}

function fakeProfiler(head: () => NativeNode): NativeProfiler & Record<keyof NativeProfiler, jest.Mock> {
  return { startSamplingHeapProfiler: jest.fn(), stopSamplingHeapProfiler: jest.fn(), getAllocationProfile: jest.fn(head) };
}

beforeEach(() => jest.clearAllMocks());

describe('with the addon', () => {
  test("reads the run's samples without the marker, and says the marker's size", () => {
    const sample = sampleFirstRun(
      fakeProfiler(() => profile(true)),
      INTERVAL,
    )!;
    expect(sample.markerBytes).toBe(((16 * INTERVAL) / ELEMENT) * ELEMENT);
    expect(sample.readsAfterFullGc).toBe(false);
    expect(sample.read()?.map((survivor) => survivor.size)).toEqual([4096]);
  });

  test('reads nothing when the marker is gone: the test restarted the sampler', () => {
    expect(
      sampleFirstRun(
        fakeProfiler(() => profile(false)),
        INTERVAL,
      )!.read(),
    ).toBeNull();
  });

  test('reads nothing when the test stopped the sampler', () => {
    const profiler = fakeProfiler(() => {
      throw new Error('not started');
    });
    expect(sampleFirstRun(profiler, INTERVAL)!.read()).toBeNull();
  });

  test('stops the sampler once, and reads nothing after', () => {
    const profiler = fakeProfiler(() => profile(true));
    const sample = sampleFirstRun(profiler, INTERVAL)!;
    sample.stop();
    sample.stop();
    expect(profiler.stopSamplingHeapProfiler).toHaveBeenCalledTimes(1);
    expect(sample.read()).toBeNull();
  });

  test('is null when the sampler does not start', () => {
    const profiler = fakeProfiler(() => profile(true));
    profiler.startSamplingHeapProfiler.mockImplementation(() => {
      throw new Error('taken');
    });
    expect(sampleFirstRun(profiler, INTERVAL)).toBeNull();
  });
});

describe('through node:inspector', () => {
  const samplerWith = (markerOrdinals: number[]): void => {
    mockSampler.start.mockReturnValue({
      sampler: {
        allocateMarker: () => new Array(2 * INTERVAL),
        liveSamples: () => ({
          markerOrdinals,
          samples: [
            { ordinal: 3, size: 100, stack: [] },
            { ordinal: 8, size: 4096, stack: [] },
          ],
        }),
        stop: mockSampler.stop,
      },
    });
  };

  test("reads the samples after the run's marker, after V8's full GC", () => {
    samplerWith([5]);
    const sample = sampleFirstRunWithInspector(INTERVAL)!;
    expect(sample.readsAfterFullGc).toBe(true);
    expect(sample.markerBytes).toBe(2 * INTERVAL * ELEMENT);
    expect(sample.read()?.map((survivor) => survivor.ordinal)).toEqual([8]);
  });

  test('reads nothing without exactly one marker', () => {
    samplerWith([]);
    expect(sampleFirstRunWithInspector(INTERVAL)!.read()).toBeNull();
    samplerWith([5, 7]);
    expect(sampleFirstRunWithInspector(INTERVAL)!.read()).toBeNull();
  });

  test('stops the sampler once', () => {
    samplerWith([5]);
    const sample = sampleFirstRunWithInspector(INTERVAL)!;
    sample.stop();
    sample.stop();
    expect(mockSampler.stop).toHaveBeenCalledTimes(1);
  });

  test('is null when another tool samples', () => {
    mockSampler.start.mockReturnValue({ problem: 'another tool is sampling' });
    expect(sampleFirstRunWithInspector(INTERVAL)).toBeNull();
  });
});
