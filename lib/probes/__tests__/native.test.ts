/**
 * NativeMemoryProbe on a fake process: anonymous memory and V8's numbers are set by each
 * test; native memory is what the first grows by beyond the others.
 */
import type { GcFunction } from '../../core/gc';
import type { RerunOutcome } from '../../core/types';
import type { NativeMemoryDeps } from '../native';

const mockProcess = { anonymous: 0, heapPhysical: 0, external: 0, gcAvailable: true };
const mockGc = jest.fn<void, Parameters<GcFunction>>();

jest.mock('node:v8', () => ({
  getHeapStatistics: () => ({
    total_physical_size: mockProcess.heapPhysical,
    external_memory: mockProcess.external,
    malloced_memory: 0,
  }),
}));
jest.mock('../../core/gc', () => ({
  ...jest.requireActual<typeof import('../../core/gc')>('../../core/gc'),
  getGc: () => (mockProcess.gcAvailable ? mockGc : null),
}));

const MB = 1024 * 1024;
const THRESHOLD = 8 * MB;
const TEST = { name: 'keeps zlib streams', id: 1 };
const close = jest.fn();
const fakeSource = { read: () => mockProcess.anonymous, close };

/** A fresh module each time: the platform note is once per process. */
function newProbe(deps: Partial<NativeMemoryDeps> = {}) {
  let probe!: import('../native').NativeMemoryProbe;
  jest.isolateModules(() => {
    const { NativeMemoryProbe } = jest.requireActual<typeof import('../native')>('../native');
    probe = new NativeMemoryProbe(THRESHOLD, '/app', {
      source: fakeSource,
      settle: async () => undefined,
      listAddons: () => [],
      ...deps,
    });
  });
  return probe;
}

/** An extra run that adds `native` bytes of native memory. */
function rerunAdding(...native: number[]) {
  const rerun = jest.fn(async (): Promise<RerunOutcome> => ({ threw: null }));
  for (const bytes of native) {
    rerun.mockImplementationOnce(async () => {
      mockProcess.anonymous += bytes;
      return { threw: null };
    });
  }
  return rerun;
}

async function judge(probe: import('../native').NativeMemoryProbe, body: () => void, rerun = rerunAdding()) {
  probe.beforeTest();
  body();
  return probe.afterTest(TEST, rerun);
}

beforeEach(() => {
  Object.assign(mockProcess, { anonymous: 200 * MB, heapPhysical: 50 * MB, external: 10 * MB, gcAvailable: true });
  mockGc.mockClear();
  close.mockClear();
});

describe('NativeMemoryProbe', () => {
  test('where the platform has no reading, it says so once per process and finds nothing', async () => {
    let first!: import('../native').NativeMemoryProbe;
    let second!: import('../native').NativeMemoryProbe;
    jest.isolateModules(() => {
      const { NativeMemoryProbe } = jest.requireActual<typeof import('../native')>('../native');
      first = new NativeMemoryProbe(THRESHOLD, '/app', { source: null });
      second = new NativeMemoryProbe(THRESHOLD, '/app', { source: null });
    });
    expect(first.startFile()).toBe('native memory was not measured: this platform has no /proc/self/statm (Linux only)');
    expect(second.startFile()).toBeNull();
    const rerun = rerunAdding();
    expect(await judge(second, () => (mockProcess.anonymous += 100 * MB), rerun)).toBeNull();
    expect(rerun).not.toHaveBeenCalled();
  });

  test('without gc() it says why, finds nothing, and closes its reader', async () => {
    mockProcess.gcAvailable = false;
    const probe = newProbe();
    expect(probe.startFile()).toBe('V8 would not expose gc(), so native memory was not measured');
    expect(close).toHaveBeenCalled();
    expect(await judge(probe, () => (mockProcess.anonymous += 100 * MB))).toBeNull();
  });

  test('growth under the threshold passes without running the test again', async () => {
    const rerun = rerunAdding(MB);
    expect(await judge(newProbe(), () => (mockProcess.anonymous += THRESHOLD - 1), rerun)).toBeNull();
    expect(rerun).not.toHaveBeenCalled();
  });

  test('growth V8 accounts for (heap pages, external memory) is not native', async () => {
    const rerun = rerunAdding();
    const body = () => {
      mockProcess.anonymous += 30 * MB;
      mockProcess.heapPhysical += 20 * MB;
      mockProcess.external += 10 * MB;
    };
    expect(await judge(newProbe(), body, rerun)).toBeNull();
    expect(rerun).not.toHaveBeenCalled();
  });

  test('a test over the threshold whose three extra runs each add half of it again leaks: the smallest run is the size', async () => {
    const probe = newProbe({ listAddons: () => [] });
    const rerun = rerunAdding(12 * MB, 7 * MB, 12 * MB);
    expect(await judge(probe, () => (mockProcess.anonymous += 12 * MB), rerun)).toEqual({
      check: 'native',
      verdict: 'leak',
      summary: 'leaked ~7.0 MB of native memory per run',
      details: [
        "Run 3 times more with a full GC after each, the test kept 12.0 MB, 7.0 MB, 12.0 MB more of the process's memory (resident, anonymous) that neither V8's heap nor its external memory counts (threshold 8.0 MB, set by testEnvironmentOptions.leakwatch.native.threshold).",
        'Memory V8 does not see is allocated by native code: a native addon, or a native library behind a Node API (zlib, crypto).',
        'No native addon (.node file) is loaded in this process: look at the Node APIs the test uses (zlib streams, crypto, sqlite).',
        'Fix: close or free what the native module returns once the test is done (stream.close(), db.close(), handle.destroy()); check its close/destroy/free API. Objects dropped without it may keep their native memory until the process exits.',
      ],
      bytes: 7 * MB,
    });
    expect(rerun).toHaveBeenCalledTimes(3);
  });

  test('a leak names the addons loaded since the first file, relative to rootDir when inside it', async () => {
    const addons = ['/usr/lib/node/jest-resolver.node'];
    const probe = newProbe({ listAddons: () => addons });
    addons.push('/app/node_modules/sqlite/sqlite.node', '/opt/lib/codec.node');
    const finding = await judge(probe, () => (mockProcess.anonymous += 9 * MB), rerunAdding(9 * MB, 9 * MB, 9 * MB));
    expect(finding?.details[2]).toBe(
      'Native addons loaded since the tests started in this process: node_modules/sqlite/sqlite.node, /opt/lib/codec.node.',
    );
  });

  test('an extra run that adds less than half the threshold is no leak: a warm allocator reuses its pages', async () => {
    const rerun = rerunAdding(9 * MB, THRESHOLD / 2 - 1, 9 * MB);
    expect(await judge(newProbe(), () => (mockProcess.anonymous += 9 * MB), rerun)).toBeNull();
    expect(rerun).toHaveBeenCalledTimes(2);
  });

  test('native memory freed by a GC or on the next turns (closed sockets, finalized streams) is no leak', async () => {
    let pending = 0;
    const settle = jest.fn(async () => {
      mockProcess.anonymous -= pending;
      pending = 0;
    });
    const rerun = jest.fn(async (): Promise<RerunOutcome> => {
      mockProcess.anonymous += 9 * MB;
      pending += 9 * MB;
      return { threw: null };
    });
    expect(await judge(newProbe({ settle }), () => (mockProcess.anonymous += 9 * MB), rerun)).toBeNull();
    expect(rerun).toHaveBeenCalledTimes(1);
    expect(mockGc).toHaveBeenCalled();
  });

  test('reads the test at endTest: what other probes do before afterTest is not counted', async () => {
    const probe = newProbe();
    const rerun = rerunAdding();
    probe.beforeTest();
    probe.endTest();
    mockProcess.anonymous += 50 * MB;
    expect(await probe.afterTest(TEST, rerun)).toBeNull();
    expect(rerun).not.toHaveBeenCalled();
  });

  test('an abandoned test is not judged', async () => {
    const probe = newProbe();
    const rerun = rerunAdding();
    probe.beforeTest();
    mockProcess.anonymous += 50 * MB;
    probe.abandonTest();
    expect(await probe.afterTest(TEST, rerun)).toBeNull();
    expect(rerun).not.toHaveBeenCalled();
  });

  test('dispose closes the reader', () => {
    newProbe().dispose();
    expect(close).toHaveBeenCalledTimes(1);
  });
});
