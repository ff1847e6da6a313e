/**
 * ModuleGrowthProbe offers the collections the file's walks find to the growth tracker once:
 * asking the index again on every test cost each test a pass over all of them.
 */
import { CollectionGrowth } from '../../heap/collection-growth';
import type { ModuleCollectionIndex } from '../../heap/module-collections';
import { ModuleHolders } from '../../heap/module-holders';
import type { ModuleCollection } from '../../heap/reachable-collections';
import { ModuleGrowthProbe } from '../module-growth';

/** An index that knows `known` and whose walks find nothing more. */
function fakeIndex(known: ModuleCollection[]) {
  const index = {
    get size() {
      return known.length;
    },
    reach: jest.fn((_code: readonly object[]) => [...known]),
    dispose: jest.fn(),
  };
  return index;
}

function probeWith(known: ModuleCollection[]) {
  const collections = fakeIndex(known);
  const probe = new ModuleGrowthProbe({
    holders: new ModuleHolders({ rootDir: '/project', testFile: '/project/a.test.js', allow: [] }),
    collections: collections as unknown as ModuleCollectionIndex,
    growth: new CollectionGrowth(),
    threshold: 512 * 1024,
  });
  const runTest = (name: string) => {
    probe.beforeTest({ name, id: 0, code: () => [() => undefined] });
    probe.endTest();
    probe.afterTest();
  };
  return { probe, collections, runTest };
}

const table = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]));
const collection = (label: string, value: object, kind: ModuleCollection['kind'] = 'Object'): ModuleCollection => ({
  label,
  kind,
  scriptId: '1',
  value,
});

test('a collection the tracker leaves out (a big table) is not offered again at every test', () => {
  const { collections, probe, runTest } = probeWith([collection('table', table), collection('memo', {})]);
  for (const name of ['a', 'b', 'c']) runTest(name);
  expect(collections.reach).toHaveBeenCalledTimes(1);
  expect(probe.stats.watchedCollections).toBe(1);
});

test('collections a later walk found are offered at the next test', () => {
  const known = [collection('memo', {})];
  const { collections, probe, runTest } = probeWith(known);
  runTest('a');
  known.push(collection('cache', new Map(), 'Map'));
  runTest('b');
  runTest('c');
  expect(collections.reach).toHaveBeenCalledTimes(2);
  expect(probe.stats.watchedCollections).toBe(2);
});
