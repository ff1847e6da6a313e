import { createHook, executionAsyncId, type AsyncHook } from 'node:async_hooks';

/**
 * Node's own timers, taken when leakwatch loads. A test may install fake timers
 * (jest.useFakeTimers() or sinon) in its realm; leakwatch's waiting never goes through them.
 */
export const realSetTimeout = setTimeout;
export const realClearTimeout = clearTimeout;
const realSetImmediate = setImmediate;

/** One turn of the event loop. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

/**
 * Two turns of the event loop: a close started now completes in this turn's close phase,
 * after its check phase, and what it frees or ends is seen in the next one.
 */
export async function closesDone(): Promise<void> {
  await nextTurn();
  await nextTurn();
}

/** Handles and fds closed asynchronously (server.close() without await) get this long to go. */
export const GRACE_MS = 100;

/**
 * How long to wait before each look again, up to GRACE_MS in all: a server or socket closed
 * without await is gone after a turn or two of the event loop, and a fixed 20 ms step cost
 * an HTTP suite 20 ms a test (supertest closes its server as the request ends).
 */
function* pollDelays(): Generator<{ delay: number; waited: number }> {
  let waited = 0;
  for (let delay = 0; waited < GRACE_MS; delay = Math.min(Math.max(1, delay * 2), 20)) {
    yield { delay, waited };
    waited += Math.max(delay, 1);
  }
}

/** Waits `ms` on Node's own timers, or one turn of the event loop for 0. */
const pause = (ms: number): Promise<void> => (ms === 0 ? nextTurn() : new Promise((resolve) => realSetTimeout(resolve, ms)));

/** The looks of the first milliseconds (a turn, then 1, 2, 4 and 8 ms), which always run. */
const FIRST_LOOKS_MS = 15;

/**
 * Calls `read` until it returns an empty list or GRACE_MS have passed, and returns the
 * last list: what is still open after the grace period. `certain(left, msLeft)`: whether
 * everything left is sure to be there when the grace period ends (a timer not due by then),
 * so that, past the first looks, waiting longer would tell nothing.
 */
export async function stillThereAfterGrace<T>(
  read: () => T[],
  certain: (left: T[], msLeft: number) => boolean = () => false,
): Promise<T[]> {
  let left = read();
  for (const { delay, waited } of pollDelays()) {
    if (left.length === 0 || (waited >= FIRST_LOOKS_MS && certain(left, GRACE_MS - waited))) break;
    await pause(delay);
    left = read();
  }
  if (left.length > 0) {
    // A close started in the same turn as the last look: a loaded machine runs overdue timers together.
    await closesDone();
    left = read();
  }
  return left;
}

/**
 * The event loop's clock, which a timer made now is stamped with (performance.now() is ~50 ms
 * off it); null if timers carry no stamp. Leakwatch's own timer here is cleared at once.
 */
export function eventLoopNow(): number | null {
  const clock = realSetTimeout(() => undefined, 2 ** 30) as unknown as { _idleStart?: unknown };
  realClearTimeout(clock as unknown as NodeJS.Timeout);
  return typeof clock._idleStart === 'number' ? clock._idleStart : null;
}

/** Milliseconds until a Node timer fires, `now` being eventLoopNow(); null when `timer` is not one. */
export function msUntilFires(timer: object | undefined, now: number): number | null {
  const { _idleStart: start, _idleTimeout: delay } = (timer ?? {}) as { _idleStart?: unknown; _idleTimeout?: unknown };
  if (typeof start !== 'number' || typeof delay !== 'number' || delay < 0) return null;
  return start + delay - now;
}

/**
 * The timers a run of the test makes, directly or from callbacks of what it made (async
 * resources are followed by trigger id), from `start()` to `stop()`, `settled()`'s wait
 * included: a timer whose callback sets the next one (an async validation chain) is followed too.
 * Not a count of every timer in the process: in band, Jest's status line ticks every second
 * and its tick schedules a 100 ms repaint, which such a count took for the run's own work
 * (docs/measurements.md).
 */
export class RunTimers {
  private readonly made = new Set<number>();
  private readonly timers: Array<WeakRef<object>> = [];
  /** While leakwatch makes its own waiting timer: not the run's. */
  private ownTimer = false;
  private readonly hook: AsyncHook = createHook({
    init: (asyncId, type, triggerId, resource) => {
      if (this.ownTimer || !this.made.has(triggerId)) return;
      this.made.add(asyncId);
      if (type === 'Timeout') this.timers.push(new WeakRef(resource));
    },
  });

  /** From here on, what the current async context makes is the run's. */
  start(): void {
    this.made.add(executionAsyncId());
    this.hook.enable();
  }

  /** Stops following. */
  stop(): void {
    this.hook.disable();
    this.made.clear();
    this.timers.length = 0;
  }

  /** The run's timers that have neither fired nor been cleared, and keep the process alive. */
  pending(): object[] {
    const pending: object[] = [];
    for (const ref of this.timers) {
      const timer = ref.deref() as { _destroyed?: boolean; hasRef?: () => boolean } | undefined;
      if (timer && timer._destroyed !== true && timer.hasRef?.() !== false) pending.push(timer);
    }
    return pending;
  }

  /**
   * Waits, up to GRACE_MS, for the run's timers to fire or be cleared, still following what
   * their callbacks make: work a test scheduled on a timer (an async validation, a debounce)
   * holds that run's data until it runs, and an extra run must not be judged by memory it is
   * about to release.
   */
  async settled(): Promise<void> {
    for (const { delay, waited } of pollDelays()) {
      const pending = this.pending();
      // A timer due after the grace period cannot fire within it: waiting tells nothing (swr's
      // 2 s deduping timers cost each of its extra runs 100 ms).
      if (pending.length === 0 || allFireAfter(pending, GRACE_MS - waited)) break;
      this.ownTimer = true;
      const wait = pause(delay);
      this.ownTimer = false;
      await wait;
    }
  }
}

/** Whether every timer fires more than `ms` from now (false when one's time is unknown). */
function allFireAfter(timers: object[], ms: number): boolean {
  const now = eventLoopNow();
  if (now === null) return false;
  return timers.every((timer) => {
    const left = msUntilFires(timer, now);
    return left !== null && left > ms;
  });
}
