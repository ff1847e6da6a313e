/** Pending fake timers around an extra run: read from the clock Jest's modern fake timers install. */
import { dropTimers, fakeTimersAdded, readFakeTimers, timersMadeBy } from '../fake-clock';

afterEach(() => {
  jest.useRealTimers();
});

describe('readFakeTimers', () => {
  test("with Jest's fake timers, counts the clock's pending timers", () => {
    jest.useFakeTimers();
    setTimeout(() => undefined, 1000);
    setInterval(() => undefined, 50);
    expect(readFakeTimers(globalThis)?.pending).toBe(2);
  });

  test('a timer that fired is no longer pending', () => {
    jest.useFakeTimers();
    setTimeout(() => undefined, 10);
    jest.advanceTimersByTime(10);
    expect(readFakeTimers(globalThis)?.pending).toBe(0);
  });

  test('with real timers, there is no clock to read', () => {
    expect(readFakeTimers(globalThis)).toBeNull();
  });

  test('a setTimeout that throws on access reads as no clock', () => {
    const global = Object.defineProperty({}, 'setTimeout', {
      get() {
        throw new Error('no');
      },
    });
    expect(readFakeTimers(global)).toBeNull();
  });
});

describe('timersMadeBy and dropTimers', () => {
  test('the timers a run made are those pending after it and not before', () => {
    jest.useFakeTimers();
    setTimeout(() => undefined, 1000);
    const before = readFakeTimers(globalThis);
    setTimeout(() => undefined, 1000);
    setInterval(() => undefined, 50);
    expect(timersMadeBy(before, readFakeTimers(globalThis))).toHaveLength(2);
  });

  test('dropping them clears those two and leaves the earlier timer pending', () => {
    jest.useFakeTimers();
    const fired: string[] = [];
    setTimeout(() => fired.push('earlier'), 10);
    const before = readFakeTimers(globalThis);
    setTimeout(() => fired.push('run'), 10);
    setInterval(() => fired.push('run interval'), 10);
    const after = readFakeTimers(globalThis)!;
    expect(dropTimers(after.clock, timersMadeBy(before, after))).toBe(2);
    jest.advanceTimersByTime(10);
    expect(fired).toEqual(['earlier']);
  });

  test('a timer that fired meanwhile is not dropped, nor counted', () => {
    jest.useFakeTimers();
    const before = readFakeTimers(globalThis);
    setTimeout(() => undefined, 10);
    const after = readFakeTimers(globalThis)!;
    jest.advanceTimersByTime(10);
    expect(dropTimers(after.clock, timersMadeBy(before, after))).toBe(0);
  });

  test('a clock that lists no timers drops nothing', () => {
    expect(dropTimers({ countTimers: () => 3 }, [1, 2])).toBe(0);
  });

  test('a clock that lists its timers in an object (@sinonjs/fake-timers 10, Jest 29) is read too', () => {
    const cleared: number[] = [];
    const clock = {
      countTimers: () => 2,
      timers: { 3: { id: 3, type: 'Timeout' }, 4: { id: 4, type: 'Interval' } },
      clearTimeout: (id: number) => cleared.push(id),
      clearInterval: (id: number) => cleared.push(-id),
    };
    const setTimeout = Object.assign(() => undefined, { clock });
    const after = readFakeTimers({ setTimeout })!;
    expect([...after.ids]).toEqual([3, 4]);
    expect(dropTimers(clock, timersMadeBy(null, after))).toBe(2);
    expect(cleared).toEqual([3, -4]);
  });
});

describe('fakeTimersAdded', () => {
  const clock = { countTimers: () => 0 };

  test('on one clock, the change in pending timers', () => {
    expect(fakeTimersAdded({ clock, pending: 2, ids: new Set() }, { clock, pending: 5, ids: new Set() })).toBe(3);
    expect(fakeTimersAdded({ clock, pending: 2, ids: new Set() }, { clock, pending: 1, ids: new Set() })).toBe(-1);
  });

  test('on a clock the run installed, all its pending timers', () => {
    expect(fakeTimersAdded({ clock, pending: 7, ids: new Set() }, { clock: { countTimers: () => 0 }, pending: 2, ids: new Set() })).toBe(2);
    expect(fakeTimersAdded(null, { clock, pending: 2, ids: new Set() })).toBe(2);
  });

  test('with no clock after the run, none', () => {
    expect(fakeTimersAdded({ clock, pending: 3, ids: new Set() }, null)).toBe(0);
  });
});
