/**
 * Pending timers of the fake clock that Jest's modern fake timers install (@sinonjs/fake-timers
 * marks each function it fakes with its `clock`). Such a timer keeps what its callback reaches
 * until the test advances the clock, which an extra run of the test may never do.
 */
interface FakeTimer {
  id: number;
  /** "Timeout", "Interval", "Immediate", "AnimationFrame", "IdleCallback". */
  type?: string;
}

interface FakeClock {
  countTimers(): number;
  /** Pending timers by id: a Map in @sinonjs/fake-timers 15 (Jest 30), an object in 10 (Jest 29). */
  timers?: unknown;
}

export interface FakeTimersReading {
  clock: FakeClock;
  pending: number;
  /** Ids of the pending timers (none when the clock does not list them). */
  ids: ReadonlySet<number>;
}

/** The test global's fake clock and its pending timers; null with real (or legacy fake) timers. */
export function readFakeTimers(global: object): FakeTimersReading | null {
  try {
    const clock = (global as { setTimeout?: { clock?: Partial<FakeClock> } }).setTimeout?.clock;
    if (!clock || typeof clock.countTimers !== 'function') return null;
    const ids = new Set(pendingTimers(clock as FakeClock).map((timer) => timer.id));
    return { clock: clock as FakeClock, pending: clock.countTimers(), ids };
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

/** Ids of the timers pending after a run that were not pending before it: the run made them. */
export function timersMadeBy(before: FakeTimersReading | null, after: FakeTimersReading | null): number[] {
  if (!after) return [];
  if (!before || before.clock !== after.clock) return [...after.ids];
  return [...after.ids].filter((id) => !before.ids.has(id));
}

/** Clears those of `ids` the clock still has pending, through its own clear functions; returns how many. */
export function dropTimers(clock: FakeClock, ids: readonly number[]): number {
  const wanted = new Set(ids);
  let dropped = 0;
  for (const timer of pendingTimers(clock)) {
    if (!wanted.has(timer.id)) continue;
    const type = timer.type ?? 'Timeout';
    const clear = (clock as unknown as Record<string, unknown>)[
      type === 'AnimationFrame' || type === 'IdleCallback' ? `cancel${type}` : `clear${type}`
    ];
    if (typeof clear !== 'function') continue;
    try {
      (clear as (id: number) => void).call(clock, timer.id);
      dropped += 1;
    } catch {
      // The clock refused: the timer stays, and so does what it holds.
    }
  }
  return dropped;
}

function pendingTimers(clock: FakeClock): FakeTimer[] {
  const timers = clock.timers as { values?: () => Iterable<FakeTimer> } | Record<string, FakeTimer> | undefined;
  if (!timers || typeof timers !== 'object') return [];
  const values = typeof timers.values === 'function' ? [...(timers.values as () => Iterable<FakeTimer>)()] : Object.values(timers);
  return values.filter((timer): timer is FakeTimer => !!timer && typeof (timer as FakeTimer).id === 'number');
}
