import * as path from 'node:path';
import { OWN_DIST } from '../../core/stack';
import { attribute, describeSite, type AllocationSite } from '../attribution';
import type { CallFrame, Survivor } from '../sampler';
import { SourceMapper } from '../source-map';

const ROOT = '/project';

/** A frame of `file` (a path under ROOT unless absolute or Node's own), its function starting at 0-based `line`. */
function frame(file: string, functionName = 'fn', line = 0): CallFrame {
  const url = path.isAbsolute(file) || file.startsWith('node:') ? file : `${ROOT}/${file}`;
  return { functionName, scriptId: url, url, lineNumber: line, columnNumber: 4 };
}

let ordinal = 0;
/** A survivor of `size` bytes allocated by `stack`, innermost frame first. */
function survivor(size: number, ...stack: CallFrame[]): Survivor {
  return { ordinal: ++ordinal, size, stack };
}

const make = frame('src/make.js', 'makeData', 11);
const testBody = frame('__tests__/cache.test.js', '', 19);

describe('attribute', () => {
  test("counts a survivor allocated by the project's code as the user's", () => {
    expect(attribute([survivor(100, make, testBody)], ROOT)).toMatchObject({ userBytes: 100, allBytes: 100 });
  });

  test('counts a survivor with no project frame in all bytes only', () => {
    const lodash = frame('node_modules/lodash/lodash.js', 'memoize');
    expect(attribute([survivor(100, lodash, frame('node:internal/timers', 'listOnTimeout'))], ROOT)).toMatchObject({
      userBytes: 0,
      allBytes: 100,
      sites: [],
    });
  });

  test('counts what a library allocated when called from the project: its cache is the user’s leak to fix', () => {
    const lodash = frame('node_modules/lodash/lodash.js', 'memoize');
    expect(attribute([survivor(100, lodash, make)], ROOT).userBytes).toBe(100);
  });

  test('does not count what a test-runner package allocated on behalf of the project (a matcher’s state)', () => {
    const matcher = frame('node_modules/expect/build/index.js', 'toEqual');
    const circus = frame('node_modules/@jest/core/build/run.js');
    expect(attribute([survivor(100, matcher, testBody), survivor(50, circus, make)], ROOT).userBytes).toBe(0);
  });

  test('does count it when the test runner is only further out than the project frame', () => {
    const circus = frame('node_modules/jest-circus/build/run.js', 'callAsyncCircusFn');
    expect(attribute([survivor(100, make, circus)], ROOT).userBytes).toBe(100);
  });

  test("does not count what leakwatch's own code allocated, nor take its files for the project's", () => {
    const own = frame(path.join(OWN_DIST, 'heap', 'sampler.js'), 'allocateMarker');
    expect(attribute([survivor(100, own, testBody), survivor(50, own)], ROOT).userBytes).toBe(0);
  });

  test('does not count anything allocated while a module loads (jest-runtime): module bodies run once', () => {
    const runtime = frame('node_modules/jest-runtime/build/index.js', 'requireModule');
    expect(attribute([survivor(100, make, runtime, testBody)], ROOT).userBytes).toBe(0);
  });

  test('reads file:// URLs as paths, spaces included', () => {
    const url = 'file:///project/my%20src/make.js';
    expect(attribute([survivor(100, { functionName: 'f', scriptId: '7', url, lineNumber: 0, columnNumber: 0 })], ROOT).userBytes).toBe(100);
  });

  test('sums sizes per site (innermost project frame and its project caller), biggest first', () => {
    const other = frame('src/other.js', 'other', 3);
    const { sites } = attribute([survivor(10, make, testBody), survivor(30, other, testBody), survivor(25, make, testBody)], ROOT);
    expect(sites).toEqual([
      { frames: [make, testBody], bytes: 35 },
      { frames: [other, testBody], bytes: 30 },
    ]);
  });

  test('a site is the innermost project frame and the next project frame out, skipping frames between', () => {
    const lodash = frame('node_modules/lodash/lodash.js', 'memoize');
    const { sites } = attribute([survivor(10, lodash, make, lodash, testBody, frame('src/outer.js'))], ROOT);
    expect(sites[0].frames).toEqual([make, testBody]);
  });

  test("keeps the user's samples by ordinal, with their sizes", () => {
    const mine = survivor(10, make);
    const theirs = survivor(20, frame('node_modules/lodash/lodash.js'));
    expect([...attribute([mine, theirs], ROOT).userSamples]).toEqual([[mine.ordinal, 10]]);
  });
});

describe('describeSite', () => {
  const site: AllocationSite = { frames: [make, testBody], bytes: 35 };

  test('names each frame by function and 1-based position relative to rootDir, innermost first', () => {
    expect(describeSite(site, ROOT, new SourceMapper())).toBe('makeData (src/make.js:12) ← (anonymous) (__tests__/cache.test.js:20)');
  });

  test('uses the original source position where the source map knows one', () => {
    const mapper = new SourceMapper();
    jest
      .spyOn(mapper, 'original')
      .mockImplementation((_id, file, line) => (file.endsWith('make.js') ? { file: '/project/src/make.ts', line: line + 3 } : null));
    expect(describeSite(site, ROOT, mapper)).toBe('makeData (src/make.ts:14) ← (anonymous) (__tests__/cache.test.js:20)');
  });
});
