/**
 * Collections that grow test after test, each test adding its own entries: memlab's
 * unbound-collection analysis (a collection that grows across three or more heap snapshots),
 * with a test's start and end in place of the snapshots. The collections are held weakly and
 * their sizes read with a property read each, so following them costs next to nothing.
 */
import { isPlainObject, MAX_OBJECT_KEYS, newestFirst, EntrySizer } from './entry-size';

/** Tests that must each have added entries: memlab's three snapshots. */
export const MIN_GROWING_TESTS = 3;

export interface WatchedCollection {
  label: string;
  kind: string;
  scriptId: string;
  value: object;
}

/** A collection that grew in MIN_GROWING_TESTS tests or more and still holds what they added. */
export interface GrownCollection {
  label: string;
  kind: string;
  scriptId: string;
  /** The tests that added entries, in order. */
  tests: string[];
  /** Entries it holds now over what it held when first watched. */
  entries: number;
  /** What those newest entries hold (estimated, entry-size.ts). */
  bytes: number;
}

interface Watched {
  label: string;
  kind: string;
  scriptId: string;
  ref: WeakRef<object>;
  /** Its size when first watched. */
  initial: number;
  /** Its size at the current test's start. */
  atStart: number;
  /** At the current test's end, until the test's judging is done: its growth counts then. */
  pendingGrowth: number;
  tests: string[];
  /** Entries added by tests (not by hooks or extra runs between them). */
  addedByTests: number;
  /** Entries the last judged test added, until the next test starts. */
  addedByLastTest: number;
}

export class CollectionGrowth {
  private readonly watched: Watched[] = [];
  /** Every collection offered, followed or not (a table is not): each is looked at once. */
  private offered = new WeakSet<object>();
  private current: string | null = null;

  /** Starts following these collections (each once), from their size now. */
  watch(collections: readonly WatchedCollection[]): void {
    for (const { label, kind, scriptId, value } of collections) {
      if (this.offered.has(value)) continue;
      this.offered.add(value);
      const size = sizeOf(value);
      if (kind === 'Object' && size > MAX_OBJECT_KEYS) continue;
      this.watched.push({
        label,
        kind,
        scriptId,
        ref: new WeakRef(value),
        initial: size,
        atStart: size,
        pendingGrowth: 0,
        tests: [],
        addedByTests: 0,
        addedByLastTest: 0,
      });
    }
  }

  get size(): number {
    return this.watched.length;
  }

  testStarted(name: string): void {
    this.current = name;
    for (const item of this.watched) {
      item.atStart = sizeOfRef(item.ref);
      item.pendingGrowth = 0;
      item.addedByLastTest = 0;
    }
  }

  /** Read at the end of the test's hooks and body, before anything runs it again. */
  testEnded(): void {
    if (this.current === null) return;
    for (const item of this.watched) item.pendingGrowth = Math.max(0, sizeOfRef(item.ref) - item.atStart);
  }

  /** The test's judging is done: its growth counts. */
  testJudged(): void {
    if (this.current === null) return;
    for (const item of this.watched) {
      if (item.pendingGrowth > 0) {
        item.tests.push(this.current);
        item.addedByTests += item.pendingGrowth;
      }
      item.addedByLastTest = item.pendingGrowth;
      item.pendingGrowth = 0;
    }
    this.current = null;
  }

  /** The test is not measured (failed, skipped, or it left a resource behind): its growth does not count. */
  testAbandoned(): void {
    for (const item of this.watched) {
      item.pendingGrowth = 0;
      item.addedByLastTest = 0;
    }
    this.current = null;
  }

  /**
   * How many entries the last judged test added to `collection` (its extra runs not counted),
   * until the next test starts; undefined when it is not followed.
   */
  addedByLastTest(collection: object): number | undefined {
    return this.watched.find((item) => item.ref.deref() === collection)?.addedByLastTest;
  }

  /**
   * At the file's end: the collections that MIN_GROWING_TESTS tests or more grew, with what
   * their newest entries hold, as many as the tests added and still there; biggest first.
   * A caller reports those that hold at least its threshold; sizing stops past `cap`.
   */
  grown(cap = Infinity): GrownCollection[] {
    const grown: GrownCollection[] = [];
    for (const item of this.watched) {
      const value = item.ref.deref();
      if (!value || item.tests.length < MIN_GROWING_TESTS) continue;
      const entries = Math.min(sizeOf(value) - item.initial, item.addedByTests);
      if (entries <= 0) continue;
      const sizer = new EntrySizer();
      const bytes = newestFirst(value)
        .slice(0, entries)
        .reduce<number>((sum, entry) => (sum > cap ? sum : sum + sizer.size(entry, cap - sum)), 0);
      grown.push({ label: item.label, kind: item.kind, scriptId: item.scriptId, tests: item.tests, entries, bytes });
    }
    return grown.sort((a, b) => b.bytes - a.bytes);
  }

  clear(): void {
    this.watched.length = 0;
    this.offered = new WeakSet();
    this.current = null;
  }
}

/**
 * A Map's or Set's size, an array's length, or a plain object's own enumerable keys, read with
 * this realm's getters (it may be of the test's realm).
 */
export function sizeOf(collection: object): number {
  const kind = Object.prototype.toString.call(collection);
  if (kind === '[object Map]') return Number(Reflect.get(Map.prototype, 'size', collection));
  if (kind === '[object Set]') return Number(Reflect.get(Set.prototype, 'size', collection));
  if (Array.isArray(collection)) return collection.length;
  return kind === '[object Object]' && isPlainObject(collection) ? Object.keys(collection).length : 0;
}

function sizeOfRef(ref: WeakRef<object>): number {
  const value = ref.deref();
  return value ? sizeOf(value) : 0;
}
