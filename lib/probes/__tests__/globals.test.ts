import type { RerunOutcome } from '../../core/types';
import { GlobalsProbe } from '../globals';

const TEST = { name: 'sets globals', id: 1 };
const rerun = jest.fn(async (): Promise<RerunOutcome> => ({ threw: null }));
const ADVICE =
  'Set on the global object during the test and still there after it. Declare it with let/const, or delete it in an afterEach hook.';

describe('GlobalsProbe', () => {
  /** The test's global object, with what the environment put there before the test. */
  let global: Record<string | symbol, unknown>;
  let probe: GlobalsProbe;

  beforeEach(() => {
    global = { setTimeout: () => {}, process: {} };
    probe = new GlobalsProbe(global);
  });

  async function judge(body: () => void) {
    probe.beforeTest();
    body();
    return probe.afterTest(TEST, rerun);
  }

  test('finds nothing when the test adds no global', async () => {
    expect(await judge(() => {})).toBeNull();
  });

  test('reports one global left behind, by name', async () => {
    expect(await judge(() => (global.cache = new Map()))).toEqual({
      check: 'globals',
      verdict: 'leak',
      summary: 'leaked 1 global: cache',
      details: [ADVICE],
    });
  });

  test('lists several globals in the order they were set', async () => {
    const finding = await judge(() => {
      global.b = 1;
      global.a = 2;
    });
    expect(finding?.summary).toBe('leaked 2 globals: b, a');
  });

  test('finds nothing when the test deletes what it set, or changes a global that was there', async () => {
    expect(
      await judge(() => {
        global.temporary = 1;
        delete global.temporary;
        global.process = { changed: true };
      }),
    ).toBeNull();
  });

  test('counts a non-enumerable property too', async () => {
    const finding = await judge(() => Object.defineProperty(global, 'hidden', { value: 1, enumerable: false }));
    expect(finding?.summary).toBe('leaked 1 global: hidden');
  });

  test("leaves out tools' globals (coverage, regenerator) and symbol-keyed properties (the test runner's)", async () => {
    expect(
      await judge(() => {
        global.__coverage__ = {};
        global.regeneratorRuntime = {};
        global['__core-js_shared__'] = {};
        global[Symbol('jest')] = {};
      }),
    ).toBeNull();
  });
});

describe('GlobalsProbe at file level', () => {
  let global: Record<string, unknown>;
  let probe: GlobalsProbe;

  beforeEach(() => {
    global = { setTimeout: () => {} };
    probe = new GlobalsProbe(global);
  });

  test('reports a global a beforeAll hook set and the file left, with the hook', () => {
    probe.fileCodeRunning('beforeAll');
    global.server = {};
    probe.fileCodeRunning(null);
    expect(probe.finishFileWindow()).toEqual({
      check: 'globals',
      verdict: 'leak',
      summary: 'leaked 1 global: server',
      details: [
        'server, set in beforeAll',
        "Still on the global object after the file's last afterAll hook. Delete it in an afterAll hook (delete globalThis.name), or declare it with let/const.",
      ],
    });
  });

  test('a global that afterAll deletes is no finding', () => {
    probe.fileCodeRunning('beforeAll');
    global.server = {};
    probe.fileCodeRunning('afterAll');
    delete global.server;
    expect(probe.finishFileWindow()).toBeNull();
  });

  test("module scope declares the file's globals: not a finding", () => {
    probe.fileCodeRunning('module scope');
    global.TextEncoder = class {};
    probe.fileCodeRunning(null);
    expect(probe.finishFileWindow()).toBeNull();
  });

  test("a test's own global is judged with the test, not again with the file", async () => {
    probe.beforeTest();
    global.cache = new Map();
    expect((await probe.afterTest(TEST, rerun))?.summary).toBe('leaked 1 global: cache');
    probe.fileCodeRunning('afterAll');
    probe.fileCodeRunning(null);
    expect(probe.finishFileWindow()).toBeNull();
  });
});
