import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { RerunOutcome } from '../../core/types';
import { ListenersProbe } from '../listeners';

const root = path.resolve('/project');
const TEST = { name: 'a test', id: 1 };
const rerun = async (): Promise<RerunOutcome> => ({ threw: null });

/** Calls `emitter.on(event, fn)` from line 2 of a file of the project (this file is leakwatch's own). */
function addFromProject(emitter: EventEmitter, event: string, listener: () => void, file = 'src/setup.js'): void {
  const add = vm.runInThisContext('(function add(emitter, event, listener) {\n  emitter.on(event, listener);\n})', {
    filename: path.join(root, file),
  }) as (emitter: EventEmitter, event: string, listener: () => void) => void;
  add(emitter, event, listener);
}

/** A probe with a project root, on one process-like emitter, its adders wrapped from the file's start. */
let processLike: EventEmitter;
let probe: ListenersProbe;

beforeEach(() => {
  processLike = new EventEmitter();
  probe = new ListenersProbe([processLike], root);
  probe.startFileWindow();
});

afterEach(() => probe.dispose());

describe('ListenersProbe at file level', () => {
  test('reports a listener added at module scope and never removed, with its line and phase', async () => {
    probe.fileCodeRunning('module scope');
    addFromProject(processLike, 'beforeExit', () => undefined);
    probe.fileCodeRunning(null);
    probe.beforeTest();
    await probe.afterTest(TEST, rerun);
    expect(probe.finishFileWindow()?.details[0]).toBe(
      "process.on('beforeExit') listener, added at src/setup.js:2 (module scope) and not removed",
    );
  });

  test('says how many listeners the file left', () => {
    probe.fileCodeRunning('beforeAll');
    addFromProject(processLike, 'SIGUSR2', () => undefined);
    addFromProject(processLike, 'SIGUSR2', () => undefined);
    expect(probe.finishFileWindow()?.summary).toBe('leaked 2 process listeners');
  });

  test('a listener that afterAll removes is no finding', () => {
    const listener = (): undefined => undefined;
    probe.fileCodeRunning('beforeAll');
    addFromProject(processLike, 'SIGUSR2', listener);
    probe.fileCodeRunning('afterAll');
    processLike.off('SIGUSR2', listener);
    expect(probe.finishFileWindow()).toBeNull();
  });

  test("a test's own listener is judged with the test, not again with the file", async () => {
    probe.beforeTest();
    addFromProject(processLike, 'SIGUSR2', () => undefined);
    expect((await probe.afterTest(TEST, rerun))?.summary).toBe('leaked 1 process listener');
    expect(probe.finishFileWindow()).toBeNull();
  });

  test("a library's listener (no project line) is not the file's", () => {
    probe.fileCodeRunning('module scope');
    processLike.on('exit', () => undefined);
    expect(probe.finishFileWindow()).toBeNull();
  });

  test("the test runner's own listeners never count", () => {
    probe.fileCodeRunning('module scope');
    addFromProject(processLike, 'uncaughtException', () => undefined);
    probe.runnerInstalledListeners(['uncaughtException']);
    expect(probe.finishFileWindow()).toBeNull();
  });

  test('dispose puts the emitter methods back', () => {
    expect(processLike.on).not.toBe(EventEmitter.prototype.on);
    probe.dispose();
    expect(processLike.on).toBe(EventEmitter.prototype.on);
  });
});

describe('ListenersProbe at file level, with an emitter freed with the file', () => {
  test("a listener left on the file's own emitter (Jest's per-file process) is no finding; on a lasting one it is", () => {
    const lasting = new EventEmitter();
    const filesOwn = new EventEmitter();
    const probe = new ListenersProbe([lasting, filesOwn], root, [lasting]);
    probe.startFileWindow();
    try {
      probe.fileCodeRunning('beforeAll');
      addFromProject(filesOwn, 'SIGUSR2', () => undefined);
      addFromProject(lasting, 'SIGUSR1', () => undefined);
      probe.fileCodeRunning(null);
      expect(probe.finishFileWindow()?.details.slice(0, -1)).toEqual([
        "process.on('SIGUSR1') listener, added at src/setup.js:2 (beforeAll) and not removed",
      ]);
    } finally {
      probe.dispose();
    }
  });
});

describe("ListenersProbe, where a test's listener was added", () => {
  test('names the project line that added it', async () => {
    probe.beforeTest();
    addFromProject(processLike, 'SIGTERM', () => undefined, 'lib/spawn.js');
    expect((await probe.afterTest(TEST, rerun))?.details[0]).toBe("process.on('SIGTERM'): 1 added and not removed, at lib/spawn.js:2");
  });

  test('names no line when no project frame added it', async () => {
    probe.beforeTest();
    processLike.on('SIGTERM', () => undefined);
    expect((await probe.afterTest(TEST, rerun))?.details[0]).toBe("process.on('SIGTERM'): 1 added and not removed");
  });

  test('a listener an earlier test left is not named again', async () => {
    probe.beforeTest();
    addFromProject(processLike, 'SIGTERM', () => undefined, 'lib/first.js');
    await probe.afterTest(TEST, rerun);
    probe.beforeTest();
    addFromProject(processLike, 'SIGTERM', () => undefined, 'lib/second.js');
    expect((await probe.afterTest(TEST, rerun))?.details[0]).toBe("process.on('SIGTERM'): 1 added and not removed, at lib/second.js:2");
  });

  test('the same function added again by a later test is named for that test', async () => {
    const listener = (): undefined => undefined;
    probe.beforeTest();
    addFromProject(processLike, 'SIGTERM', listener, 'lib/first.js');
    processLike.off('SIGTERM', listener);
    await probe.afterTest(TEST, rerun);
    probe.beforeTest();
    addFromProject(processLike, 'SIGTERM', listener, 'lib/second.js');
    expect((await probe.afterTest(TEST, rerun))?.details[0]).toBe("process.on('SIGTERM'): 1 added and not removed, at lib/second.js:2");
  });
});
