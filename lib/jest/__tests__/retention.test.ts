import type { ContextHolder } from '../../heap/context-holder';
import type { RetainedContext } from '../../heap/retained-contexts';
import { retainedMessage, retainedRecord } from '../retention';

function holder(overrides: Partial<ContextHolder> = {}): ContextHolder {
  return {
    path: "require('node:http') → .get (function patchedGet)",
    holder: 'function patchedGet',
    site: '__tests__/patch.test.js:5',
    definedAt: null,
    bytes: 5 * 1024 * 1024,
    projectCode: true,
    ...overrides,
  };
}

function retained(overrides: Partial<RetainedContext> = {}): RetainedContext {
  return { label: '__tests__/patch.test.js', holder: holder(), alsoKeeps: [], ...overrides };
}

describe('retainedMessage', () => {
  test('names the file, what it keeps, the holder with its line, and the fix for a patched built-in', () => {
    expect(retainedMessage(retained())).toBe(
      'leakwatch: __tests__/patch.test.js: its environment was not freed after the file ended: ~5.0 MB stays in memory.\n' +
        '  Every file that does this adds to the heap of the Jest process, file after file, until it runs out of memory.\n' +
        "  Held by: require('node:http') → .get (function patchedGet), defined at __tests__/patch.test.js:5\n" +
        '  Restore the original function when the file ends (in afterAll), or spy with jest.spyOn and restore it.',
    );
  });

  test.each([
    [
      'Socket → ._events → .resize (function onResize)',
      'Remove that listener when the file ends (emitter.off(name, listener) in afterAll).',
    ],
    ['Timeout → ._onTimeout (function tick)', 'Clear that timer when the file ends (clearInterval or clearTimeout in afterAll).'],
    ['Cache → .hooks (function hook)', 'Let go of that reference when the file ends, in an afterAll hook.'],
  ])('for a holder reached as %s, advises: %s', (path, advice) => {
    expect(
      retainedMessage(retained({ holder: holder({ path }) }))
        .split('\n')
        .pop(),
    ).toBe(`  ${advice}`);
  });

  test("says when a library, not the project's code, keeps it", () => {
    const text = retainedMessage(retained({ holder: holder({ projectCode: false, path: 'Agent → ._events → .free (function onFree)' }) }));
    expect(text.split('\n').pop()).toBe(
      '  A library keeps it (see its close or teardown API). Remove that listener when the file ends (emitter.off(name, listener) in afterAll).',
    );
  });

  test('lists the files kept only through this one', () => {
    const text = retainedMessage(retained({ alsoKeeps: ['__tests__/a.test.js', '__tests__/b.test.js'] }));
    expect(text).toContain('\n  Through it, the environments of __tests__/a.test.js, __tests__/b.test.js stay too.\n');
  });

  test('without a holder: no size, and the note saying why', () => {
    expect(retainedMessage(retained({ holder: null, note: 'What holds it was not looked for.' }))).toBe(
      'leakwatch: __tests__/patch.test.js: its environment was not freed after the file ended.\n' +
        '  Every file that does this adds to the heap of the Jest process, file after file, until it runs out of memory.\n' +
        '  What holds it was not looked for.',
    );
  });
});

describe('retainedRecord', () => {
  test('keeps the file, the size, and the holder with its line', () => {
    expect(retainedRecord(retained())).toEqual({
      file: '__tests__/patch.test.js',
      bytes: 5 * 1024 * 1024,
      holder: "require('node:http') → .get (function patchedGet) (__tests__/patch.test.js:5)",
      note: null,
    });
  });

  test('without a holder, keeps the note', () => {
    expect(retainedRecord(retained({ holder: null, note: 'n' }))).toEqual({
      file: '__tests__/patch.test.js',
      bytes: null,
      holder: null,
      note: 'n',
    });
  });
});
