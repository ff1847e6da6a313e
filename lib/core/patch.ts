/** Wrapping a module's function (fs.open, say) so that it can be unwrapped again. */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (this: unknown, ...args: any[]) => unknown;

/**
 * Replaces `target[name]` by `make(original)`, with the original's `length` (libraries look at
 * it), and returns how to undo it. Undoing leaves a later wrapper of someone else's in place.
 * A wrapper that outlives the undo (held by that later wrapper, or by a copy of `target`:
 * graceful-fs clones fs when it is first loaded) then only calls the original, and holds
 * nothing of what `make` closed over: on Node 24 one FdsProbe per process stayed alive so.
 */
export function wrapFunction(target: object, name: string, make: (original: AnyFunction) => AnyFunction): () => void {
  const holder = target as Record<string, unknown>;
  const original = holder[name];
  if (typeof original !== 'function') return () => undefined;
  let made: AnyFunction | null = make(original as AnyFunction);
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    return (made ?? (original as AnyFunction)).apply(this, args);
  };
  Object.defineProperty(wrapped, 'length', { value: original.length });
  holder[name] = wrapped;
  return () => {
    made = null;
    if (holder[name] === wrapped) holder[name] = original;
  };
}
