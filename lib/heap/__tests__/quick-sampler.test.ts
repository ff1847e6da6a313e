/**
 * The quick sampler's pure parts, and how it finds the optional package, with the package
 * replaced: the answers do not depend on whether @datadog/pprof loads on this machine.
 */
import * as path from 'node:path';
import { OWN_DIST } from '../../core/stack';
import { isMarker, sampleWithoutFullGc, survivorsOf, type NativeProfiler } from '../quick-sampler';

type NativeNode = Parameters<typeof survivorsOf>[0];
type QuickSampler = typeof import('../quick-sampler');

const INTERVAL = 1024;
const OWN_FILE = path.join(OWN_DIST, 'probes', 'heap.js');

function node(name: string, scriptName: string, lineNumber: number, sizeBytes: number, children: NativeNode[] = []): NativeNode {
  const allocations = sizeBytes > 0 ? [{ sizeBytes: sizeBytes / 2, count: 2 }] : [];
  return { name, scriptId: 7, scriptName, lineNumber, columnNumber: 2, allocations, children };
}

/** A run that kept 4 KB in makeData, called from the test, after leakwatch's marker. */
function profile(withMarker = true, kept = 4096): NativeNode {
  const children = [node('test', '/project/t.test.js', 10, 0, [node('makeData', '/project/src/make.js', 0, kept)])];
  if (withMarker) children.push(node('beforeTest', OWN_FILE, 50, 16 * INTERVAL));
  return node('(root)', '', 0, 0, children);
}

describe('survivorsOf', () => {
  test('gives one survivor per node with samples (their sizes summed), its stack innermost first, the root left out, lines made 0-based', () => {
    expect(survivorsOf(profile())).toEqual([
      {
        ordinal: 0,
        size: 16 * INTERVAL,
        stack: [{ functionName: 'beforeTest', scriptId: '7', url: OWN_FILE, lineNumber: 49, columnNumber: 2 }],
      },
      {
        ordinal: 0,
        size: 4096,
        stack: [
          { functionName: 'makeData', scriptId: '7', url: '/project/src/make.js', lineNumber: 0, columnNumber: 2 },
          { functionName: 'test', scriptId: '7', url: '/project/t.test.js', lineNumber: 9, columnNumber: 2 },
        ],
      },
    ]);
  });
});

describe('isMarker', () => {
  const own = { functionName: 'whatever V8 inlined it into', scriptId: '1', url: OWN_FILE, lineNumber: 0, columnNumber: 0 };

  test("is a sample of at least half the marker's 16 intervals whose innermost frame is leakwatch's", () => {
    expect(isMarker({ ordinal: 0, size: 8 * INTERVAL, stack: [own] }, INTERVAL)).toBe(true);
  });

  test('is not a smaller sample of leakwatch’s', () => {
    expect(isMarker({ ordinal: 0, size: 8 * INTERVAL - 1, stack: [own] }, INTERVAL)).toBe(false);
  });

  test("is not a big sample of the user's", () => {
    expect(isMarker({ ordinal: 0, size: 16 * INTERVAL, stack: [{ ...own, url: '/project/src/make.js' }, own] }, INTERVAL)).toBe(false);
  });

  test('is not a sample with no stack', () => {
    expect(isMarker({ ordinal: 0, size: 16 * INTERVAL, stack: [] }, INTERVAL)).toBe(false);
  });
});

describe('sampleWithoutFullGc', () => {
  function profiler(...heads: Array<() => NativeNode>): NativeProfiler & Record<keyof NativeProfiler, jest.Mock> {
    let reads = 0;
    return {
      startSamplingHeapProfiler: jest.fn(),
      stopSamplingHeapProfiler: jest.fn(),
      getAllocationProfile: jest.fn(() => heads[Math.min(reads++, heads.length - 1)]()),
    };
  }
  const sizes = (survivors: ReturnType<Parameters<Parameters<typeof sampleWithoutFullGc>[2]>[0]>) => survivors?.map((s) => s.size) ?? null;

  test("starts the sampler before the look, lets it read the runs' survivors without the marker, then stops it", async () => {
    const native = profiler(() => profile());
    const verdict = await sampleWithoutFullGc(native, INTERVAL, async (read) => {
      expect(native.startSamplingHeapProfiler).toHaveBeenCalledWith(INTERVAL, 64);
      expect(native.stopSamplingHeapProfiler).not.toHaveBeenCalled();
      return sizes(read());
    });
    expect(verdict).toEqual([4096]);
    expect(native.stopSamplingHeapProfiler).toHaveBeenCalledTimes(1);
  });

  test('lets the look read again, with the sampler still on (after another run, after a full GC)', async () => {
    const native = profiler(
      () => profile(true, 4096),
      () => profile(true, 1024),
    );
    expect(await sampleWithoutFullGc(native, INTERVAL, async (read) => [sizes(read()), sizes(read())])).toEqual([[4096], [1024]]);
    expect(native.startSamplingHeapProfiler).toHaveBeenCalledTimes(1);
  });

  test('reads null when the marker is not among the samples (the run restarted the sampler)', async () => {
    expect(
      await sampleWithoutFullGc(
        profiler(() => profile(false)),
        INTERVAL,
        async (read) => read(),
      ),
    ).toBeNull();
  });

  test('reads null when reading throws (the run stopped the sampler), and stopping again does not throw', async () => {
    const native = profiler(() => {
      throw new Error('Heap profiler is not enabled.');
    });
    native.stopSamplingHeapProfiler.mockImplementation(() => {
      throw new Error('not started');
    });
    expect(await sampleWithoutFullGc(native, INTERVAL, async (read) => read())).toBeNull();
  });

  test('stops the sampler when the run throws', async () => {
    const native = profiler(() => profile());
    const failing = async (): Promise<void> => {
      throw new Error('test failed');
    };
    await expect(sampleWithoutFullGc(native, INTERVAL, failing)).rejects.toThrow('test failed');
    expect(native.stopSamplingHeapProfiler).toHaveBeenCalledTimes(1);
  });
});

describe('nativeProfiler', () => {
  const heap = { startSamplingHeapProfiler: jest.fn(), stopSamplingHeapProfiler: jest.fn(), getAllocationProfile: jest.fn() };
  // A mocked module loaded in one isolateModules registry stayed in the next: start afresh.
  beforeEach(() => jest.resetModules());

  /** A fresh quick-sampler whose package's heap-profiler bindings are `bindings` and whose entry point is `entry`. */
  function load(bindings: () => unknown, entry: () => unknown = () => ({})): QuickSampler {
    let sampler!: QuickSampler;
    jest.isolateModules(() => {
      jest.doMock('@datadog/pprof/out/src/heap-profiler-bindings', bindings, { virtual: true });
      jest.doMock('@datadog/pprof', entry, { virtual: true });
      sampler = jest.requireActual<QuickSampler>('../quick-sampler');
    });
    return sampler;
  }
  const missing = (): never => {
    throw new Error('Cannot find module');
  };

  test("is the package's heap-profiler bindings when they load", () => {
    expect(load(() => heap).nativeProfiler()).toBe(heap);
  });

  test("is null when neither the bindings nor the package's entry point load", () => {
    expect(load(missing, missing).nativeProfiler()).toBeNull();
  });

  test('is null when the bindings have no sampling heap profiler and the entry point no heap API', () => {
    expect(load(() => ({ startSamplingHeapProfiler: jest.fn() })).nativeProfiler()).toBeNull();
  });

  test("falls back to the entry point's heap API: start, v8Profile, stop", () => {
    const api = { start: jest.fn(), stop: jest.fn(), v8Profile: jest.fn(() => profile()) };
    const profiler = load(missing, () => ({ heap: api })).nativeProfiler()!;
    profiler.startSamplingHeapProfiler(INTERVAL, 64);
    expect(profiler.getAllocationProfile()).toEqual(profile());
    profiler.stopSamplingHeapProfiler();
    expect(api.start).toHaveBeenCalledWith(INTERVAL, 64);
    expect(api.stop).toHaveBeenCalledTimes(1);
  });

  test('looks once: later calls give the first answer', () => {
    const bindings = jest.fn(missing);
    const sampler = load(bindings, missing);
    expect([sampler.nativeProfiler(), sampler.nativeProfiler()]).toEqual([null, null]);
    expect(bindings).toHaveBeenCalledTimes(1);
  });
});
