/** Pending fake timers around an extra run: read from the clock Jest's modern fake timers install. */
import { fakeTimersAdded, readFakeTimers } from '../fake-clock';

describe('readFakeTimers', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

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

describe('fakeTimersAdded', () => {
  const clock = { countTimers: () => 0 };

  test('on one clock, the change in pending timers', () => {
    expect(fakeTimersAdded({ clock, pending: 2 }, { clock, pending: 5 })).toBe(3);
    expect(fakeTimersAdded({ clock, pending: 2 }, { clock, pending: 1 })).toBe(-1);
  });

  test('on a clock the run installed, all its pending timers', () => {
    expect(fakeTimersAdded({ clock, pending: 7 }, { clock: { countTimers: () => 0 }, pending: 2 })).toBe(2);
    expect(fakeTimersAdded(null, { clock, pending: 2 })).toBe(2);
  });

  test('with no clock after the run, none', () => {
    expect(fakeTimersAdded({ clock, pending: 3 }, null)).toBe(0);
  });
});
