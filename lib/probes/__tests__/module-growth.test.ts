/**
 * ModuleGrowthProbe's walk at a file's first measured test, on a fake module-collection index:
 * whether it runs depends on how many tests may still grow a collection.
 */
import { MIN_GROWING_TESTS } from '../../heap/collection-growth';
import type { ModuleState } from '../../heap/module-holders';
import { ModuleGrowthProbe } from '../module-growth';

function probeWithIndex() {
  const reach = jest.fn((_code: readonly object[], _maxCalls?: number) => []);
  const collections = { size: 0, reach, dispose: jest.fn() };
  const probe = new ModuleGrowthProbe({ holders: {} as ModuleState['holders'], collections: collections as never, threshold: 1024 });
  return { probe, reach };
}

const testBody = (): void => undefined;

test(`walks the module state at the first test when ${MIN_GROWING_TESTS} or more tests are left`, () => {
  const { probe, reach } = probeWithIndex();
  probe.beforeTest({ name: 'first', id: 0, code: () => [testBody], testsLeft: MIN_GROWING_TESTS });
  expect(reach).toHaveBeenCalledTimes(1);
  expect(reach.mock.calls[0][0]).toEqual([testBody]);
});

test(`skips the walk when fewer than ${MIN_GROWING_TESTS} tests are left: none could be reported`, () => {
  const { probe, reach } = probeWithIndex();
  probe.beforeTest({ name: 'first', id: 0, code: () => [testBody], testsLeft: MIN_GROWING_TESTS - 1 });
  probe.beforeTest({ name: 'second', id: 1, code: () => [testBody], testsLeft: MIN_GROWING_TESTS - 2 });
  expect(reach).not.toHaveBeenCalled();
});

test('walks when the number of tests left is not known', () => {
  const { probe, reach } = probeWithIndex();
  probe.beforeTest({ name: 'first', id: 0, code: () => [testBody] });
  expect(reach).toHaveBeenCalledTimes(1);
});
