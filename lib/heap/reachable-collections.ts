/**
 * The Maps, Sets, arrays and plain objects held in closure scopes (a CommonJS module's
 * variables among them) and by functions (a class's static fields) as far as a test's code
 * reaches them: from the test's functions through their scopes, to the functions and exports
 * objects they hold, to those functions' scopes. Read through the
 * inspector (a closure's scopes are not visible to JavaScript), without a heap snapshot,
 * which costs 2-5 s at a Jest worker's heap. The files are looked up only for the
 * collections a caller keeps (scriptFiles): that needs the Debugger, ~0.3 ms a script.
 */
import { cpuMs } from '../core/cpu-clock';
import { postSync, sharedSession } from '../core/inspector';
import { handOver, release, remoteId, type RemoteObject } from './inspector-handles';
import { MAX_OBJECT_KEYS } from './entry-size';
import { CONSTRUCTOR_OF, KINDS, collectionKind, instanceCollections, isPlainRemoteObject, type CollectionKind } from './instance-fields';
import { learnScriptFile } from './script-files';
import { wrapperFile } from './wrapper-file';

export interface ModuleCollection {
  /** The variable, then the property: "cache", "store.byId". */
  label: string;
  kind: CollectionKind;
  /** The script of the function whose scope holds it, or of the class whose instance's field it is (scriptFiles gives its file). */
  scriptId: string;
  value: object;
}

interface PropertyDescriptor {
  name: string;
  value?: RemoteObject & { value?: unknown };
  get?: RemoteObject;
}
interface Properties {
  result: PropertyDescriptor[];
  internalProperties?: Array<{ name: string; value?: RemoteObject & { value?: { scriptId?: string } } }>;
}

/**
 * Inspector calls at most per walk: 0.1-4 ms each (a function's description is its source
 * text), and a test's code seldom reaches far. An index's walk leaves the rest for the next.
 */
export const MAX_CALLS = 400;
/** Functions followed from the test's code, then from what their scopes hold. */
const MAX_DEPTH = 4;
/** A CommonJS module wrapper's parameters: Jest's and Node's machinery, not the module's state. */
const WRAPPER_VARIABLES = new Set(['require', 'module', 'exports', 'jest', '__filename', '__dirname']);
/** The inspector's object group for a walk's handles (an index numbers its own). */
export const GROUP = 'leakwatch-module-collections';

/**
 * The collections in the scopes that `code` (the test's body and hooks) reaches. `realmGlobals`:
 * the globals of the realms the modules run in, through which the inspector hands each over.
 */
export function reachableCollections(
  code: readonly object[],
  realmGlobals: readonly object[],
  /** Whether to look into the scopes of a function of this script (not Jest's, Node's or a library's); `objectId`: the function. */
  follow: (scriptId: string, objectId: string) => boolean = () => true,
  /** What earlier walks in the same file left (ModuleCollectionIndex); none: a walk of its own. */
  state: WalkState | null = null,
  maxCalls = MAX_CALLS,
  /** cpuMs() past which the walk stops and leaves the rest for the next. */
  deadline = Infinity,
): ModuleCollection[] {
  const session = sharedSession();
  const own = state ?? { readScopes: new Set<string>(), frontier: [], group: GROUP, calls: 0, ms: 0 };
  const started = cpuMs();
  const readScopes = own.readScopes;
  const found: Array<Omit<ModuleCollection, 'value'> & { objectId: string }> = [];
  /**
   * What another module's exports object holds, seen from the module that imported it: its
   * owner's own scope names it with its owner's script (`exports`, below), so this comes last.
   */
  const imported: typeof found = [];
  let calls = 0;
  const post = <T>(method: string, params: object): T => {
    calls += 1;
    own.calls += 1;
    return postSync(session, method, params) as T;
  };
  try {
    const roots = code.map((fn) => ({ objectId: remoteId(session, fn, own.group), depth: 0 })).filter((item) => item.objectId !== '');
    const queue: QueueItem[] = [...roots, ...own.frontier];
    /** What wrappers' modules hold: looked at once the rest is. */
    const later: QueueItem[] = [];
    own.frontier = [];
    /** A function's own properties, read once: a wrapper's inner functions are read to tell their script, then walked. */
    const functions = new Map<string, Properties>();
    const functionProperties = (objectId: string): Properties => {
      let properties = functions.get(objectId);
      if (!properties) functions.set(objectId, (properties = post<Properties>('Runtime.getProperties', { objectId, ownProperties: true })));
      return properties;
    };
    const scriptOf = (properties: Properties): string | undefined =>
      properties.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value?.scriptId;
    /** The script of an object's class, from its constructor. */
    const classScript = (objectId: string): string | null => {
      const { result } = post<{ result: RemoteObject }>('Runtime.callFunctionOn', { objectId, functionDeclaration: CONSTRUCTOR_OF });
      return (result.type === 'function' && result.objectId && scriptOf(functionProperties(result.objectId))) || null;
    };
    /** The collections in the fields of an instance held one property down, as its class's. */
    const instanceFields = (objectId: string, name: string): typeof found => {
      const { result } = post<Properties>('Runtime.getProperties', { objectId, ownProperties: true });
      const instance = instanceCollections(result, () => classScript(objectId));
      if (!instance) return [];
      return result.flatMap(({ name: field, value }) => {
        const kind = instance.fields.get(field);
        return kind && value?.objectId ? [{ label: `${name}.${field}`, kind, scriptId: instance.scriptId, objectId: value.objectId }] : [];
      });
    };
    /** A module's own exports: its collections, and its instances' collection fields. */
    const exportedCollections = (objectId: string, scriptId: string): typeof found => {
      const { result } = post<Properties>('Runtime.getProperties', { objectId, ownProperties: true });
      if (result.length > MAX_OBJECT_KEYS) return [];
      return result.flatMap(({ name, value }) => {
        if (!value?.objectId) return [];
        const kind = collectionKind(value);
        if (kind) return [{ label: name, kind, scriptId, objectId: value.objectId }];
        return isInstance(value) ? instanceFields(value.objectId, name) : [];
      });
    };
    while ((queue.length > 0 || later.length > 0) && calls < maxCalls && cpuMs() < deadline) {
      if (queue.length === 0) queue.push(...later.splice(0));
      const { objectId, depth, label } = queue.shift()!;
      const inner: QueueItem[] = [];
      const outer: QueueItem[] = [];
      const own = functionProperties(objectId);
      const scriptId = scriptOf(own);
      const scopes = own.internalProperties?.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
      if (!scopes || !scriptId || (depth > 0 && !follow(scriptId, objectId))) continue;
      // A class's static fields are its own properties: module state as much as a variable.
      if (depth > 0) found.push(...staticCollections(own, scriptId, label));
      const list = post<Properties>('Runtime.getProperties', { objectId: scopes, ownProperties: true });
      // A CommonJS module's variables are its wrapper function's (Closure), an ES module's its Module scope.
      const closures = list.result.filter(
        (scope) => scope.value?.objectId && /^(Closure|Module|Block)\b/.test(scope.value.description ?? ''),
      );
      // Outermost first: the module's scope, which all its functions share, read once per
      // script, and which tells the script's file. The test's own scopes (depth 0) and inner
      // closures are told apart by their variables (nested anonymous closures share a
      // description), and read again once a variable changes kind (a `let api` that a
      // beforeEach hook has set since).
      for (const [index, scope] of [...closures.entries()].reverse()) {
        const outermost = index === closures.length - 1;
        const moduleKey = depth > 0 && outermost ? `${scriptId}:module` : '';
        if (moduleKey && readScopes.has(moduleKey)) continue;
        const variables = post<Properties>('Runtime.getProperties', { objectId: scope.value!.objectId, ownProperties: true });
        const shape = variables.result.map((variable) => `${variable.name}=${variable.value?.type ?? ''}${variable.value?.subtype ?? ''}`);
        const scopeKey = moduleKey || `${scriptId}:${scope.value!.description}:${shape.join(',')}`;
        if (readScopes.has(scopeKey)) continue;
        readScopes.add(scopeKey);
        // A CommonJS module's wrapper holds its file: a library's module scope is not followed,
        // and the file is known without the Debugger's script list.
        const filename = wrapperFile(variables.result, outermost ? post : null);
        if (filename) learnScriptFile(scriptId, filename);
        const library = !follow(scriptId, objectId);
        if (library) {
          // A library's function: nothing of it is followed. But a root may be a library's
          // wrapper (test.each's), whose inner closure holds the test's function.
          if (depth > 0) break;
          if (outermost) continue;
        }
        for (const variable of variables.result) {
          const value = variable.value;
          if (variable.name === 'exports' && outermost && !library && value?.type === 'object' && value.objectId) {
            // An ES module compiled to CommonJS (TypeScript, Babel, SWC) keeps its exported
            // state on `exports`: `export const cache = new Map()` is `exports.cache`.
            found.push(...exportedCollections(value.objectId, scriptId));
            continue;
          }
          if (!value?.objectId || WRAPPER_VARIABLES.has(variable.name)) continue;
          // In a library's root only the functions matter (the wrapped test's): jest-circus's
          // own beforeEach holds Jest's runtime, environment and config, ~2 ms a file to read.
          if (library && value.type !== 'function') continue;
          const kind = value.subtype ? KINDS[value.subtype] : undefined;
          if (kind) {
            found.push({ label: variable.name, kind, scriptId, objectId: value.objectId });
          } else if (value.type === 'function') {
            if (depth < MAX_DEPTH) (outermost ? outer : inner).push({ objectId: value.objectId, depth: depth + 1, label: variable.name });
          } else if (value.type === 'object' && !value.subtype && depth < MAX_DEPTH) {
            // An exports object or a store: its functions, and collections one property down:
            // a plain object's, and a class instance's when nothing bounds them, as its class's
            // (instance-fields.ts). A plain object of data is a collection too: `memo[input] = …`
            // is a cache keyed on input.
            const plain = isPlainRemoteObject(value);
            const properties = post<Properties>('Runtime.getProperties', { objectId: value.objectId, ownProperties: true });
            // A table (mime-db's 2,270 types, a locale's data): neither a cache nor a store of collections.
            if (properties.result.length > MAX_OBJECT_KEYS) continue;
            const data = plain && holdsData(properties.result);
            if (data) found.push({ label: variable.name, kind: 'Object', scriptId, objectId: value.objectId });
            const instanceId = value.objectId;
            const instance = plain ? null : instanceCollections(properties.result, () => classScript(instanceId));
            for (const property of properties.result) {
              const innerValue = property.value;
              if (!innerValue?.objectId) continue;
              const innerKind = innerValue.subtype
                ? KINDS[innerValue.subtype]
                : data && isPlainRemoteObject(innerValue)
                  ? 'Object'
                  : instance?.fields.get(property.name);
              if (innerKind && (plain || instance?.fields.has(property.name))) {
                const holder = instance?.scriptId ?? scriptId;
                (plain && !data ? imported : found).push({
                  label: `${variable.name}.${property.name}`,
                  kind: innerKind,
                  scriptId: holder,
                  objectId: innerValue.objectId,
                });
              } else if (innerValue.type === 'function') {
                (outermost ? outer : inner).push({
                  objectId: innerValue.objectId,
                  depth: depth + 1,
                  label: `${variable.name}.${property.name}`,
                });
              } else if (plain && isInstance(innerValue)) {
                // An exported instance (`export const prices = new PriceService()`), which a
                // compiled import reaches as `prices_1.prices`: named as its module exports it.
                found.push(...instanceFields(innerValue.objectId, property.name));
              }
            }
          }
        }
      }
      // A root whose closure holds a function of another script is a wrapper (test.each's,
      // whose closure holds the test's function): that function is the test's code, looked at
      // next as a root; what the wrapper's own script holds comes after everything else.
      const wrapped = depth === 0 ? inner.filter((item) => scriptOf(functionProperties(item.objectId)) !== scriptId) : [];
      if (wrapped.length > 0) {
        queue.unshift(...wrapped.map((item) => ({ ...item, depth: 0 })));
        later.push(...inner.filter((item) => !wrapped.includes(item)), ...outer);
      } else {
        queue.push(...inner, ...outer);
      }
    }
    queue.push(...later);
    own.frontier = queue;
    const values = new Set<object>();
    return [...found, ...imported].flatMap(({ objectId, ...rest }) => {
      const value = handOver(session, objectId, realmGlobals);
      if (!value || values.has(value)) return [];
      values.add(value);
      return [{ ...rest, value }];
    });
  } finally {
    own.ms += cpuMs() - started;
    if (!state) release(session, GROUP);
  }
}

/**
 * The collections among a function's own properties, labelled by its name, else by the
 * variable that holds it: a class's static fields (`static parsed = new Map()`:
 * `Registry.parsed`), a memoised function's `fn.cache`.
 */
function staticCollections(
  properties: Properties,
  scriptId: string,
  holder: string | undefined,
): Array<Omit<ModuleCollection, 'value'> & { objectId: string }> {
  const own = properties.result.find((property) => property.name === 'name')?.value?.value;
  const name = typeof own === 'string' && own !== '' ? own : holder;
  if (!name) return [];
  return properties.result.flatMap((property) => {
    const value = property.value;
    if (!value?.objectId || property.name === 'prototype') return [];
    const kind = value.subtype ? KINDS[value.subtype] : isPlainRemoteObject(value) ? 'Object' : undefined;
    return kind ? [{ label: `${name}.${property.name}`, kind, scriptId, objectId: value.objectId }] : [];
  });
}

/** An object of a class: not a plain object, a collection, a function or a DOM node. */
function isInstance(value: RemoteObject): value is RemoteObject & { objectId: string } {
  return Boolean(value.objectId) && value.type === 'object' && !value.subtype && value.className !== 'Object';
}

/**
 * Whether a plain object's properties are data, not a module's API: no function or getter
 * among them, no `__esModule` mark, and not only a `default` (TypeScript's and Babel's import
 * wrappers). A compiled project holds every import's exports object in a variable.
 */
function holdsData(properties: PropertyDescriptor[]): boolean {
  if (properties.length === 1 && properties[0].name === 'default') return false;
  return !properties.some(
    (property) => property.name === '__esModule' || property.value?.type === 'function' || property.get?.type === 'function',
  );
}

interface QueueItem {
  objectId: string;
  depth: number;
  /** The variable or property that holds the function: its own collections are named after it. */
  label?: string;
}

/** What one file's walks share: the scopes read, and the functions not looked at yet (their handles live in `group`). */
export interface WalkState {
  readScopes: Set<string>;
  frontier: QueueItem[];
  group: string;
  /** Inspector calls spent so far. */
  calls: number;
  /** CPU milliseconds spent so far. */
  ms: number;
}
