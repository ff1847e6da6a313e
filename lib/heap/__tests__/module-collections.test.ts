/**
 * The walk from a test's code into the module state it reaches, on closures made here: the
 * inspector reads their scopes as it reads a Jest module's.
 */
import * as vm from 'node:vm';
import { ModuleCollectionIndex } from '../module-collections';
import { reachableCollections } from '../reachable-collections';
import { scriptFileIfKnown, scriptFiles } from '../script-files';

/** A module's scope: a cache, a store with an index, an LRU (a class with a capacity), a singleton. */
function makeModule() {
  const cache = new Map([[1, 'one']]);
  const seen = new Set(['a']);
  const log: string[] = [];
  const store = { byId: new Map<string, number>() };
  class Lru {
    max = 2;
    entries = new Map<string, number>();
  }
  const lru = new Lru();
  let singleton: number[] | undefined;
  return {
    read: () => [cache.get(1), seen.has('a'), log.length, store.byId.size, lru.entries.size, (singleton ??= [1])],
  };
}

/**
 * A module's scope with plain objects: a memo and a store of data, and what a compiled project
 * holds of its imports (an exports object, TypeScript's `__importStar` and `__importDefault`).
 */
function makeObjectModule() {
  const memo: Record<string, number[]> = { a: [1] };
  const tables = { byId: {} as Record<string, number>, names: ['x'] };
  const helpers = { format: (n: number) => String(n), limit: 3 };
  const compiled = Object.defineProperty({ limit: 3 }, '__esModule', { value: true });
  const star = Object.defineProperty({}, 'format', { enumerable: true, get: () => helpers.format });
  const wrapped = { default: { limit: 3 } };
  return () => [memo.a, tables.byId.x, helpers.limit, compiled.limit, star, wrapped.default];
}

const api = makeModule();

/** Only this file's functions are followed, as leakwatch follows only the project's. */
const thisFileOnly = (scriptId: string): boolean => scriptFiles(scriptId).get(scriptId) === __filename;

test('finds the collections in the scopes the test reaches, with the property path (not a singleton still unset)', () => {
  const testBody = () => api.read();
  const found = reachableCollections([testBody], [globalThis], thisFileOnly);
  expect(found.map(({ label, kind }) => `${label} ${kind}`).sort()).toEqual([
    'cache Map',
    'log Array',
    'seen Set',
    'store Object',
    'store.byId Map',
  ]);
  const cache = found.find((collection) => collection.label === 'cache');
  expect(cache?.value).toBeInstanceOf(Map);
  expect([...(cache!.value as Map<number, string>)]).toEqual([[1, 'one']]);
});

test("plain objects of data are collections, one property down too; a module's exports and import wrappers are not", () => {
  const found = reachableCollections([makeObjectModule()], [globalThis], thisFileOnly).map(({ label, kind }) => `${label} ${kind}`);
  expect(found).toEqual(
    expect.arrayContaining(['memo Object', 'memo.a Array', 'tables Object', 'tables.byId Object', 'tables.names Array']),
  );
  for (const label of ['helpers', 'compiled', 'star', 'wrapped', 'wrapped.default']) {
    expect(found).not.toContain(`${label} Object`);
  }
});

test('a table (a plain object of over 1,000 keys, as mime-db) is neither a collection nor looked into', () => {
  const types = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`type/${i}`, { extensions: [String(i)] }]));
  const small = { 'type/a': { extensions: ['a'] } };
  const lookup = () => [types['type/1'], small['type/a']];
  const found = reachableCollections([lookup], [globalThis], thisFileOnly).map(({ label }) => label);
  expect(found).toContain('small');
  expect(found.filter((label) => label.startsWith('types'))).toEqual([]);
});

test("a function's own collections are found by its name: a class's static fields, a memoised function's cache", () => {
  class Registry {
    static items = new Map<string, number>();
    static defaults = { limit: 3 };
  }
  const memoised = Object.assign((n: number) => n, { cache: new Set<number>() });
  const found = reachableCollections([() => [Registry.items, memoised(1)]], [globalThis], thisFileOnly).map(
    ({ label, kind }) => `${label} ${kind}`,
  );
  expect(found).toEqual(expect.arrayContaining(['Registry.items Map', 'Registry.defaults Object', 'memoised.cache Set']));
  expect(found.some((label) => label.includes('prototype'))).toBe(false);
});

test("a class instance with a number among its fields (an LRU's capacity) is left alone", () => {
  const found = reachableCollections([() => api.read()], [globalThis], thisFileOnly);
  expect(found.some((collection) => collection.label.startsWith('lru'))).toBe(false);
});

test("a project class instance's collections are found by the variable and the field: a service's caches", () => {
  class PriceService {
    cache = new Map<string, number[]>();
    names = new Set<string>();
    bySku: Record<string, number> = {};
    client = new (class HttpClient {})();
    label = 'prices';
  }
  const prices = new PriceService();
  const found = reachableCollections([() => prices.cache.size + prices.names.size], [globalThis], thisFileOnly);
  const labels = found.map(({ label, kind }) => `${label} ${kind}`);
  expect(labels).toEqual(expect.arrayContaining(['prices.cache Map', 'prices.names Set', 'prices.bySku Object']));
  expect(labels.filter((label) => label.startsWith('prices'))).toHaveLength(3);
});

test("an exported instance's collections are found through the exports object, as a compiled import reaches them", () => {
  class PriceService {
    quotes = new Map<string, number[]>();
    byLocale: Record<string, number[]> = {};
  }
  // What TypeScript and Babel make of `import { prices } from './prices'`: `prices_1.prices.quote(…)`.
  const prices_1 = Object.defineProperty({ prices: new PriceService(), label: 'x' }, '__esModule', { value: true });
  const found = reachableCollections([() => prices_1.prices.quotes.size], [globalThis], thisFileOnly);
  const labels = found.map(({ label, kind }) => `${label} ${kind}`);
  expect(labels).toEqual(expect.arrayContaining(['prices.quotes Map', 'prices.byLocale Object']));
  expect(labels.filter((label) => label.includes('prices'))).toHaveLength(2);
});

/**
 * A test's code holding what TypeScript makes of `export const cache = new Map(); export const
 * byName = {}; export function makeListRange…`, imported as `api_1`.
 */
function importCompiledModule(file: string) {
  const api_1 = vm.runInThisContext(
    `(function (exports) {
      Object.defineProperty(exports, '__esModule', { value: true });
      exports.cache = new Map();
      exports.byName = {};
      exports.makeListRange = (n) => (exports.cache.has(n) ? exports.cache.get(n) : exports.cache.set(n, [n]).get(n));
      return exports;
    })`,
    { filename: file },
  )({}) as { makeListRange: (n: number) => number[] };
  return () => api_1.makeListRange(3);
}

test("a compiled ES module's exported state is found on its `exports`, as its own, before the importer's view of it", () => {
  const file = 'compiled-module.js';
  const projectFiles = (scriptId: string): boolean => [__filename, file].includes(scriptFiles(scriptId).get(scriptId) ?? '');
  const found = reachableCollections([importCompiledModule(file)], [globalThis], projectFiles);
  const files = found.map(({ label, kind, scriptId }) => `${label} ${kind} ${scriptFiles(scriptId).get(scriptId)}`);
  expect(files).toEqual(expect.arrayContaining([`cache Map ${file}`, `byName Object ${file}`]));
  expect(files.filter((entry) => entry.endsWith(file))).toHaveLength(2);
  expect(files).not.toContain(`api_1.cache Map ${__filename}`);
});

test("an instance's collections are its class's: a library's class stays a library's", () => {
  const Library = vm.runInThisContext('(class Pool { constructor() { this.idle = []; this.byKey = new Map(); } })', {
    filename: 'pool-library.js',
  }) as new () => { idle: unknown[]; byKey: Map<string, unknown> };
  const pool = new Library();
  const found = reachableCollections([() => pool.idle.length + pool.byKey.size], [globalThis], thisFileOnly);
  const files = found
    .filter((collection) => collection.label.startsWith('pool'))
    .map(({ label, scriptId }) => `${label} ${scriptFiles(scriptId).get(scriptId)}`);
  expect(files.sort()).toEqual(['pool.byKey pool-library.js', 'pool.idle pool-library.js']);
});

test('functions it is told not to follow are not looked into', () => {
  expect(reachableCollections([() => api.read()], [globalThis], () => false)).toEqual([]);
});

test("each collection's script is this file", () => {
  const [first] = reachableCollections([() => api.read()], [globalThis], thisFileOnly);
  expect(scriptFiles().get(first.scriptId)).toBe(__filename);
});

test("a runner's wrapper (test.each's) is looked through first, to the test's function it holds", () => {
  // A script of its own, whose scope holds many functions of its own, as jest-each's does.
  const helpers = Array.from({ length: 30 }, (_, i) => `function helper${i}() { return ${i}; }`);
  const calls = helpers.map((_, i) => `helper${i}()`).join(' + ');
  const wrap = vm.runInThisContext(`(function () { ${helpers.join('\n')} return (fn) => () => ${calls} + fn(); })()`, {
    filename: 'wrapper.js',
  }) as (fn: () => unknown) => () => unknown;
  const thisFileOrWrapper = (scriptId: string): boolean => thisFileOnly(scriptId) || scriptFiles(scriptId).get(scriptId) === 'wrapper.js';
  const found = reachableCollections([wrap(() => api.read())], [globalThis], thisFileOrWrapper, null, 40);
  expect(found.map((collection) => collection.label)).toContain('cache');
});

test("a library's root is read for the function it wraps, not for its own state", () => {
  // As jest-circus's own beforeEach, whose closure holds Jest's runtime, environment and config.
  const wrap = vm.runInThisContext(
    `(function () {
      const version = 1;
      return (function adapter() {
        const registry = new Map([[1, 1]]);
        const runtime = { modules: new Map() };
        return (fn) => () => version + registry.size + runtime.modules.size + fn();
      })();
    })()`,
    { filename: 'runner.js' },
  ) as (fn: () => unknown) => () => unknown;
  const found = reachableCollections([wrap(() => api.read())], [globalThis], thisFileOnly);
  expect(found.map((collection) => collection.label).sort()).toEqual(['cache', 'log', 'seen', 'store', 'store.byId']);
});

describe("a library's file from its wrapper's variables, when it kept no __filename", () => {
  const LIBRARY = '/project/node_modules/library/index.js';
  /** Follows every function except those of a script known to be the library's. */
  const notTheLibrary = (scriptId: string): boolean => scriptFileIfKnown(scriptId) !== LIBRARY;

  /**
   * A CommonJS module as Jest runs it, whose functions use only the wrapper variables given:
   * React's and react-dom's keep `exports` with `module` or `require`, and hold their state
   * in a scope inside (an immediately invoked function) that costs 10-100 ms to read first.
   */
  function libraryFunction(kept: 'module' | 'require'): () => number {
    const uses = kept === 'module' ? 'module.id' : 'require.name';
    const wrapper = vm.runInThisContext(
      `(function (exports, require, module, __filename) {
        (function () {
          const registry = new Map([[1, 1]]);
          exports.read = () => registry.size + (${uses} ? 1 : 0);
        })();
      })`,
      { filename: `library-kept-${kept}.js` },
    ) as (exports: object, require: unknown, module: object, filename: string) => void;
    const module = { id: LIBRARY, filename: LIBRARY, exports: {} as { read: () => number } };
    const require = Object.assign(() => undefined, { cache: { [LIBRARY]: module } });
    wrapper(module.exports, require, module, LIBRARY);
    return module.exports.read;
  }

  test.each(['module', 'require'] as const)('kept %s: the library is known, and its state is not read', (kept) => {
    const read = libraryFunction(kept);
    const labels = (follow: (scriptId: string) => boolean) =>
      reachableCollections([() => read()], [globalThis], follow).map((collection) => collection.label);
    expect(labels(() => true)).toContain('registry');
    expect(labels(notTheLibrary)).not.toContain('registry');
  });
});

describe('ModuleCollectionIndex', () => {
  /** Only this file is the project's, as thisFileOnly says. */
  const isThisFile = (file: string) => file === __filename;
  /** No time budget: on a loaded machine a walk of this file outlasted the 25 ms a file gets. */
  const NO_TIME_LIMIT = Infinity;

  /** A describe block's own state, reached only from the tests inside it. */
  function describeBlock() {
    const blockLog: string[] = [];
    return () => blockLog.push('x');
  }

  test('a later walk adds what its code reaches and keeps what earlier walks found', () => {
    const index = new ModuleCollectionIndex([globalThis], isThisFile, NO_TIME_LIMIT);
    const first = index.reach([() => api.read()]).map((collection) => collection.label);
    const inBlock = describeBlock();
    const second = index.reach([() => [api.read(), inBlock()]]).map((collection) => collection.label);
    expect(second.sort()).toEqual([...first, 'blockLog'].sort());
  });

  test('a variable a hook set after an earlier walk is followed on a later one', () => {
    const index = new ModuleCollectionIndex([globalThis], isThisFile, NO_TIME_LIMIT);
    let later: (() => number) | undefined = undefined;
    const code = () => later?.();
    const labels = () => index.reach([code]).map((collection) => collection.label);
    expect(labels()).not.toContain('blockLog');
    later = describeBlock();
    expect(labels()).toContain('blockLog');
  });

  test('a walk that ran out of calls leaves the rest to the next walk in the file', () => {
    const index = new ModuleCollectionIndex([globalThis], isThisFile, NO_TIME_LIMIT);
    expect(index.reach([() => api.read()], 3).map((collection) => collection.label)).not.toContain('cache');
    expect(index.reach([() => 0]).map((collection) => collection.label)).toContain('cache');
    index.dispose();
  });

  test('a collection reached again is listed once', () => {
    const index = new ModuleCollectionIndex([globalThis], isThisFile, NO_TIME_LIMIT);
    index.reach([() => api.read()]);
    const again = index.reach([() => api.read(), () => api.read()]);
    expect(again.filter((collection) => collection.label === 'cache')).toHaveLength(1);
  });

  test("functions of another realm than the test's (Node's, the runner's) are not followed", () => {
    const testRealm = vm.runInNewContext('globalThis') as object;
    const index = new ModuleCollectionIndex([testRealm, globalThis], isThisFile);
    expect(index.reach([() => api.read()])).toEqual([]);
    index.dispose();
  });

  test('no code: what is known, with no walk', () => {
    expect(new ModuleCollectionIndex([globalThis], isThisFile).reach([])).toEqual([]);
  });
});
