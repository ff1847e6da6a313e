import { inOrder, isPromiseLike, whenReady } from '../maybe-async';

describe('whenReady', () => {
  test('goes on at once with a value that is not a promise', () => {
    expect(whenReady(2, (value) => value * 3)).toBe(6);
  });

  test('goes on once a promise resolves', async () => {
    const result = whenReady(Promise.resolve(2), (value) => value * 3);
    expect(isPromiseLike(result)).toBe(true);
    await expect(result).resolves.toBe(6);
  });
});

describe('inOrder', () => {
  test('runs every step at once when none returns a promise, and returns no promise', () => {
    const seen: number[] = [];
    expect(inOrder([1, 2, 3], (item) => void seen.push(item))).toBeUndefined();
    expect(seen).toEqual([1, 2, 3]);
  });

  test('starts a step only once the promise of the one before has resolved', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const done = inOrder(['a', 'b', 'c'], (item) => {
      seen.push(item);
      if (item === 'a') return new Promise<void>((resolve) => (release = resolve));
      return undefined;
    });
    expect(seen).toEqual(['a']);
    release();
    await done;
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  test('rejects with the error of a step that rejects, and runs no step after it', async () => {
    const seen: number[] = [];
    const done = inOrder([1, 2], (item) => {
      seen.push(item);
      return item === 1 ? Promise.reject(new Error('step 1 failed')) : undefined;
    });
    await expect(done).rejects.toThrow('step 1 failed');
    expect(seen).toEqual([1]);
  });
});
