import { wrapFunction, type AnyFunction } from '../patch';

function target() {
  return { open: (a: number, b: number, c: number) => a + b + c, value: 1 };
}

describe('wrapFunction', () => {
  test('replaces the function by the wrapper, which can call the original', () => {
    const module = target();
    const calls: unknown[][] = [];
    wrapFunction(
      module,
      'open',
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          calls.push(args);
          return original.apply(this, args);
        },
    );
    expect(module.open(1, 2, 3)).toBe(6);
    expect(calls).toEqual([[1, 2, 3]]);
  });

  test("keeps the original's length", () => {
    const module = target();
    wrapFunction(
      module,
      'open',
      (original) =>
        (...args: unknown[]) =>
          original(...args),
    );
    expect(module.open.length).toBe(3);
  });

  test('undo puts the original back', () => {
    const module = target();
    const original = module.open;
    const undo = wrapFunction(module, 'open', () => () => 0);
    expect(module.open).not.toBe(original);
    undo();
    expect(module.open).toBe(original);
  });

  test("undo leaves a later wrapper of someone else's in place", () => {
    const module = target();
    const undo = wrapFunction(
      module,
      'open',
      (original) =>
        (...args: unknown[]) =>
          original(...args),
    );
    const later: AnyFunction = () => 'later';
    (module as Record<string, unknown>).open = later;
    undo();
    expect(module.open).toBe(later);
  });

  test('a wrapper someone kept calls only the original once undone', () => {
    const module = target();
    let wrapperCalls = 0;
    const undo = wrapFunction(module, 'open', (original) => (...args: unknown[]) => {
      wrapperCalls += 1;
      return original(...args);
    });
    const kept = module.open;
    undo();
    expect(kept(1, 2, 3)).toBe(6);
    expect(wrapperCalls).toBe(0);
  });

  test('does nothing to a property that is not a function', () => {
    const module = target();
    const make = jest.fn();
    const undo = wrapFunction(module, 'value', make);
    undo();
    expect(make).not.toHaveBeenCalled();
    expect(module.value).toBe(1);
  });
});
