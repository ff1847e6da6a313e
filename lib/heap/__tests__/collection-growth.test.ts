import * as vm from 'node:vm';
import { CollectionGrowth, MIN_GROWING_TESTS, sizeOf } from '../collection-growth';

/** ~80 KB an entry: an array of 10,000 small integers. */
const entry = () => new Array(10_000).fill(1);
const THRESHOLD = 200 * 1024;

/** What a caller with THRESHOLD reports. */
const reported = (growth: CollectionGrowth) => growth.grown().filter((grown) => grown.bytes >= THRESHOLD);

/** Runs one measured test that adds `add` entries to `cache`. */
function runTest(growth: CollectionGrowth, name: string, cache: Map<string, unknown>, add: number): void {
  growth.testStarted(name);
  for (let i = 0; i < add; i++) cache.set(`${name}-${i}`, entry());
  growth.testEnded();
  growth.testJudged();
}

function watched(cache: object): CollectionGrowth {
  const growth = new CollectionGrowth();
  growth.watch([{ label: 'cache', kind: 'Map', scriptId: '7', value: cache }]);
  return growth;
}

test('a collection that three tests grew, past the threshold together, is reported with the tests', () => {
  const cache = new Map<string, unknown>();
  const growth = watched(cache);
  for (const name of ['a', 'b', 'c']) runTest(growth, name, cache, 1);
  const [grown] = reported(growth);
  expect(grown).toMatchObject({ label: 'cache', scriptId: '7', tests: ['a', 'b', 'c'], entries: 3 });
  expect(grown.bytes).toBeGreaterThan(3 * 80_000);
});

test(`fewer than ${MIN_GROWING_TESTS} growing tests are not reported, however much they added`, () => {
  const cache = new Map<string, unknown>();
  const growth = watched(cache);
  runTest(growth, 'a', cache, 3);
  runTest(growth, 'b', cache, 3);
  runTest(growth, 'c', cache, 0);
  expect(reported(growth)).toEqual([]);
});

test('growth under the threshold in all is sized, and not reported', () => {
  const cache = new Map<string, unknown>();
  const growth = watched(cache);
  for (const name of ['a', 'b', 'c', 'd']) {
    growth.testStarted(name);
    cache.set(name, { small: true });
    growth.testEnded();
    growth.testJudged();
  }
  expect(growth.grown()).toMatchObject([{ entries: 4, tests: ['a', 'b', 'c', 'd'] }]);
  expect(growth.grown()[0].bytes).toBeLessThan(1024);
  expect(reported(growth)).toEqual([]);
});

test('what was cleared before the end (an afterAll hook) is not reported', () => {
  const cache = new Map<string, unknown>();
  const growth = watched(cache);
  for (const name of ['a', 'b', 'c']) runTest(growth, name, cache, 1);
  cache.clear();
  expect(reported(growth)).toEqual([]);
});

test('entries added between tests (hooks, extra runs) do not count as a test that grew it', () => {
  const cache = new Map<string, unknown>();
  const growth = watched(cache);
  for (const name of ['a', 'b']) {
    runTest(growth, name, cache, 1);
    cache.set(`between-${name}`, entry());
  }
  expect(reported(growth)).toEqual([]);
});

test("an abandoned test's growth (it failed, or left a resource) does not count", () => {
  const cache = new Map<string, unknown>();
  const growth = watched(cache);
  runTest(growth, 'a', cache, 1);
  runTest(growth, 'b', cache, 1);
  growth.testStarted('c');
  cache.set('c', entry());
  growth.testEnded();
  growth.testAbandoned();
  expect(reported(growth)).toEqual([]);
});

test('only the entries the tests added are sized, not what the collection held when first watched', () => {
  const cache = new Map<string, unknown>([['old', new Array(1_000_000).fill(1)]]);
  const growth = watched(cache);
  for (const name of ['a', 'b', 'c']) {
    growth.testStarted(name);
    cache.set(name, { small: true });
    growth.testEnded();
    growth.testJudged();
  }
  expect(reported(growth)).toEqual([]);
});

test('a collection watched twice is followed once', () => {
  const cache = new Map();
  const growth = watched(cache);
  growth.watch([{ label: 'again', kind: 'Map', scriptId: '8', value: cache }]);
  expect(growth.size).toBe(1);
});

test("reads the size of a Map, a Set, an array and a plain object of the test's realm", () => {
  const realm = vm.runInNewContext('({ map: new Map([[1, 1]]), set: new Set([1, 2]), array: [1, 2, 3], memo: { a: 1 } })') as Record<
    string,
    object
  >;
  expect([sizeOf(realm.map), sizeOf(realm.set), sizeOf(realm.array), sizeOf(realm.memo), sizeOf({})]).toEqual([1, 2, 3, 1, 0]);
});

test("a plain object's keys grow as entries, and what the last test added is known until the next starts", () => {
  const memo: Record<string, unknown> = {};
  const growth = new CollectionGrowth();
  growth.watch([{ label: 'memo', kind: 'Object', scriptId: '7', value: memo }]);
  for (const name of ['a', 'b', 'c']) {
    growth.testStarted(name);
    memo[name] = entry();
    growth.testEnded();
    growth.testJudged();
    expect(growth.addedByLastTest(memo)).toBe(1);
    memo[`${name}-rerun`] = entry(); // an extra run's: not the test's
  }
  expect(reported(growth)).toMatchObject([{ label: 'memo', tests: ['a', 'b', 'c'], entries: 3 }]);
  growth.testStarted('d');
  expect(growth.addedByLastTest(memo)).toBe(0);
  expect(growth.addedByLastTest({})).toBeUndefined();
});

test('a plain object with over a thousand keys when found is a table: not followed', () => {
  const table = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]));
  const growth = new CollectionGrowth();
  growth.watch([{ label: 'table', kind: 'Object', scriptId: '7', value: table }]);
  expect(growth.size).toBe(0);
});
