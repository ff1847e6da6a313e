/**
 * Memory a test keeps once in module-level state (a memo cache keyed on input): in a heap
 * snapshot taken after the test, the Maps, Sets and arrays held by a variable of one of the
 * project's modules whose newest entries hold at least the threshold. Pure: works on a parsed
 * snapshot, so its unit tests need no V8.
 *
 * Only a collection's entries count: a variable set once (a lazily built singleton, a table
 * built at load) holds its data directly, not in entries of a collection that existed before.
 */
import { isProjectFile } from '../core/stack';
import { scriptOf } from './retainers';
import { nodeCount, nodeId, nodeName, nodeType, selfSize, type HeapSnapshot, type PathTree } from './snapshot-parser';

/** A module-level collection that gained entries. */
export interface KeptHolder {
  /** The collection's heap snapshot node id. */
  id: number;
  /** The variable, then properties down to the collection: "cache", "lru.entries". */
  label: string;
  /** 'Map', 'Set' or 'Array'. */
  kind: string;
  /** Absolute path of the module whose variable holds it. */
  file: string;
  /** Entries counted as the test's. */
  entries: number;
  /** Bytes under those entries. */
  bytes: number;
}

export interface KeptOnceOptions {
  rootDir: string;
  /** The running test file: its own variables are the test's fixtures, not module state. */
  testFile: string;
  threshold: number;
  /**
   * The most the test can have kept (the heap window's bound): entries are counted from the
   * newest back while they fit in it, so older entries are never blamed on this test.
   */
  limit: number;
  /** Objects with an id up to this existed before (an earlier snapshot); null when unknown. */
  maxIdBefore: number | null;
  /** Entries of each holder (by object id) in that earlier snapshot: one that did not gain any replaced them (a full LRU). */
  entriesBefore?: ReadonlyMap<number, number>;
}

const COLLECTIONS = new Set(['Map', 'Set', 'Array']);
/**
 * Test files (Jest's default testMatch): their variables are fixtures. In band, a previous
 * file's environment can still be in the heap, its test file's Maps included.
 */
const TEST_FILE = /[\\/]__tests__[\\/]|\.(?:test|spec)\.[cm]?[jt]sx?$/;
/** Properties followed from a variable to a collection at most: `lru.entries`. */
const MAX_CHAIN = 2;
/** V8's own bookkeeping, never data of the program (snapshot-parser's INTERNAL_TYPES). */
const NOT_DATA = new Set(['code', 'hidden', 'synthetic', 'object shape', 'native']);

const enum Role {
  None,
  /** A project variable's value, or an object down a property chain from it. */
  Chain,
  /** A collection reached from a project variable. */
  Holder,
  /** A holder's hash table or elements store. */
  Store,
  /** Inside one entry of a holder. */
  Entry,
}

interface HolderInfo {
  node: number;
  label: string;
  kind: string;
  file: string;
  /** Store index (insertion order) → bytes. */
  entries: Map<number, number>;
  /** Every entry slot of the store, new or not. */
  slots: number[];
}

/** The module-level collections whose newest entries hold at least the threshold, biggest first. */
export function findKeptOnce(
  snapshot: HeapSnapshot,
  tree: PathTree,
  options: KeptOnceOptions,
  /** Filled with each holder's entry count, by object id, for the next snapshot's entriesBefore. */
  entriesNow: Map<number, number> = new Map(),
): KeptHolder[] {
  const count = nodeCount(snapshot);
  const role = new Uint8Array(count);
  /** Per node: its holder (index into holders) and, inside an entry, the entry's store index. */
  const holderOf = new Int32Array(count).fill(-1);
  const entryOf = new Int32Array(count).fill(-1);
  /** Chain objects: the variable and properties so far, and the module. */
  const chains = new Map<number, { label: string; file: string }>();
  const holders: HolderInfo[] = [];
  const contextFile = new Map<number, string | null>();

  /** A project variable's value, or a property down from it: a collection holds, an object continues the chain. */
  const reached = (node: number, label: string, file: string): void => {
    const kind = nodeType(snapshot, node) === 'object' ? nodeName(snapshot, node) : '';
    if (COLLECTIONS.has(kind)) {
      role[node] = Role.Holder;
      holderOf[node] = holders.length;
      holders.push({ node, label, kind, file, entries: new Map(), slots: [] });
    } else if (kind !== '' && kind !== 'system / Context') {
      role[node] = Role.Chain;
      chains.set(node, { label, file });
    }
  };
  const inEntry = (node: number, holder: number, index: number): void => {
    role[node] = Role.Entry;
    holderOf[node] = holder;
    entryOf[node] = index;
    if (NOT_DATA.has(nodeType(snapshot, node))) return;
    if (options.maxIdBefore !== null && nodeId(snapshot, node) <= options.maxIdBefore) return;
    const entries = holders[holder].entries;
    entries.set(index, (entries.get(index) ?? 0) + selfSize(snapshot, node));
  };

  for (const node of byDepth(tree, count)) {
    const parent = tree.parentNode[node];
    const edge = parentEdge(snapshot, tree, node);
    if (edge.type === 'context' && (role[parent] as Role) !== Role.Entry) {
      const file = fileOfContext(snapshot, tree, parent, contextFile);
      if (file && file !== options.testFile && !TEST_FILE.test(file) && isProjectFile(file, options.rootDir)) {
        reached(node, edge.name, file);
        continue;
      }
    }
    switch (role[parent] as Role) {
      case Role.Chain: {
        const chain = chains.get(parent)!;
        if (edge.type === 'property' && chain.label.split('.').length <= MAX_CHAIN) {
          reached(node, `${chain.label}.${edge.name}`, chain.file);
        }
        break;
      }
      case Role.Holder: {
        const isArray = holders[holderOf[parent]].kind === 'Array';
        // V8 names an array's elements from the array itself, not from its elements store.
        if (isArray && edge.type === 'element') {
          const index = entryIndex(edge.type, edge.name, 'Array')!;
          holders[holderOf[parent]].slots.push(index);
          inEntry(node, holderOf[parent], index);
          break;
        }
        const store = isArray ? 'elements' : 'table';
        if (edge.type === 'internal' && edge.name === store) {
          role[node] = Role.Store;
          holderOf[node] = holderOf[parent];
        }
        break;
      }
      case Role.Store: {
        const index = entryIndex(edge.type, edge.name, holders[holderOf[parent]].kind);
        if (index !== null) {
          holders[holderOf[parent]].slots.push(index);
          inEntry(node, holderOf[parent], index);
        }
        break;
      }
      case Role.Entry:
        inEntry(node, holderOf[parent], entryOf[parent]);
        break;
      default:
        break;
    }
  }

  const found: KeptHolder[] = [];
  for (const holder of holders) {
    const id = nodeId(snapshot, holder.node);
    const entries = newestEntries(new Map(holder.slots.map((slot) => [slot, 0])), holder.kind, Infinity).entries;
    entriesNow.set(id, entries);
    // A collection made since the last snapshot was set once, not grown.
    if (options.maxIdBefore !== null && id > options.maxIdBefore) continue;
    const before = options.entriesBefore?.get(id);
    if (before !== undefined && entries <= before) continue;
    const kept = newestEntries(holder.entries, holder.kind, options.limit);
    if (kept.bytes >= options.threshold) {
      found.push({ id, label: holder.label, kind: holder.kind, file: holder.file, entries: kept.entries, bytes: kept.bytes });
    }
  }
  return found.sort((a, b) => b.bytes - a.bytes);
}

/**
 * From the newest entry back (a Map's, a Set's and an array's store keeps insertion order),
 * the entries whose bytes still fit in `limit` together. A Map entry's key and value sit in
 * neighbouring slots: they count as one entry. Exported for its unit tests.
 */
export function newestEntries(bytesByIndex: Map<number, number>, kind: string, limit: number): { entries: number; bytes: number } {
  const indexes = [...bytesByIndex.keys()].sort((a, b) => b - a);
  let bytes = 0;
  let entries = 0;
  let previous = Infinity;
  for (const index of indexes) {
    const size = bytesByIndex.get(index)!;
    if (bytes + size > limit) break;
    bytes += size;
    const sameMapEntry = kind === 'Map' && index === previous - 1;
    if (!sameMapEntry) entries += 1;
    previous = sameMapEntry ? -Infinity : index;
  }
  return { entries, bytes };
}

/** A store's edge to an entry: a hash table's numbered slot, or an array element. */
function entryIndex(edgeType: string, edge: string, kind: string): number | null {
  if (kind === 'Array') return edgeType === 'element' ? Number(edge.replace(/[[\]]/g, '')) : null;
  return edgeType === 'internal' && /^\d+$/.test(edge) ? Number(edge) : null;
}

function parentEdge(snapshot: HeapSnapshot, tree: PathTree, node: number): { type: string; name: string } {
  const edge = tree.parentEdge[node];
  const type = snapshot.edgeTypes[snapshot.edges[edge + snapshot.e.type]];
  const nameOrIndex = snapshot.edges[edge + snapshot.e.nameOrIndex];
  const numbered = type === 'element' || type === 'hidden';
  return { type, name: numbered ? `[${nameOrIndex}]` : snapshot.strings[nameOrIndex] };
}

/** The file of the function whose scope a context is (the closure that leads to it), or null. */
function fileOfContext(snapshot: HeapSnapshot, tree: PathTree, context: number, memo: Map<number, string | null>): string | null {
  let file = memo.get(context);
  if (file === undefined) {
    let node = tree.parentNode[context];
    // A context can hang off an outer context ('previous'); the closure is further up.
    while (node > 0 && nodeType(snapshot, node) !== 'closure' && nodeName(snapshot, node) === 'system / Context') {
      node = tree.parentNode[node];
    }
    file = node > 0 && nodeType(snapshot, node) === 'closure' ? scriptOf(snapshot, node) : null;
    memo.set(context, file);
  }
  return file;
}

/** Reachable nodes, nearest the root first (the root left out): parents before children. */
function byDepth(tree: PathTree, count: number): Uint32Array {
  let maxDepth = 0;
  for (let node = 0; node < count; node++) maxDepth = Math.max(maxDepth, tree.depth[node]);
  const starts = new Uint32Array(maxDepth + 2);
  for (let node = 1; node < count; node++) if (tree.depth[node] > 0) starts[tree.depth[node] + 1] += 1;
  for (let depth = 1; depth < starts.length; depth++) starts[depth] += starts[depth - 1];
  const order = new Uint32Array(starts[maxDepth + 1]);
  for (let node = 1; node < count; node++) if (tree.depth[node] > 0) order[starts[tree.depth[node]]++] = node;
  return order;
}
