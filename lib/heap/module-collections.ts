/**
 * The Maps, Sets and arrays held in closure scopes (a CommonJS module's variables among them)
 * as far as a test's code reaches them: from the test's functions through their scopes, to
 * the functions and exports objects they hold, to those functions' scopes. Read through the
 * inspector (a closure's scopes are not visible to JavaScript), without a heap snapshot,
 * which costs 2-5 s at a Jest worker's heap. The files are looked up only for the
 * collections a caller keeps (scriptFiles): that needs the Debugger, ~0.3 ms a script.
 */
import type { Session } from 'node:inspector';
import { cpuMs } from '../core/cpu-clock';
import { postSync, sharedSession } from '../core/inspector';
import { toFilePath } from '../core/stack';

export interface ModuleCollection {
  /** The variable, then the property: "cache", "store.byId". */
  label: string;
  kind: 'Map' | 'Set' | 'Array';
  /** The script of the function whose scope holds it (scriptFiles gives its file). */
  scriptId: string;
  value: object;
}

interface RemoteObject {
  type: string;
  subtype?: string;
  className?: string;
  objectId?: string;
  description?: string;
}
interface PropertyDescriptor {
  name: string;
  value?: RemoteObject & { value?: unknown };
}
interface Properties {
  result: PropertyDescriptor[];
  internalProperties?: Array<{ name: string; value?: RemoteObject & { value?: { scriptId?: string } } }>;
}

/**
 * Inspector calls at most per walk: 0.1-4 ms each (a function's description is its source
 * text), and a test's code seldom reaches far. An index's walk leaves the rest for the next.
 */
const MAX_CALLS = 400;
/**
 * Inspector calls at most per file, over all its walks: on a React suite, where a call costs
 * up to 4 ms, three kept-once walks of 400 calls took 5 s a file.
 */
const FILE_CALLS = 300;
/**
 * CPU milliseconds (cpu-clock.ts) at most per file, over all its walks. A call's cost varies
 * 40-fold (a function's description is its source text, a class's all of it): on a React
 * suite, 300 calls took ~100 ms a file, half of leakwatch's own time. Small projects finish
 * well within.
 */
const FILE_MS = 25;
/** Functions followed from the test's code, then from what their scopes hold. */
const MAX_DEPTH = 4;
/** A CommonJS module wrapper's parameters: Jest's and Node's machinery, not the module's state. */
const WRAPPER_VARIABLES = new Set(['require', 'module', 'exports', 'jest', '__filename', '__dirname']);
const KINDS: Record<string, ModuleCollection['kind']> = { map: 'Map', set: 'Set', array: 'Array' };
const RECEIVE = Symbol.for('leakwatch.moduleCollections.receive');
const GROUP = 'leakwatch-module-collections';
const TEST_REALM = Symbol.for('leakwatch.moduleCollections.testRealm');

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
    while ((queue.length > 0 || later.length > 0) && calls < maxCalls && cpuMs() < deadline) {
      if (queue.length === 0) queue.push(...later.splice(0));
      const { objectId, depth } = queue.shift()!;
      const inner: QueueItem[] = [];
      const outer: QueueItem[] = [];
      const own = functionProperties(objectId);
      const scriptId = scriptOf(own);
      const scopes = own.internalProperties?.find((p) => p.name === '[[Scopes]]')?.value?.objectId;
      if (!scopes || !scriptId || (depth > 0 && !follow(scriptId, objectId))) continue;
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
        const filename = variables.result.find((variable) => variable.name === '__filename')?.value?.value;
        if (typeof filename === 'string' && !learnedFiles.has(scriptId)) learnedFiles.set(scriptId, filename);
        const library = !follow(scriptId, objectId);
        if (library) {
          // A library's function: nothing of it is followed. But a root may be a library's
          // wrapper (test.each's), whose inner closure holds the test's function.
          if (depth > 0) break;
          if (outermost) continue;
        }
        for (const variable of variables.result) {
          const value = variable.value;
          if (!value?.objectId || WRAPPER_VARIABLES.has(variable.name)) continue;
          // In a library's root only the functions matter (the wrapped test's): jest-circus's
          // own beforeEach holds Jest's runtime, environment and config, ~2 ms a file to read.
          if (library && value.type !== 'function') continue;
          const kind = value.subtype ? KINDS[value.subtype] : undefined;
          if (kind) {
            found.push({ label: variable.name, kind, scriptId, objectId: value.objectId });
          } else if (value.type === 'function') {
            if (depth < MAX_DEPTH) (outermost ? outer : inner).push({ objectId: value.objectId, depth: depth + 1 });
          } else if (value.type === 'object' && !value.subtype && depth < MAX_DEPTH) {
            // An exports object or a store: its functions, and collections one property down,
            // but only in a plain object: a class's Map (an LRU's, a library's) is its own
            // business, bounded or not, and taking entries out of it could break it.
            const plain = value.className === 'Object';
            const properties = post<Properties>('Runtime.getProperties', { objectId: value.objectId, ownProperties: true });
            for (const property of properties.result) {
              const innerValue = property.value;
              if (!innerValue?.objectId) continue;
              const innerKind = innerValue.subtype ? KINDS[innerValue.subtype] : undefined;
              if (innerKind && plain) {
                found.push({ label: `${variable.name}.${property.name}`, kind: innerKind, scriptId, objectId: innerValue.objectId });
              } else if (innerValue.type === 'function') {
                (outermost ? outer : inner).push({ objectId: innerValue.objectId, depth: depth + 1 });
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
    return found.flatMap(({ objectId, ...rest }) => {
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

interface QueueItem {
  objectId: string;
  depth: number;
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

let indexes = 0;

/**
 * One test file's module collections, found by walks from its tests' code (reachableCollections)
 * that read each scope once in the file: a second test's walk reads only its own describe
 * blocks' scopes, ~1 ms. Held weakly: the file's modules go when it ends.
 */
export class ModuleCollectionIndex {
  private readonly scriptRealms = new Map<string, boolean>();
  private readonly testObjectPrototype: object | undefined;
  private readonly walk: WalkState = { readScopes: new Set(), frontier: [], group: `${GROUP}-${++indexes}`, calls: 0, ms: 0 };
  private readonly known: Array<Omit<ModuleCollection, 'value'> & { ref: WeakRef<object> }> = [];

  constructor(
    private readonly realmGlobals: readonly object[],
    /** Whether a file is the project's own (its functions are followed). */
    private readonly isProjectScript: (file: string) => boolean,
    /** CPU milliseconds for all the file's walks (FILE_MS); tests of the call budget lift it, as a loaded machine may exceed it. */
    private readonly fileMs = FILE_MS,
  ) {
    // A function of another realm than the test's (Node's, Jest's, leakwatch's, an earlier
    // file's modules) is not followed: its prototype chain ends elsewhere than the test's.
    this.testObjectPrototype =
      realmGlobals.length > 1 ? (Reflect.get(realmGlobals[0], 'Object') as ObjectConstructor | undefined)?.prototype : undefined;
  }

  /** Collections found so far. */
  get size(): number {
    return this.known.length;
  }

  /**
   * Walks from `code` into the scopes not read yet, for at most `maxCalls` inspector calls and
   * what is left of FILE_CALLS and FILE_MS, and returns every collection known in this file. Functions of
   * another realm, or of a script known to be a library's, are not followed; the Debugger's
   * script list is not read for this (~0.2-0.3 s in a Jest worker, where each file loads its
   * modules anew).
   */
  reach(code: readonly object[], maxCalls = MAX_CALLS): ModuleCollection[] {
    const budget = Math.min(maxCalls, FILE_CALLS - this.walk.calls);
    const msLeft = this.fileMs - this.walk.ms;
    if (code.length > 0 && budget > 0 && msLeft > 0) {
      const fresh = reachableCollections(
        code,
        this.realmGlobals,
        (scriptId, objectId) => {
          if (!this.inTestRealm(scriptId, objectId)) return false;
          const file = learnedFiles.get(scriptId) ?? knownFiles.get(scriptId);
          return file === undefined || this.isProjectScript(file);
        },
        this.walk,
        budget,
        cpuMs() + msLeft,
      );
      for (const { value, ...rest } of fresh) {
        if (!this.known.some((known) => known.ref.deref() === value)) this.known.push({ ...rest, ref: new WeakRef(value) });
      }
    }
    return this.known.flatMap(({ ref, ...rest }) => {
      const value = ref.deref();
      return value ? [{ ...rest, value }] : [];
    });
  }

  /** Whether a function of this script runs in the test's realm (asked once per script). */
  private inTestRealm(scriptId: string, objectId: string): boolean {
    if (!this.testObjectPrototype) return true;
    let answer = this.scriptRealms.get(scriptId);
    if (answer === undefined) {
      // Run in leakwatch's realm (where the handles were made): the marker is put there.
      Reflect.set(globalThis, TEST_REALM, this.testObjectPrototype);
      try {
        const result = postSync(sharedSession(), 'Runtime.callFunctionOn', {
          objectId,
          functionDeclaration: `function () {
            let last = this;
            for (let proto = Object.getPrototypeOf(this); proto !== null; proto = Object.getPrototypeOf(proto)) last = proto;
            return last === globalThis[Symbol.for('${TEST_REALM.description}')];
          }`,
          returnByValue: true,
        }) as { result: { value?: unknown } };
        answer = result.result.value === true;
      } catch {
        answer = true;
      } finally {
        Reflect.deleteProperty(globalThis, TEST_REALM);
      }
      this.scriptRealms.set(scriptId, answer);
    }
    return answer;
  }

  /** At the file's end: the inspector lets go of the handles the walks kept. */
  dispose(): void {
    this.walk.frontier = [];
    this.known.length = 0;
    release(sharedSession(), this.walk.group);
  }
}

/** The globals of the realms a project's modules run in: the test's, and this one (ES modules, or a runner's own). */
export function realmGlobals(testGlobal: object | null): object[] {
  return testGlobal && testGlobal !== globalThis ? [testGlobal, globalThis] : [globalThis];
}

/** Each script's file, by id, as last read (scriptFiles). */
const knownFiles = new Map<string, string>();
/** Scripts' files read from CommonJS modules' `__filename` during walks. */
const learnedFiles = new Map<string, string>();

/** A script's file, known from a walk or the Debugger's script list ('' if none: an eval'd script). */
export function scriptFile(scriptId: string): string {
  return learnedFiles.get(scriptId) ?? scriptFiles(scriptId).get(scriptId) ?? '';
}

/**
 * Each script's file, by id: the Debugger sends every script's URL when it is switched on
 * (~0.3 ms a script), so they are read once, and again only when `scriptId` is not known.
 */
export function scriptFiles(scriptId?: string): ReadonlyMap<string, string> {
  if (scriptId === undefined ? knownFiles.size > 0 : knownFiles.has(scriptId)) return knownFiles;
  const session = sharedSession();
  const onScript = (message: { params: { scriptId: string; url: string } }): void => {
    knownFiles.set(message.params.scriptId, toFilePath(message.params.url));
  };
  session.on('Debugger.scriptParsed', onScript);
  try {
    postSync(session, 'Debugger.enable', {});
    postSync(session, 'Debugger.disable', {});
    return knownFiles;
  } finally {
    session.off('Debugger.scriptParsed', onScript);
  }
}

function release(session: Session, group: string): void {
  try {
    postSync(session, 'Runtime.releaseObjectGroup', { objectGroup: group });
  } catch {
    // Nothing more to free.
  }
}

/**
 * An inspector handle for one of this realm's values: put under a symbol on this realm's
 * global and read back by an evaluation in each context until one sees it (leakwatch runs in
 * Node's main context under Jest, but in a test's context in its own unit tests).
 */
function remoteId(session: Session, value: unknown, group: string): string {
  Reflect.set(globalThis, RECEIVE, value);
  const contexts: Array<number | undefined> = [undefined];
  const onContext = (message: { params: { context: { id: number } } }): void => {
    contexts.push(message.params.context.id);
  };
  try {
    for (let index = 0; index < contexts.length; index++) {
      const answer = postSync(session, 'Runtime.evaluate', {
        expression: `globalThis[Symbol.for('${RECEIVE.description}')]`,
        objectGroup: group,
        ...(contexts[index] === undefined ? {} : { contextId: contexts[index] }),
      }) as { result: RemoteObject };
      if (answer.result.objectId) return answer.result.objectId;
      if (index === 0) {
        session.on('Runtime.executionContextCreated', onContext);
        postSync(session, 'Runtime.enable', {});
        postSync(session, 'Runtime.disable', {});
      }
    }
    return '';
  } finally {
    session.off('Runtime.executionContextCreated', onContext);
    Reflect.deleteProperty(globalThis, RECEIVE);
  }
}

/**
 * The live object behind an inspector handle. The inspector hands it only to a function of
 * its own realm, so a receiver is put under a symbol on each realm's global for the call.
 */
function handOver(session: Session, objectId: string, realmGlobals: readonly object[]): object | null {
  let received: object | null = null;
  const receive = (value: object): void => {
    received = value;
  };
  for (const global of realmGlobals) Reflect.set(global, RECEIVE, receive);
  try {
    postSync(session, 'Runtime.callFunctionOn', {
      objectId,
      functionDeclaration: `function () { globalThis[Symbol.for('${RECEIVE.description}')]?.(this); }`,
    });
    return received;
  } catch {
    return null;
  } finally {
    for (const global of realmGlobals) Reflect.deleteProperty(global, RECEIVE);
  }
}
