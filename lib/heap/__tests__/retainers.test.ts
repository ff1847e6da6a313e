import { lastObjectIdOf } from '../last-object-id';
import { candidatesOf, describeRetainers, readablePath } from '../retainers';
import { parseSnapshot, pathTo, shortestPaths, type RetainerStep } from '../snapshot-parser';
import { leakSnapshot, MAX_ID_BEFORE, N, ROOT_DIR, SnapshotBuilder } from './synthetic-snapshot';

const text = leakSnapshot();
const snapshot = parseSnapshot(text);
/** The path V8's global handles do not shorten: from the root through `makeCache`'s scope. */
const throughScope = pathTo(
  snapshot,
  shortestPaths(snapshot, (node, edgeType) => node === N.globalHandles || edgeType === 'hidden'),
  N.elements,
)!;

/** Steps that need no snapshot: no context edge on them, so no function's script is looked up. */
function step(edgeType: string, edge: string, nodeType: string, node: string): RetainerStep {
  return { edge, edgeType, node, nodeType, ordinal: 0 };
}

describe('describeRetainers', () => {
  test('explains the biggest groups of new objects by the variable of the project that holds them', () => {
    expect(describeRetainers(MAX_ID_BEFORE, parseSnapshot(text), ROOT_DIR)).toEqual([
      '~7.8 KB in 1 × (object elements): __tests__/cache.test.js: cache (Map) → entries (array) → entry (Array) → elements',
      '~1000 B in 1 × array: __tests__/cache.test.js: cache (Map) → entries (array)',
    ]);
  });

  test('leaves out groups no strong path reaches (held only by global handles or weakly)', () => {
    // New since id 108: the stray elements (global handles only), Detached (weak) and the string.
    expect(describeRetainers(108, parseSnapshot(text), ROOT_DIR)).toEqual([
      '~24 B in 1 × string: __tests__/cache.test.js: cache (Map) → entries (array) → entry (Array) → elements → [0] (string)',
    ]);
  });

  test('a group whose biggest members no variable of the project holds is explained by the others', () => {
    const withBigStray = leakSnapshot(undefined, 20000);
    expect(describeRetainers(MAX_ID_BEFORE, parseSnapshot(withBigStray), ROOT_DIR)[0]).toBe(
      '~27 KB in 1 × (object elements): __tests__/cache.test.js: cache (Map) → entries (array) → entry (Array) → elements',
    );
  });

  test("a member a project variable holds explains its group before one nearer a root that Node's global holds", () => {
    // globalThis.Observers → buffer → one new Object; the test file's `records` → another, deeper.
    const b = new SnapshotBuilder();
    const [root, global, observers, buffer, stray] = [
      b.node('synthetic', '', 1, 0),
      b.node('object', 'global', 3, 48),
      b.node('object', 'Observers', 5, 32),
      b.node('array', '', 7, 64),
      b.node('object', 'Object', 101, 40),
    ];
    const [register, shared, script, context, records, elements, record] = [
      b.node('closure', 'register', 9, 32),
      b.node('code', 'register', 11, 40),
      b.node('code', `${ROOT_DIR}/__tests__/records.test.js`, 13, 80),
      b.node('object', 'system / Context', 15, 24),
      b.node('object', 'Array', 17, 32),
      b.node('array', '(object elements)', 19, 64),
      b.node('object', 'Object', 103, 40),
    ];
    b.edge(root, 'element', 1, global);
    b.edge(global, 'property', 'Observers', observers).edge(global, 'property', 'register', register);
    b.edge(observers, 'internal', 'buffer', buffer).edge(buffer, 'element', 0, stray);
    b.edge(register, 'internal', 'context', context).edge(register, 'internal', 'shared', shared);
    b.edge(shared, 'internal', 'script', script);
    b.edge(context, 'context', 'records', records).edge(records, 'internal', 'elements', elements);
    b.edge(elements, 'element', 0, record);
    expect(describeRetainers(MAX_ID_BEFORE, parseSnapshot(b.build()), ROOT_DIR)).toEqual([
      '~80 B in 2 × Object: __tests__/records.test.js: records (Array) → elements → [0] (Object)',
    ]);
  });

  test("a native ES module's variable is named with the module's file (its scope is held by the module's generator)", () => {
    // Node's module record → V8's SourceTextModule → the generator that evaluates it → its context.
    const b = new SnapshotBuilder();
    const [root, wrap, module, generator, moduleFn, shared, script] = [
      b.node('synthetic', '', 1, 0),
      b.node('native', 'Node / ModuleWrap', 3, 48),
      b.node('hidden', 'system / SourceTextModule', 5, 64),
      b.node('object', 'Generator', 7, 32),
      b.node('closure', '', 9, 32),
      b.node('code', '', 11, 40),
      b.node('code', `file://${ROOT_DIR}/src/sessions.js`, 13, 80),
    ];
    const [context, sessions, session] = [
      b.node('object', 'system / Context', 15, 24),
      b.node('object', 'Map', 17, 32),
      b.node('object', 'Object', 101, 40),
    ];
    b.edge(root, 'element', 1, wrap).edge(wrap, 'internal', 2, module).edge(module, 'hidden', 4, generator);
    b.edge(generator, 'internal', 'function', moduleFn).edge(generator, 'internal', 'context', context);
    b.edge(moduleFn, 'internal', 'shared', shared).edge(shared, 'internal', 'script', script);
    b.edge(context, 'context', 'sessions', sessions).edge(sessions, 'internal', 'table', session);
    expect(describeRetainers(MAX_ID_BEFORE, parseSnapshot(b.build()), ROOT_DIR)).toEqual([
      '~40 B in 1 × Object: src/sessions.js: sessions (Map) → entries (Object)',
    ]);
  });

  test("a CommonJS module's export is named with the module's file (Jest's registry holds its module object)", () => {
    // Jest's registry (a Map) → the Module object, with its `filename` → exports → .default (Map) → an entry.
    const b = new SnapshotBuilder();
    const [root, registry, table, module, filename, exports, contexts, entry] = [
      b.node('synthetic', '', 1, 0),
      b.node('object', 'Map', 3, 32),
      b.node('array', '', 5, 64),
      b.node('object', 'Object', 7, 48),
      b.node('string', `${ROOT_DIR}/src/context.js`, 9, 40),
      b.node('object', 'Object', 11, 24),
      b.node('object', 'Map', 13, 32),
      b.node('object', 'Object', 101, 40),
    ];
    b.edge(root, 'element', 1, registry).edge(registry, 'internal', 'table', table).edge(table, 'internal', '1', module);
    b.edge(module, 'property', 'filename', filename).edge(module, 'property', 'exports', exports);
    b.edge(exports, 'property', 'default', contexts).edge(contexts, 'internal', 'table', entry);
    expect(describeRetainers(MAX_ID_BEFORE, parseSnapshot(b.build()), ROOT_DIR)).toEqual([
      '~40 B in 1 × Object: src/context.js: .exports (Object) → .default (Map) → entries (Object)',
    ]);
  });

  test('a member only a global holds still explains its group', () => {
    const b = new SnapshotBuilder();
    const [root, global, cache] = [b.node('synthetic', '', 1, 0), b.node('object', 'global', 3, 48), b.node('object', 'Object', 101, 40)];
    b.edge(root, 'element', 1, global).edge(global, 'property', 'cache', cache);
    expect(describeRetainers(MAX_ID_BEFORE, parseSnapshot(b.build()), ROOT_DIR)).toEqual([
      '~40 B in 1 × Object: globalThis: .cache (Object)',
    ]);
  });

  test('is empty when the run added nothing', () => {
    expect(describeRetainers(lastObjectIdOf(text), parseSnapshot(text), ROOT_DIR)).toEqual([]);
  });
});

describe('readablePath', () => {
  test("starts at the first variable in a scope of the project's, named with its file relative to rootDir", () => {
    expect(readablePath(snapshot, throughScope, ROOT_DIR)).toBe(
      '__tests__/cache.test.js: cache (Map) → entries (array) → entry (Array) → elements',
    );
  });

  test('outside the project, starts at the property of the global object', () => {
    expect(readablePath(snapshot, throughScope, '/elsewhere')).toBe(
      'globalThis: .makeCache (function makeCache) → cache (Map) → entries (array) → entry (Array) → elements',
    );
  });

  test('with neither, shows the last five steps and no holder', () => {
    const steps = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => step('property', name, 'object', 'Object'));
    expect(readablePath(snapshot, steps, ROOT_DIR)).toBe('.b (Object) → .c (Object) → .d (Object) → .e (Object) → .f (Object)');
  });

  test('a long chain keeps its first five steps and its last two', () => {
    const steps = [
      step('element', '[2]', 'object', 'global'),
      step('property', 'list', 'object', 'Object'),
      ...Array.from({ length: 9 }, () => step('property', 'next', 'object', 'Object')),
    ];
    expect(readablePath(snapshot, steps, ROOT_DIR)).toBe(
      'globalThis: .list (Object) → .next (Object) → .next (Object) → .next (Object) → .next (Object) → … 3 more … → .next (Object) → .next (Object)',
    );
  });

  test("labels each kind of step: a Map's table and entries, elements, closures, strings; shortcuts left out", () => {
    const steps = [
      step('element', '[2]', 'object', 'global'),
      step('property', 'handler', 'closure', 'onData'),
      step('shortcut', 'bound', 'object', 'Object'),
      step('property', 'anonymous', 'closure', ''),
      step('internal', 'table', 'array', 'system / OrderedHashMap'),
      step('internal', '3', 'string', 'key'),
    ];
    expect(readablePath(snapshot, steps, ROOT_DIR)).toBe(
      'globalThis: .handler (function onData) → .anonymous (function) → entries (array) → entry (string)',
    );
  });
});

describe('candidatesOf', () => {
  const members = Array.from({ length: 1000 }, (_, index) => index);

  test('takes the 25 nearest a root, then 25 spread evenly over the rest, the farthest region included', () => {
    const candidates = candidatesOf(members);
    expect(candidates.slice(0, 25)).toEqual(members.slice(0, 25));
    expect(candidates.slice(25)).toEqual(Array.from({ length: 25 }, (_, index) => 25 + Math.floor((index * 975) / 25)));
    expect(candidates[candidates.length - 1]).toBeGreaterThan(900);
  });

  test('takes every member of a small group once', () => {
    expect(candidatesOf(members.slice(0, 40))).toEqual(members.slice(0, 40));
  });
});
