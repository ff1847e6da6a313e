/**
 * The quick sampler's pure parts, and how it finds the optional addon, with the addon, its
 * package.json and the file system replaced: the answers do not depend on whether
 * v8-profiler-next is built for this Node.
 */
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { OWN_DIST } from '../../core/stack';
import { isMarker, sampleWithoutFullGc, survivorsOf } from '../quick-sampler';

type NativeNode = Parameters<typeof survivorsOf>[0];
type QuickSampler = typeof import('../quick-sampler');

const INTERVAL = 1024;
const OWN_FILE = path.join(OWN_DIST, 'probes', 'heap.js');

function node(functionName: string, url: string, lineNumber: number, selfSize: number, children: NativeNode[] = []): NativeNode {
  return { callFrame: { functionName, scriptId: 7, url, lineNumber, columnNumber: 2 }, selfSize, children };
}

/** A run that kept 4 KB in makeData, called from the test, after leakwatch's marker. */
function profile(withMarker = true): NativeNode {
  const children = [node('test', '/project/t.test.js', 10, 0, [node('makeData', '/project/src/make.js', 0, 4096)])];
  if (withMarker) children.push(node('beforeTest', OWN_FILE, 50, 16 * INTERVAL));
  return node('(root)', '', 0, 0, children);
}

describe('survivorsOf', () => {
  test('gives one survivor per node with samples, its stack innermost first, the root left out, lines made 0-based', () => {
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
  function profiler(head: () => NativeNode) {
    return { startSamplingHeapProfiling: jest.fn(), stopSamplingHeapProfiling: jest.fn(() => ({ head: head() })) };
  }

  test("returns the run's survivors without the marker, after starting the sampler before the run and again before reading", async () => {
    const native = profiler(() => profile());
    const run = jest.fn(async () => expect(native.startSamplingHeapProfiling).toHaveBeenCalledTimes(1));
    const survivors = await sampleWithoutFullGc(native, INTERVAL, run);
    expect(survivors?.map((survivor) => survivor.size)).toEqual([4096]);
    expect(run).toHaveBeenCalledTimes(1);
    expect(native.startSamplingHeapProfiling.mock.calls).toEqual([
      [INTERVAL, 64],
      [INTERVAL, 64],
    ]);
  });

  test('is null when the marker is not among the samples (the run restarted the sampler)', async () => {
    expect(
      await sampleWithoutFullGc(
        profiler(() => profile(false)),
        INTERVAL,
        async () => {},
      ),
    ).toBeNull();
  });

  test('is null when reading the profile throws', async () => {
    const failing = profiler(() => {
      throw new Error('sampler stopped');
    });
    expect(await sampleWithoutFullGc(failing, INTERVAL, async () => {})).toBeNull();
  });
});

describe('nativeProfiler', () => {
  const sampling = { startSamplingHeapProfiling: jest.fn(), stopSamplingHeapProfiling: jest.fn() };
  // A mocked module loaded in one isolateModules registry stayed in the next: start afresh.
  beforeEach(() => jest.resetModules());

  /** A package.json `binary` field as node-pre-gyp reads it. */
  const BINARY = { module_name: 'profiler', module_path: './build/binding/{configuration}/{node_abi}-{platform}-{arch}/' };

  /**
   * A fresh quick-sampler whose `v8-profiler-next` entry point is `entry`, whose package.json
   * has `binary`, and where the compiled module exists only when `compiled` is given.
   */
  function load(entry: () => unknown, binary?: object, compiled?: () => unknown): { sampler: QuickSampler; existsSync: jest.Mock } {
    const existsSync = jest.fn(() => compiled !== undefined);
    let sampler!: QuickSampler;
    jest.isolateModules(() => {
      const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
      jest.doMock('node:fs', () => ({
        ...fs,
        existsSync,
        readFileSync: (file: string, encoding: BufferEncoding) =>
          file.endsWith(`v8-profiler-next${path.sep}package.json`) ? JSON.stringify({ binary }) : fs.readFileSync(file, encoding),
      }));
      jest.doMock('v8-profiler-next', entry, { virtual: true });
      if (compiled) jest.doMock(compiledFile(), compiled, { virtual: true });
      sampler = jest.requireActual<QuickSampler>('../quick-sampler');
    });
    return { sampler, existsSync };
  }

  test('is null when the package does not load', () => {
    const { sampler } = load(() => {
      throw new Error('Cannot find module');
    });
    expect(sampler.nativeProfiler()).toBeNull();
  });

  test('is null when the package has no sampling heap profiler', () => {
    expect(load(() => ({ startSamplingHeapProfiling: jest.fn() })).sampler.nativeProfiler()).toBeNull();
  });

  test("is the package's entry point when its package.json names no compiled module", () => {
    expect(load(() => sampling).sampler.nativeProfiler()).toBe(sampling);
  });

  test('looks once: later calls give the first answer', () => {
    const { sampler, existsSync } = load(() => null, BINARY);
    expect([sampler.nativeProfiler(), sampler.nativeProfiler()]).toEqual([null, null]);
    expect(existsSync).toHaveBeenCalledTimes(isInstalled() ? 1 : 0);
  });

  function isInstalled(): boolean {
    try {
      require.resolve('v8-profiler-next/package.json');
      return true;
    } catch {
      return false;
    }
  }

  /** Where the package.json's `binary` (BINARY) puts the compiled module on this machine. */
  function compiledFile(): string {
    const folder = `build/binding/Release/node-v${process.versions.modules}-${process.platform}-${process.arch}`;
    return path.join(path.dirname(require.resolve('v8-profiler-next/package.json')), folder, 'profiler.node');
  }

  // The package's own package.json is found by resolving it: without the package, there is no compiled module to find.
  (isInstalled() ? describe : describe.skip)(
    `with the package installed${isInstalled() ? '' : ' (skipped: v8-profiler-next is not installed)'}`,
    () => {
      test("loads the compiled module where package.json's binary puts it, sets it up, and gives its samplingHeap, not the entry point", () => {
        const setup = jest.fn();
        const entry = jest.fn(() => ({ ...sampling }));
        const { sampler } = load(entry, BINARY, () => ({ setup, samplingHeap: sampling }));
        expect(sampler.nativeProfiler()).toBe(sampling);
        expect(setup).toHaveBeenCalledWith({ debug: false, thread_id: threadId }, expect.any(Function));
        expect(entry).not.toHaveBeenCalled();
      });

      test('falls back to the entry point when the compiled module has no setup', () => {
        const { sampler } = load(
          () => sampling,
          BINARY,
          () => ({ samplingHeap: { ...sampling } }),
        );
        expect(sampler.nativeProfiler()).toBe(sampling);
      });
    },
  );
});
