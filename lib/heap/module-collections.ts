/**
 * One test file's module collections (reachable-collections.ts), kept across its tests' walks,
 * and the realms a project's modules run in.
 */
import { cpuMs } from '../core/cpu-clock';
import { postSync, sharedSession } from '../core/inspector';
import { release } from './inspector-handles';
import { GROUP, MAX_CALLS, reachableCollections, type ModuleCollection, type WalkState } from './reachable-collections';
import { scriptFileIfKnown } from './script-files';

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
const TEST_REALM = Symbol.for('leakwatch.moduleCollections.testRealm');

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
  private knownValues = new WeakSet<object>();

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
          const file = scriptFileIfKnown(scriptId);
          return file === undefined || this.isProjectScript(file);
        },
        this.walk,
        budget,
        cpuMs() + msLeft,
      );
      for (const { value, ...rest } of fresh) {
        if (this.knownValues.has(value)) continue;
        this.knownValues.add(value);
        this.known.push({ ...rest, ref: new WeakRef(value) });
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
    this.knownValues = new WeakSet();
    release(sharedSession(), this.walk.group);
  }
}

/** The globals of the realms a project's modules run in: the test's, and this one (ES modules, or a runner's own). */
export function realmGlobals(testGlobal: object | null): object[] {
  return testGlobal && testGlobal !== globalThis ? [testGlobal, globalThis] : [globalThis];
}
