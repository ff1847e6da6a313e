/** The estimate of what a collection's newest entries hold, against sizes V8 reports. */
import * as vm from 'node:vm';
import { EntrySizer, newestEntriesHolding, newestFirst } from '../entry-size';

const KB = 1024;

test('an array of small integers: 8 bytes an element', () => {
  const bytes = new EntrySizer().size(Array.from({ length: 300_000 }, (_, i) => i));
  expect(bytes).toBeGreaterThan(2_400_000);
  expect(bytes).toBeLessThan(2_410_000);
});

test('records: a header and a field each, and their strings', () => {
  const records = Array.from({ length: 1000 }, (_, i) => ({ id: i, name: `record-${i}` }));
  // 1000 × (24 + 16) for the objects, 1000 × ~26 for the names, 8 KB for the array.
  expect(new EntrySizer().size(records)).toBeGreaterThan(70 * KB);
  expect(new EntrySizer().size(records)).toBeLessThan(80 * KB);
});

test('what two entries share counts once', () => {
  const shared = Array.from({ length: 10_000 }, () => 1);
  const sizer = new EntrySizer();
  expect(sizer.size({ shared })).toBeGreaterThan(78 * KB);
  expect(sizer.size({ shared })).toBeLessThan(64);
});

test('a string outside Latin-1 takes two bytes a character', () => {
  expect(new EntrySizer().size('€'.repeat(1000))).toBeGreaterThan(2000);
  expect(new EntrySizer().size('e'.repeat(1000))).toBeLessThan(1100);
});

test('newest first, for a Map of the test realm too', () => {
  const map = vm.runInNewContext('new Map([["a", 1], ["b", 2]])') as Map<string, number>;
  expect(newestFirst(map)).toEqual([
    ['b', 2],
    ['a', 1],
  ]);
  expect(newestFirst(new Set([1, 2]))).toEqual([2, 1]);
  expect(newestFirst([1, 2])).toEqual([2, 1]);
  expect(newestFirst({})).toEqual([]);
});

test("a plain object's entries: its data keys with their values, newest first, in any realm; a class instance has none", () => {
  const memo = vm.runInNewContext('({ a: 1, b: [2] })') as object;
  Object.defineProperty(memo, 'computed', { enumerable: true, get: () => 3 });
  expect(newestFirst(memo)).toEqual([
    ['b', [2]],
    ['a', 1],
  ]);
  expect(newestFirst(Object.assign(Object.create(null) as object, { k: 1 }))).toEqual([['k', 1]]);
  expect(
    newestFirst(
      new (class Store {
        k = 1;
      })(),
    ),
  ).toEqual([]);
});

describe('newestEntriesHolding', () => {
  const big = () => Array.from({ length: 100_000 }, (_, i) => i); // ~800 KB

  test('the newest entries that make the threshold', () => {
    const cache = new Map([
      [1, [1]],
      [2, big()],
    ]);
    expect(newestEntriesHolding(cache, 512 * KB, 2048 * KB)).toEqual({ entries: 1, bytes: expect.any(Number) });
  });

  test('as many small entries as it takes', () => {
    const seen = new Set(Array.from({ length: 100 }, () => Array.from({ length: 1000 }, () => 0)));
    expect(newestEntriesHolding(seen, 512 * KB, 2048 * KB)?.entries).toBe(66);
  });

  test('none when the newest entry alone is more than the test can have kept', () => {
    expect(newestEntriesHolding([big()], 512 * KB, 600 * KB)).toBeNull();
  });

  test('none when all of them hold less than the threshold', () => {
    expect(newestEntriesHolding(new Map([[1, 'small']]), 512 * KB, 2048 * KB)).toBeNull();
  });
});
