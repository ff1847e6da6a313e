/**
 * Pending timers of the fake clock that Jest's modern fake timers install (@sinonjs/fake-timers
 * marks each function it fakes with its `clock`). Such a timer keeps what its callback reaches
 * until the test advances the clock, which an extra run of the test may never do.
 */
interface FakeClock {
  countTimers(): number;
}

export interface FakeTimersReading {
  clock: FakeClock;
  pending: number;
}

/** The test global's fake clock and its pending timers; null with real (or legacy fake) timers. */
export function readFakeTimers(global: object): FakeTimersReading | null {
  try {
    const clock = (global as { setTimeout?: { clock?: Partial<FakeClock> } }).setTimeout?.clock;
    if (!clock || typeof clock.countTimers !== 'function') return null;
    return { clock: clock as FakeClock, pending: clock.countTimers() };
  } catch {
    return null;
  }
}

/**
 * How many more fake timers are pending after a run than before it: every pending timer of a
 * clock the run installed (jest.useFakeTimers() in a beforeEach makes a new one), else the
 * change in count, negative when the run fired earlier ones.
 */
export function fakeTimersAdded(before: FakeTimersReading | null, after: FakeTimersReading | null): number {
  if (!after) return 0;
  if (!before || before.clock !== after.clock) return after.pending;
  return after.pending - before.pending;
}
