import { findContextHolders } from '../context-holder';
import { parseSnapshot } from '../snapshot-parser';
import { ROOT_DIR, SnapshotBuilder } from './synthetic-snapshot';

const MARKER = '__leakwatchRetainedFile0';
const OTHER = '__leakwatchRetainedFile1';

/** A function defined in `file`, as V8 writes it: closure → shared → script. */
function fn(b: SnapshotBuilder, name: string, file: string, id: number): number {
  const closure = b.node('closure', name, id, 32);
  const shared = b.node('code', '(shared function info)', id + 1, 40);
  const script = b.node('code', file, id + 2, 20);
  b.edge(closure, 'internal', 'shared', shared).edge(shared, 'internal', 'script', script);
  return closure;
}

/**
 * root → (Builtin map) → BuiltinModule http → exports → .get (patchedGet, project file) →
 * context → the file's global (carries MARKER) → a 1000-byte table.
 */
function patchedBuiltin(holderFile = `${ROOT_DIR}/__tests__/patch.test.js`) {
  const b = new SnapshotBuilder();
  const root = b.node('synthetic', '', 1, 0);
  const builtin = b.node('object', 'BuiltinModule', 3, 40);
  const id = b.node('string', 'http', 5, 16);
  const exports = b.node('object', 'Object', 7, 40);
  const patched = fn(b, 'patchedGet', holderFile, 9);
  const context = b.node('object', 'system / Context', 13, 48);
  const global = b.node('object', 'Object', 15, 100);
  const marker = b.node('object', 'Object', 17, 16);
  const table = b.node('array', 'Array', 19, 1000);
  b.edge(root, 'element', 1, builtin)
    .edge(builtin, 'property', 'id', id)
    .edge(builtin, 'property', 'exports', exports)
    .edge(exports, 'property', 'get', patched)
    .edge(patched, 'context', 'context', context)
    .edge(context, 'context', 'table', table)
    .edge(context, 'internal', 'global', global)
    .edge(global, 'property', MARKER, marker)
    .location(patched, 42, 4, 10);
  return { b, root, global, patched, table };
}

describe('findContextHolders', () => {
  test("names the project's function on the path, its line, and what only it keeps", () => {
    const found = findContextHolders(parseSnapshot(patchedBuiltin().b.build()), [MARKER], ROOT_DIR).get(MARKER);
    expect(found).toEqual({
      kind: 'held',
      holder: {
        path: "require('node:http') → .get (function patchedGet)",
        holder: 'function patchedGet',
        site: '__tests__/patch.test.js:5',
        definedAt: { file: `${ROOT_DIR}/__tests__/patch.test.js`, scriptId: 42, line: 4, column: 10 },
        // patchedGet 32 + its context 48 + the global 100 + marker 16 + table 1000.
        bytes: 1196,
        projectCode: true,
      },
    });
  });

  test("names a built-in module's exports as its require call when a closure of Node's reaches them first (Node 24)", () => {
    // root → onAltSvc (node:_http_agent) → its scope → .http, the exports → .get (patchedGet) → …;
    // the BuiltinModule record of http is further from the root.
    const b = new SnapshotBuilder();
    const root = b.node('synthetic', '', 1, 0);
    const onAltSvc = fn(b, 'onAltSvc', 'node:_http_agent', 3);
    const scope = b.node('object', 'system / Context', 7, 48);
    const exports = b.node('object', 'Object', 9, 40);
    const patched = fn(b, 'patchedGet', `${ROOT_DIR}/__tests__/patch.test.js`, 11);
    const global = b.node('object', 'Object', 15, 100);
    const registry = b.node('object', 'Map', 17, 40);
    const entries = b.node('array', '', 19, 40);
    const builtin = b.node('object', 'BuiltinModule', 21, 40);
    b.edge(root, 'element', 1, onAltSvc)
      .edge(onAltSvc, 'context', 'context', scope)
      .edge(scope, 'context', 'http', exports)
      .edge(exports, 'property', 'get', patched)
      .edge(patched, 'context', 'context', global)
      .edge(global, 'property', MARKER, b.node('object', 'Object', 23, 16))
      .edge(root, 'element', 2, registry)
      .edge(registry, 'internal', 'table', entries)
      .edge(entries, 'internal', 1, builtin)
      .edge(builtin, 'property', 'id', b.node('string', 'http', 25, 16))
      .edge(builtin, 'property', 'exports', exports);
    const found = findContextHolders(parseSnapshot(b.build()), [MARKER], ROOT_DIR).get(MARKER);
    expect(found?.kind === 'held' && found.holder.path).toBe("require('node:http') → .get (function patchedGet)");
  });

  test('counts nothing that a root also reaches another way', () => {
    const { b, root, table } = patchedBuiltin();
    b.edge(root, 'element', 2, table);
    const found = findContextHolders(parseSnapshot(b.build()), [MARKER], ROOT_DIR).get(MARKER);
    expect(found?.kind === 'held' && found.holder.bytes).toBe(196);
  });

  test("a library's function is the holder when no project function is on the path", () => {
    const { b } = patchedBuiltin(`${ROOT_DIR}/node_modules/some-mock/index.js`);
    const found = findContextHolders(parseSnapshot(b.build()), [MARKER], ROOT_DIR).get(MARKER);
    expect(found?.kind === 'held' && [found.holder.holder, found.holder.projectCode]).toEqual(['function patchedGet', false]);
  });

  test("is unknown when only Jest's own code holds it: nothing the user can let go of", () => {
    const { b } = patchedBuiltin(`${ROOT_DIR}/node_modules/jest-circus/build/state.js`);
    expect(findContextHolders(parseSnapshot(b.build()), [MARKER], ROOT_DIR).get(MARKER)).toEqual({ kind: 'unknown' });
  });

  test('is unknown when no strong path reaches the global', () => {
    const b = new SnapshotBuilder();
    const root = b.node('synthetic', '', 1, 0);
    const global = b.node('object', 'Object', 3, 100);
    b.edge(root, 'weak', 'ref', global).edge(global, 'property', MARKER, b.node('object', 'Object', 5, 16));
    expect(findContextHolders(parseSnapshot(b.build()), [MARKER], ROOT_DIR).get(MARKER)).toEqual({ kind: 'unknown' });
  });

  test("a global reached only through another marked global is held 'through' that one", () => {
    const { b, global } = patchedBuiltin();
    const earlier = b.node('object', 'Object', 31, 100);
    b.edge(global, 'property', 'matchers', earlier).edge(earlier, 'property', OTHER, b.node('object', 'Object', 33, 16));
    const found = findContextHolders(parseSnapshot(b.build()), [MARKER, OTHER], ROOT_DIR);
    expect(found.get(MARKER)?.kind).toBe('held');
    expect(found.get(OTHER)).toEqual({ kind: 'through', marker: MARKER });
  });

  /** Another test file's realm (its global marked OTHER) with a function of Jest's modules there that reaches `target` from the root. */
  function otherFileReaching(b: SnapshotBuilder, root: number, target: number): void {
    const otherGlobal = b.node('object', 'Object', 41, 100);
    const otherRealm = b.node('hidden', 'system / NativeContext', 43, 50);
    const inOtherRealm = fn(b, 'readFile', `${ROOT_DIR}/node_modules/graceful-fs/graceful-fs.js`, 45);
    b.edge(otherGlobal, 'property', OTHER, b.node('object', 'Object', 49, 16))
      .edge(otherRealm, 'internal', 'extension', otherGlobal)
      .edge(inOtherRealm, 'context', 'context', otherRealm)
      .edge(root, 'element', 3, inOtherRealm)
      .edge(inOtherRealm, 'property', 'seen', target);
  }

  test("passes over another file's functions: a shorter path through them is not the holder", () => {
    const { b, root, global } = patchedBuiltin();
    otherFileReaching(b, root, global);
    const found = findContextHolders(parseSnapshot(b.build()), [MARKER, OTHER], ROOT_DIR).get(MARKER);
    expect(found?.kind === 'held' && found.holder.path).toBe("require('node:http') → .get (function patchedGet)");
  });

  test('explains only the wanted markers; the others still mark realms not to pass through', () => {
    const { b, root, global } = patchedBuiltin();
    otherFileReaching(b, root, global);
    const found = findContextHolders(parseSnapshot(b.build()), [MARKER, OTHER], ROOT_DIR, new Set([MARKER]));
    expect([...found.keys()]).toEqual([MARKER]);
    const held = found.get(MARKER);
    expect(held?.kind === 'held' && held.holder.path).toBe("require('node:http') → .get (function patchedGet)");
  });

  test('a marker no object carries (its global was freed) is unknown', () => {
    const { b } = patchedBuiltin();
    expect(findContextHolders(parseSnapshot(b.build()), [MARKER, OTHER], ROOT_DIR).get(OTHER)).toEqual({ kind: 'unknown' });
  });

  test("reached only through another file's functions, it is held through that file", () => {
    const b = new SnapshotBuilder();
    const root = b.node('synthetic', '', 1, 0);
    const global = b.node('object', 'Object', 3, 100);
    b.edge(global, 'property', MARKER, b.node('object', 'Object', 5, 16));
    otherFileReaching(b, root, global);
    expect(findContextHolders(parseSnapshot(b.build()), [MARKER, OTHER], ROOT_DIR).get(MARKER)).toEqual({ kind: 'through', marker: OTHER });
  });

  /** root → `via` -edge-> onData (project) → context → global. */
  function heldVia(type: string, name: string, edgeType: string, edgeName: string): string {
    const b = new SnapshotBuilder();
    const root = b.node('synthetic', '', 1, 0);
    const via = b.node(type, name, 3, 10);
    const listener = fn(b, 'onData', `${ROOT_DIR}/__tests__/listen.test.js`, 5);
    const global = b.node('object', 'Object', 9, 100);
    b.edge(root, 'element', 1, via)
      .edge(via, edgeType, edgeName, listener)
      .edge(listener, 'context', 'context', global)
      .edge(global, 'property', MARKER, b.node('object', 'Object', 11, 16));
    return b.build();
  }

  test("a plain object's property holds it (the shape the next cases break)", () => {
    const found = findContextHolders(parseSnapshot(heldVia('object', 'Emitter', 'property', 'data')), [MARKER], ROOT_DIR).get(MARKER);
    expect(found?.kind === 'held' && found.holder.path).toBe('Emitter → .data (function onData)');
  });

  test.each([
    ["Node's cleanup queue", 'native', 'Node / CleanupQueue', 'internal', 'queue'],
    ["a vm context's own wrapper", 'native', 'Node / ContextifyContext', 'internal', 'context'],
    [
      "a WeakMap's entry (strong only while the map is)",
      'array',
      '',
      'internal',
      '1 / part of key (Object @3) -> value (Object @5) pair in WeakMap (table @7)',
    ],
    ["V8's identity map (its object ids while a snapshot is taken)", 'synthetic', '(Strong roots)', 'internal', '148 / IdentityMapBase'],
  ])('does not take %s for a holder', (_what, type, name, edgeType, edgeName) => {
    const text = heldVia(type, name, edgeType, edgeName);
    expect(findContextHolders(parseSnapshot(text), [MARKER], ROOT_DIR).get(MARKER)).toEqual({ kind: 'unknown' });
  });
});

describe('findContextHolders: transient roots', () => {
  test.each(['(Handle scope)', '(Stack roots)', '(Global handles)'])('a path from %s is not a holder', (rootName) => {
    const b = new SnapshotBuilder();
    const root = b.node('synthetic', '', 1, 0);
    const transient = b.node('synthetic', rootName, 3, 0);
    const array = b.node('array', 'Array', 5, 16);
    const arrayFn = fn(b, 'Array', `${ROOT_DIR}/__tests__/any.test.js`, 7);
    const global = b.node('object', 'Object', 11, 100);
    b.edge(root, 'element', 1, transient)
      .edge(transient, 'element', 1, array)
      .edge(array, 'property', 'constructor', arrayFn)
      .edge(arrayFn, 'context', 'context', global)
      .edge(global, 'property', MARKER, b.node('object', 'Object', 13, 16));
    expect(findContextHolders(parseSnapshot(b.build()), [MARKER], ROOT_DIR).get(MARKER)).toEqual({ kind: 'unknown' });
  });
});
