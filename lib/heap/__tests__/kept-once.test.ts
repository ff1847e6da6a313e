import { findKeptOnce, newestEntries } from '../kept-once';
import { notRetaining } from '../retainers';
import { parseSnapshot, shortestPaths } from '../snapshot-parser';
import { SnapshotBuilder } from './synthetic-snapshot';

const ROOT = '/project';
const KB = 1024;

/**
 * A module `src/<file>` whose function `get` has the module's scope, holding `variable`:
 * either a Map whose table holds `entries` (values of `bytes` each, ids from `firstId`), or a
 * plain object holding one such value (a singleton).
 */
function moduleSnapshot(options: {
  file?: string;
  variable?: string;
  kind?: 'Map' | 'Object' | 'Set' | 'Array';
  entries: number[];
  mapId?: number;
}): string {
  const { file = `${ROOT}/src/api.js`, variable = 'cache', kind = 'Map', entries, mapId = 50 } = options;
  const b = new SnapshotBuilder();
  const root = b.node('synthetic', '', 1, 0);
  const get = b.node('closure', 'get', 3, 32);
  const shared = b.node('code', 'get', 5, 40);
  const script = b.node('code', file, 7, 80);
  const context = b.node('object', 'system / Context', 9, 24);
  const holder = b.node('object', kind, mapId, 32);
  b.edge(root, 'element', 1, get);
  b.edge(get, 'internal', 'context', context).edge(get, 'internal', 'shared', shared);
  b.edge(shared, 'internal', 'script', script);
  b.edge(context, 'context', variable, holder);
  const direct = kind === 'Object' || kind === 'Array';
  const table = direct ? holder : b.node('array', 'system / OrderedHashMap', mapId + 1, 64);
  if (!direct) b.edge(holder, 'internal', 'table', table);
  entries.forEach((bytes, index) => {
    const array = b.node('object', 'Array', 101 + 4 * index, 32);
    const elements = b.node('array', '(object elements)', 103 + 4 * index, bytes);
    if (kind === 'Object') b.edge(holder, 'property', `value${index}`, array);
    // V8 names an array's elements from the array itself.
    else if (kind === 'Array') b.edge(holder, 'element', index, array);
    else b.edge(table, 'internal', String(10 + 3 * index + 1), array);
    b.edge(array, 'internal', 'elements', elements);
  });
  return b.build();
}

function find(
  text: string,
  options: { limit?: number; maxIdBefore?: number | null; testFile?: string; entriesBefore?: Map<number, number> } = {},
) {
  const snapshot = parseSnapshot(text);
  const tree = shortestPaths(snapshot, (node, edgeType, name) => notRetaining(snapshot, node, edgeType, name));
  return findKeptOnce(snapshot, tree, {
    rootDir: ROOT,
    testFile: options.testFile ?? `${ROOT}/__tests__/api.test.js`,
    threshold: 512 * KB,
    limit: options.limit ?? 3000 * KB,
    maxIdBefore: options.maxIdBefore ?? null,
    entriesBefore: options.entriesBefore,
  });
}

describe('findKeptOnce', () => {
  test('an array held by a module variable, whose elements V8 names from the array itself, is reported', () => {
    expect(find(moduleSnapshot({ kind: 'Array', variable: 'handlers', entries: [100 * KB, 900 * KB] }))).toEqual([
      { id: 50, label: 'handlers', kind: 'Array', file: `${ROOT}/src/api.js`, entries: 2, bytes: 1000 * KB + 64 },
    ]);
  });

  test('a Map held by a module variable whose newest entry holds the threshold is reported', () => {
    expect(find(moduleSnapshot({ entries: [2400 * KB] }))).toEqual([
      { id: expect.any(Number), label: 'cache', kind: 'Map', file: `${ROOT}/src/api.js`, entries: 1, bytes: 2400 * KB + 32 },
    ]);
  });

  test('entries under the threshold are not', () => {
    expect(find(moduleSnapshot({ entries: [100 * KB, 100 * KB] }))).toEqual([]);
  });

  test('older entries that do not fit in what the test can have kept are not blamed on it', () => {
    const [holder] = find(moduleSnapshot({ entries: [2400 * KB, 600 * KB] }), { limit: 1000 * KB });
    expect(holder).toMatchObject({ entries: 1, bytes: 600 * KB + 32 });
  });

  test('a plain object set once (a lazy singleton) is no collection: not reported', () => {
    expect(find(moduleSnapshot({ kind: 'Object', variable: 'instance', entries: [2400 * KB] }))).toEqual([]);
  });

  test("the test file's own variables are its fixtures: not reported", () => {
    expect(find(moduleSnapshot({ file: `${ROOT}/__tests__/api.test.js`, entries: [2400 * KB] }))).toEqual([]);
  });

  test("a library's module (under node_modules) is not the project's: not reported", () => {
    expect(find(moduleSnapshot({ file: `${ROOT}/node_modules/lib/index.js`, entries: [2400 * KB] }))).toEqual([]);
  });

  test('with an earlier snapshot, only objects newer than it count', () => {
    // Entries' ids start at 101: all older than 1000.
    expect(find(moduleSnapshot({ entries: [2400 * KB] }), { maxIdBefore: 1000 })).toEqual([]);
    expect(find(moduleSnapshot({ entries: [2400 * KB] }), { maxIdBefore: 60 })).toHaveLength(1);
  });

  test('a collection newer than the earlier snapshot was set once, not grown: not reported', () => {
    expect(find(moduleSnapshot({ entries: [2400 * KB], mapId: 61 }), { maxIdBefore: 60 })).toEqual([]);
  });
});

test('a collection with no more entries than in the earlier snapshot replaced them (a full LRU): not reported', () => {
  const text = moduleSnapshot({ entries: [2400 * KB, 2400 * KB] });
  expect(find(text, { maxIdBefore: 60, entriesBefore: new Map([[50, 2]]), limit: 3000 * KB })).toEqual([]);
  expect(find(text, { maxIdBefore: 60, entriesBefore: new Map([[50, 1]]), limit: 3000 * KB })).toHaveLength(1);
});

describe('newestEntries', () => {
  test("counts a Map's key and value slots side by side as one entry", () => {
    expect(
      newestEntries(
        new Map([
          [11, 10],
          [12, 600],
        ]),
        'Map',
        1000,
      ),
    ).toEqual({ entries: 1, bytes: 610 });
  });

  test('counts separate slots as separate entries, newest first, until the limit', () => {
    expect(
      newestEntries(
        new Map([
          [2, 500],
          [5, 300],
          [8, 300],
        ]),
        'Set',
        700,
      ),
    ).toEqual({ entries: 2, bytes: 600 });
  });
});
