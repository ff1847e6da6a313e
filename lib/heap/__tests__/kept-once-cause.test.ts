/**
 * rerunPutsBack: the newest entries are taken out, the "test" runs again, and it is the
 * cause when it puts them back; otherwise the collection ends as it started.
 */
import * as vm from 'node:vm';
import { rerunPutsBack } from '../kept-once-cause';

describe('a Map', () => {
  test('a memo cache that computes its value again is the cause, and keeps the new value', async () => {
    const cache = new Map<number, number[]>([[1, [1]]]);
    cache.set(300, [300]);
    const memo = (n: number) => (cache.has(n) ? cache.get(n)! : (cache.set(n, [n, n]), cache.get(n)!));
    await expect(rerunPutsBack(cache, 1, async () => void memo(300))).resolves.toBe(true);
    expect([...cache]).toEqual([
      [1, [1]],
      [300, [300, 300]],
    ]);
  });

  test('a test that does not touch it is not the cause, and the entries come back in order', async () => {
    const filledBefore = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    await expect(rerunPutsBack(filledBefore, 2, async () => {})).resolves.toBe(false);
    expect([...filledBefore]).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
  });

  test("a Map of the test's realm is handled too", async () => {
    const foreign = vm.runInNewContext('new Map([["k", 1]])') as Map<string, number>;
    await expect(rerunPutsBack(foreign, 1, async () => void foreign.set('k', 2))).resolves.toBe(true);
    expect(foreign.get('k')).toBe(2);
  });
});

describe('a Set', () => {
  test('a test that adds a new object again is the cause; the old one stays out', async () => {
    const parsed = new Set<object>([{ doc: 1 }]);
    await expect(rerunPutsBack(parsed, 1, async () => void parsed.add({ doc: 2 }))).resolves.toBe(true);
    expect([...parsed]).toEqual([{ doc: 2 }]);
  });

  test('otherwise the values come back', async () => {
    const value = { doc: 1 };
    const seen = new Set<object>([value]);
    await expect(rerunPutsBack(seen, 1, async () => {})).resolves.toBe(false);
    expect([...seen]).toEqual([value]);
  });
});

describe('an array', () => {
  test('a test that pushes again is the cause', async () => {
    const handlers = [1, 2];
    await expect(rerunPutsBack(handlers, 1, async () => void handlers.push(3))).resolves.toBe(true);
    expect(handlers).toEqual([1, 3]);
  });

  test('otherwise the elements come back at the end', async () => {
    const handlers = [1, 2, 3];
    await expect(rerunPutsBack(handlers, 2, async () => {})).resolves.toBe(false);
    expect(handlers).toEqual([1, 2, 3]);
  });
});

test('the entries come back when the run throws', async () => {
  const cache = new Map([['a', 1]]);
  await expect(
    rerunPutsBack(cache, 1, async () => {
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  expect([...cache]).toEqual([['a', 1]]);
});

describe('a plain object', () => {
  test('a memo that sets the key again is the cause, and keeps the new value', async () => {
    const memo: Record<string, number[]> = { a: [1], b: [2] };
    await expect(rerunPutsBack(memo, 1, async () => void (memo.b ??= [2, 2]))).resolves.toBe(true);
    expect(memo).toEqual({ a: [1], b: [2, 2] });
  });

  test('otherwise the keys come back with their values, after the rest; getters are left in place', async () => {
    const memo = Object.defineProperty({ a: 1, b: 2 }, 'size', { enumerable: true, get: () => 2 });
    await expect(rerunPutsBack(memo, 2, async () => {})).resolves.toBe(false);
    expect(Object.entries(memo)).toEqual([
      ['size', 2],
      ['a', 1],
      ['b', 2],
    ]);
  });

  test('a frozen object is not the cause, and the run is not made', async () => {
    const frozen = Object.freeze({ a: 1 });
    const rerun = jest.fn(async () => {});
    await expect(rerunPutsBack(frozen, 1, rerun)).resolves.toBe(false);
    expect(frozen).toEqual({ a: 1 });
    expect(rerun).not.toHaveBeenCalled();
  });
});

test('anything else is not a cause', async () => {
  const rerun = jest.fn(async () => {});
  await expect(rerunPutsBack(new WeakMap(), 1, rerun)).resolves.toBe(false);
  await expect(rerunPutsBack(new (class Store {})(), 1, rerun)).resolves.toBe(false);
  expect(rerun).not.toHaveBeenCalled();
});

test('a frozen array is left as it is: taking entries out of it throws before any change', async () => {
  const frozen = Object.freeze([1, 2]);
  const rerun = jest.fn(async () => {});
  await expect(rerunPutsBack(frozen as unknown[], 1, rerun)).rejects.toThrow(TypeError);
  expect(frozen).toEqual([1, 2]);
  expect(rerun).not.toHaveBeenCalled();
});
