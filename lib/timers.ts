/**
 * Node's own timers, taken when leakwatch loads. A test may install fake timers
 * (jest.useFakeTimers() or sinon) in its realm; leakwatch's waiting never goes through them.
 */
export const realSetTimeout = setTimeout;
export const realClearTimeout = clearTimeout;
const realSetImmediate = setImmediate;

/** One turn of the event loop. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

/** Handles and fds closed asynchronously (server.close() without await) get this long to go. */
export const GRACE_MS = 100;

/**
 * Calls `read` until it returns an empty list or GRACE_MS have passed, and returns the
 * last list: what is still open after the grace period.
 */
export async function stillThereAfterGrace<T>(read: () => T[]): Promise<T[]> {
  let left = read();
  for (let waited = 0; left.length > 0 && waited < GRACE_MS; waited += 20) {
    await new Promise((resolve) => realSetTimeout(resolve, 20));
    left = read();
  }
  return left;
}

/** Node timers (setTimeout, setInterval) pending in this process, Jest's own included. */
export function pendingTimers(): number {
  return process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;
}

/**
 * Waits, up to GRACE_MS, for the timers a run left pending (`before`: the count when it
 * started) to fire or be cleared: work a test scheduled on a timer (an async validation, a
 * debounce) holds that run's data until it runs, and an extra run must not be judged by
 * memory it is about to release.
 */
export async function timersSettled(before: number): Promise<void> {
  for (let waited = 0; pendingTimers() > before && waited < GRACE_MS; waited += 10) {
    await new Promise((resolve) => realSetTimeout(resolve, 10));
  }
}
