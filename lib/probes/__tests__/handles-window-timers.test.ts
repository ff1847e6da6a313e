import * as path from 'node:path';
import * as vm from 'node:vm';
import { HandlesProbe } from '../handles';

const root = path.resolve('/project');

/** jsdom's Window.js timers as jsdom 26 writes them: a Node setTimeout armed in timerInitializationSteps. */
const windowSource = `(function makeWindow() {
  const window = {};
  const active = new Map();
  let lastId = 0;
  window.setTimeout = function (handler, timeout) {
    return timerInitializationSteps(handler, timeout, { repeat: false });
  };
  window.setInterval = function (handler, timeout) {
    return timerInitializationSteps(handler, timeout, { repeat: true });
  };
  window.clearAll = function () {
    for (const timer of active.values()) clearTimeout(timer);
    active.clear();
  };
  function timerInitializationSteps(handler, timeout, { repeat, previousHandle }) {
    const handle = previousHandle !== undefined ? previousHandle : ++lastId;
    function task() {
      if (!active.has(handle)) return;
      handler();
      if (repeat) timerInitializationSteps(handler, timeout, { repeat, previousHandle: handle });
      else active.delete(handle);
    }
    active.set(handle, setTimeout(task, timeout));
    return handle;
  }
  return window;
})`;
type FakeWindow = {
  setTimeout(handler: () => void, ms: number): number;
  setInterval(handler: () => void, ms: number): number;
  clearAll(): void;
};
const makeWindow = vm.runInThisContext(windowSource, {
  filename: path.join(root, 'node_modules/jsdom/lib/jsdom/browser/Window.js'),
}) as () => FakeWindow;

/** `window.<method>(() => {}, ms)` called from line 2 of a project file. */
function caller(file: string, method: 'setTimeout' | 'setInterval'): (window: FakeWindow, ms: number) => number {
  return vm.runInThisContext(`(function arm(window, ms) {\n  return window.${method}(() => {}, ms);\n})`, {
    filename: path.join(root, file),
  }) as (window: FakeWindow, ms: number) => number;
}

describe('HandlesProbe: a jsdom window timer', () => {
  let probe: HandlesProbe;
  let window: FakeWindow;

  beforeEach(() => {
    window = makeWindow();
    probe = new HandlesProbe(root, path.join(root, '__tests__/cache.test.js'));
    probe.startFile();
    probe.beforeTest();
  });

  afterEach(() => {
    probe.dispose();
    window.clearAll();
  });

  test('armed once by the code under test is housekeeping, not a leak', () => {
    caller('src/cache.js', 'setTimeout')(window, 60_000);
    expect(probe.afterTest()).toBeNull();
  });

  test("armed once by a library while the test file renders is the library's housekeeping", () => {
    const library = vm.runInThisContext('(function revalidate(window) {\n  window.setTimeout(() => {}, 60000);\n})', {
      filename: path.join(root, 'node_modules/data-library/index.js'),
    }) as (window: FakeWindow) => void;
    const render = vm.runInThisContext('(function render(window, library) {\n  library(window);\n})', {
      filename: path.join(root, '__tests__/cache.test.js'),
    }) as (window: FakeWindow, library: (window: FakeWindow) => void) => void;
    render(window, library);
    expect(probe.afterTest()).toBeNull();
  });

  test('armed once by the test file itself is the test leaving it behind', async () => {
    caller('__tests__/cache.test.js', 'setTimeout')(window, 60_000);
    const finding = await probe.afterTest();
    expect(finding?.details[0]).toBe('setTimeout timer (60000 ms), created at __tests__/cache.test.js:2');
  });

  test('an interval armed by the code under test is a leak, and is named an interval', async () => {
    caller('src/poller.js', 'setInterval')(window, 60_000);
    const finding = await probe.afterTest();
    expect(finding?.details[0]).toBe('setInterval timer (every 60000 ms), created at src/poller.js:2');
  });

  test("an interval re-armed during the grace period is still the test's leak", async () => {
    caller('src/poller.js', 'setInterval')(window, 5);
    const finding = await probe.afterTest();
    expect(finding?.summary).toBe('leaked 1 open handle');
    expect(finding?.details[0]).toBe('setInterval timer (every 5 ms), created at src/poller.js:2');
  });
});
