/**
 * Work that is done at once, or now and then has to wait. leakwatch's per-test steps wait only
 * when one of them does: every promise costs in each async hook of the process (Jest 30's
 * AsyncLocalStorage, one more for each test file a worker has run; leakwatch's handles check),
 * and awaiting at every step made ~200 promises a test (docs/measurements.md).
 */
export type MaybePromise<T> = T | Promise<T>;

export function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** `next(value)` once `value` is ready: at once when it is not a promise. */
export function whenReady<T, R>(value: MaybePromise<T> | PromiseLike<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromiseLike<T>(value) ? Promise.resolve(value).then(next) : next(value);
}

/** `step(item)` for each item in order, each once the one before is done. */
export function inOrder<T>(items: readonly T[], step: (item: T) => MaybePromise<void> | PromiseLike<void>): MaybePromise<void> {
  for (let index = 0; index < items.length; index++) {
    const pending = step(items[index]);
    if (isPromiseLike(pending)) return Promise.resolve(pending).then(() => inOrder(items.slice(index + 1), step));
  }
  return undefined;
}
