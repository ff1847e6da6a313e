/**
 * A test is judged in an afterEach hook of the root describe block, added last so it runs
 * after every hook of the user's: inside Jest's test scope. Runs again there may `require`,
 * touch `jest` (Jest 30 refuses both between tests) and use what the test's hooks set up.
 */
import type { Circus } from '@jest/types';

/** Marks the hook, which extra runs of a test must skip. */
const MEASURING_HOOK = Symbol.for('jest-environment-leakwatch.measuringHook');

export function isMeasuringHook(hook: Circus.Hook): boolean {
  return typeof hook.fn === 'function' && (hook.fn as unknown as Record<symbol, unknown>)[MEASURING_HOOK] === true;
}

/** Adds the hook once per file. */
export function addMeasuringHook(state: Circus.State, measure: () => void | Promise<void>): void {
  if (state.rootDescribeBlock.hooks.some((hook) => isMeasuringHook(hook))) return;
  const fn = Object.assign(measure, { [MEASURING_HOOK]: true });
  state.rootDescribeBlock.hooks.push({
    asyncError: new Error('leakwatch measuring hook'),
    fn,
    parent: state.rootDescribeBlock,
    seenDone: false,
    // Extra runs have the test's own time limits; this one must never fire (2^31-1 ms is the
    // largest delay timers accept).
    timeout: 2 ** 31 - 1,
    type: 'afterEach',
  });
}
