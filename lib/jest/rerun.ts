/**
 * Runs a finished test once more (its beforeEach hooks, its body, its afterEach hooks),
 * the way jest-circus runs it, to confirm a suspected leak: memory that a second run
 * leaves behind again is a leak; memory a second run does not add (a cache already
 * warm, a describe-level variable replaced) is not. CPython's `-R` rule.
 *
 * The second run must not change anything the user sees: its errors are swallowed
 * (they are not the test's result), expect's counters are restored afterwards, snapshot
 * matchers pass without reading or writing a snapshot during it, `console` prints
 * nothing (the user saw the test's output once), and mock call
 * history goes to a scratch store that is dropped afterwards: later tests counting calls
 * of a module-level mock see the same numbers, and mocks the second run created do not
 * keep their calls alive in Jest's registry (which would look like a leak).
 * The outcome says how many more fake timers are pending after the run (jest/fake-clock.ts),
 * and can clear those it made: what they hold stays until the test's clock advances, which no
 * extra run may do, and without the extra run they would not exist.
 */
import type { Circus, Global } from '@jest/types';
import { errorMessage, toError } from '../core/errors';
import { realClearTimeout, realSetTimeout } from '../core/timers';
import type { RerunOutcome } from '../core/types';
import { dropTimers, fakeTimersAdded, readFakeTimers, timersMadeBy } from './fake-clock';

/** How the second run ended. Its memory is measured either way: a test that asserts on
 * state it accumulates (`expect(cache.size).toBe(1)`) fails the second time, yet still
 * shows whether it leaves memory behind. */
const CONSOLE_METHODS = [
  'log',
  'info',
  'warn',
  'error',
  'debug',
  'trace',
  'dir',
  'dirxml',
  'table',
  'group',
  'groupCollapsed',
  'groupEnd',
  'time',
  'timeEnd',
  'timeLog',
  'count',
  'countReset',
  'assert',
];
const noop = (): undefined => undefined;

/** Replaces a console's methods with no-ops (own properties); returns how to undo it. */
function silence(target: unknown): () => void {
  if (!target || typeof target !== 'object') return () => undefined;
  const console = target as Record<string, unknown>;
  const saved: Array<[string, PropertyDescriptor | undefined]> = [];
  for (const name of CONSOLE_METHODS) {
    saved.push([name, Object.getOwnPropertyDescriptor(console, name)]);
    try {
      Object.defineProperty(console, name, { value: noop, configurable: true, writable: true });
    } catch {
      // A frozen console keeps printing; the extra run still counts.
    }
  }
  return () => {
    for (const [name, descriptor] of saved) {
      try {
        if (descriptor) Object.defineProperty(console, name, descriptor);
        else delete console[name];
      } catch {
        // As above.
      }
    }
  };
}

/** Marks leakwatch's own afterEach hook (measuring-hook.ts), which runs again must skip. */
export const MEASURING_HOOK = Symbol.for('jest-environment-leakwatch.measuringHook');

export function isMeasuringHook(hook: Circus.Hook): boolean {
  return typeof hook.fn === 'function' && (hook.fn as unknown as Record<symbol, unknown>)[MEASURING_HOOK] === true;
}

/**
 * Jest's snapshot state for the extra runs: every snapshot matcher passes and nothing is read,
 * counted or written. Without a state, the matchers throw ("Snapshot state must be
 * initialized"), and a throw in a callback (a `done` test, a timer) escapes to Jest, which
 * failed the test itself (express-validator's one-of.spec.ts, now in fixtures/faults).
 */
const RERUN_SNAPSHOT_STATE = Object.freeze({
  match: () => ({ actual: '', count: 1, expected: '', key: '', pass: true }),
  fail: () => 'leakwatch extra run 1',
  expand: false,
  snapshotFormat: {},
  snapshotPath: '',
});

interface ExpectLike {
  getState(): Record<string, unknown>;
  setState(state: Record<string, unknown>): void;
}

export async function rerunTest(
  test: Circus.TestEntry,
  defaultTimeout: number,
  global: Global.Global,
  moduleMocker: unknown,
): Promise<RerunOutcome> {
  const expect = (global as { expect?: ExpectLike }).expect;
  const saved = expect ? { ...expect.getState() } : null;
  // jest-mock keeps call history in this WeakMap (clearAllMocks replaces it the same way).
  const mocker = moduleMocker as { _mockState?: unknown } | null;
  // The user saw the test's console output once; the extra runs print nothing. The console's
  // methods are silenced, not the global replaced: Jest 30 keeps every value ever assigned to
  // a global until teardown (its globals cleanup), so swapping `console` grew a list per run.
  const restoreConsole = silence((global as { console?: unknown }).console);
  const mockState = mocker && mocker._mockState instanceof WeakMap ? mocker._mockState : null;
  if (mockState) mocker!._mockState = new WeakMap();
  const fakeTimersBefore = readFakeTimers(global);
  const added = (): Pick<RerunOutcome, 'fakeTimersAdded' | 'dropFakeTimers'> => {
    const after = readFakeTimers(global);
    if (!fakeTimersBefore && !after) return {};
    const made = timersMadeBy(fakeTimersBefore, after);
    return {
      fakeTimersAdded: fakeTimersAdded(fakeTimersBefore, after),
      ...(after && made.length > 0 ? { dropFakeTimers: () => dropTimers(after.clock, made) } : {}),
    };
  };
  try {
    expect?.setState({ snapshotState: RERUN_SNAPSHOT_STATE });
    const { beforeEach, afterEach } = eachHooks(test);
    const context = Object.create(null) as object;
    for (const hook of beforeEach) await callWithTimeout(hook.fn, context, hook.timeout ?? defaultTimeout);
    try {
      await callWithTimeout(test.fn, context, test.timeout ?? defaultTimeout);
    } finally {
      for (const hook of afterEach) await callWithTimeout(hook.fn, context, hook.timeout ?? defaultTimeout);
    }
    return { threw: null, ...added() };
  } catch (error) {
    const text = errorMessage(error).split('\n')[0];
    return { threw: text, ...added() };
  } finally {
    restoreConsole();
    if (mockState) mocker!._mockState = mockState;
    if (expect && saved) {
      // Keys the second run added go back to undefined, the rest to what they were.
      const restored: Record<string, unknown> = {};
      for (const key of Object.keys(expect.getState())) restored[key] = saved[key];
      expect.setState({ ...restored, ...saved });
    }
  }
}

/** The test's body and its each-hooks (not leakwatch's own). */
export function testCode(test: Circus.TestEntry): object[] {
  const { beforeEach, afterEach } = eachHooks(test);
  const code: unknown[] = [test.fn, ...beforeEach.map((hook) => hook.fn), ...afterEach.map((hook) => hook.fn)];
  return code.filter((fn): fn is object => typeof fn === 'function');
}

/** Hooks in jest-circus's order: beforeEach outermost first, afterEach innermost first. */
function eachHooks(test: Circus.TestEntry): { beforeEach: Circus.Hook[]; afterEach: Circus.Hook[] } {
  const beforeEach: Circus.Hook[] = [];
  const afterEach: Circus.Hook[] = [];
  for (let block: Circus.DescribeBlock | undefined = test.parent; block; block = block.parent) {
    beforeEach.unshift(...block.hooks.filter((hook) => hook.type === 'beforeEach'));
    afterEach.push(...block.hooks.filter((hook) => hook.type === 'afterEach' && !isMeasuringHook(hook)));
  }
  return { beforeEach, afterEach };
}

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

function callWithTimeout(fn: unknown, context: object, timeout: number): Promise<void> {
  if (typeof fn !== 'function') return Promise.reject(new Error('not a function'));
  if (fn.constructor?.name === 'GeneratorFunction') return Promise.reject(new Error('generator tests are not re-run'));
  return new Promise<void>((resolve, reject) => {
    const timer = realSetTimeout(() => reject(new Error(`timed out after ${timeout} ms`)), timeout);
    const finish = (error?: unknown): void => {
      realClearTimeout(timer);
      if (error) reject(toError(error));
      else resolve();
    };
    try {
      if (fn.length > 0) {
        // A `done` callback, as circus passes it.
        (fn as AnyFn).call(context, (reason?: unknown) => finish(reason));
        return;
      }
      const result = (fn as AnyFn).call(context);
      if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
        (result as PromiseLike<unknown>).then(
          () => finish(),
          (reason) => finish(reason ?? new Error('rejected')),
        );
      } else {
        finish();
      }
    } catch (error) {
      finish(error);
    }
  });
}
