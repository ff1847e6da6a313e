/** Wrapping a module's function (fs.open, say) so that it can be unwrapped again. */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (this: unknown, ...args: any[]) => unknown;

/**
 * Replaces `target[name]` by `make(original)`, with the original's `length` (libraries look at
 * it), and returns how to undo it. Undoing leaves a later wrapper of someone else's in place.
 */
export function wrapFunction(target: object, name: string, make: (original: AnyFunction) => AnyFunction): () => void {
  const holder = target as Record<string, unknown>;
  const original = holder[name];
  if (typeof original !== 'function') return () => undefined;
  const wrapped = make(original as AnyFunction);
  Object.defineProperty(wrapped, 'length', { value: original.length });
  holder[name] = wrapped;
  return () => {
    if (holder[name] === wrapped) holder[name] = original;
  };
}
