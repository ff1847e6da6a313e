/**
 * What keeps a finished test file's global object alive, read from one heap snapshot: the
 * shortest strong path from a GC root to it, the first function of the project's (or of a
 * library's) on that path, which is the holder to let go of, the line defining it, and how
 * much memory only that holder keeps.
 *
 * The global is found by a marker property set on it just before the snapshot (see
 * retained-contexts.ts): a vm context's global has no name of its own in a snapshot.
 */
import * as path from 'node:path';
import { isInside, isProjectFile } from '../core/stack';
import { displayPath, edgeLabel, nodeLabel, scriptOf } from './retainers';
import {
  follow,
  nodeCount,
  nodeName,
  nodeType,
  pathTo,
  reachable,
  selfSize,
  shortestPaths,
  type EdgeFilter,
  type HeapSnapshot,
  type PathTree,
  type RetainerStep,
  type ScriptLocation,
} from './snapshot-parser';

export interface ContextHolder {
  /** How the holder is reached, e.g. "require('node:http') → .get (function patchedGet)". */
  path: string;
  /** "function patchedGet". */
  holder: string;
  /** "src/patch.js:4": where the holder function is defined, or null when V8 gave no line. */
  site: string | null;
  /** The same place in the code V8 ran, to map back through a source map (see retained-contexts.ts). */
  definedAt: (ScriptLocation & { file: string }) | null;
  /** Bytes that only the holder keeps alive: freed once it is let go. */
  bytes: number;
  /** The holder is the project's own code; else a library's, under node_modules. */
  projectCode: boolean;
}

/** Roots that hold objects only while some code runs, or V8's own bookkeeping. */
const TRANSIENT_ROOTS = new Set(['(Global handles)', '(Handle scope)', '(Stack roots)']);

/** Steps shown before the holder at most. */
const STEPS_BEFORE_HOLDER = 3;
/** Jest's and its helpers' own packages: a holder there is not the test file's doing. */
const TOOLING =
  /[\\/]node_modules[\\/](?:jest[^\\/]*|@jest[\\/][^\\/]+|expect|jest-environment-leakwatch|babel-jest|ts-jest|@swc[\\/]jest|source-map-support)[\\/]/;

/** Why a global is alive: a holder, another retained global it hangs from, or nothing found. */
export type HolderFinding =
  | { kind: 'held'; holder: ContextHolder }
  /** Reached only through another marked global: freed once that one is. */
  | { kind: 'through'; marker: string }
  /** No strong path, or none through code of the project or its libraries (Jest's own, say). */
  | { kind: 'unknown' };

/**
 * For each wanted marker property name, why the global object carrying it is alive. Bytes
 * are shared out in the markers' order: what two holders both keep counts for the first.
 */
export function findContextHolders(
  snapshot: HeapSnapshot,
  markers: string[],
  rootDir: string,
  /** The markers to explain; the others only mark realms not to pass through. Default: all. */
  wanted: ReadonlySet<string> = new Set(markers),
): Map<string, HolderFinding> {
  const carriers = markerCarriers(snapshot, new Set(markers));
  const markerAt = new Map<number, number>();
  markers.forEach((marker, index) => {
    for (const node of carriers.get(marker) ?? []) markerAt.set(node, index);
  });
  const realm = functionRealms(snapshot, markerAt);
  const skip = retainingEdges(snapshot);
  const found = new Map<string, HolderFinding>();
  const holders: Array<{ marker: string; ordinal: number; holder: ContextHolder }> = [];
  let anyPath: PathTree | null = null;
  markers.forEach((marker, index) => {
    if (!wanted.has(marker)) return;
    if (!carriers.get(marker)?.length) {
      // Freed since it was marked: a path search over the whole snapshot would find nothing.
      found.set(marker, { kind: 'unknown' });
      return;
    }
    // Another test file's realm (its global, its functions) can reach this one through Jest's
    // own modules: a path through it is that file's doing, not a holder of this one.
    const foreign = (node: number): boolean => (markerAt.get(node) ?? index) !== index || (realm[node] !== -1 && realm[node] !== index);
    const steps = pathToCarrier(
      snapshot,
      shortestPaths(snapshot, (node, type, name) => foreign(node) || skip(node, type, name)),
      carriers.get(marker),
    );
    if (!steps) {
      anyPath ??= shortestPaths(snapshot, skip);
      const via = pathToCarrier(snapshot, anyPath, carriers.get(marker))?.find((step) => foreign(step.ordinal));
      const owner = via === undefined ? undefined : (markerAt.get(via.ordinal) ?? realm[via.ordinal]);
      found.set(marker, owner === undefined ? { kind: 'unknown' } : { kind: 'through', marker: markers[owner] });
      return;
    }
    const described = describeHolder(snapshot, steps, rootDir);
    if (!described) {
      found.set(marker, { kind: 'unknown' });
      return;
    }
    holders.push({ marker, ...described });
    found.set(marker, { kind: 'held', holder: described.holder });
  });
  const bytes = retainedBytes(
    snapshot,
    holders.map((h) => h.ordinal),
    [...markerAt.keys()],
    (node, type, name) => realm[node] !== -1 || skip(node, type, name),
    skip,
  );
  holders.forEach((h, index) => (h.holder.bytes = bytes[index]));
  return found;
}

/**
 * Edges that do not keep a vm context alive, though a snapshot shows them as strong: Node's
 * cleanup queue and its ContextifyContext wrapper (freed with the context), a WeakMap's
 * entries (strong only while the map itself is), V8's global handles and identity maps, the
 * handles and stack frames of code running while the snapshot is taken, and a function's own compiler data
 * (feedback, bytecode constants).
 */
export function retainingEdges(snapshot: HeapSnapshot): EdgeFilter {
  return (node, edgeType, name) => {
    if (edgeType === 'internal' && name.includes(' / part of key (')) return true;
    // V8's identity maps (object ids for the snapshot being taken, the debugger): bookkeeping.
    if (edgeType === 'internal' && name.endsWith(' / IdentityMapBase')) return true;
    const type = nodeType(snapshot, node);
    if (type === 'synthetic') return TRANSIENT_ROOTS.has(nodeName(snapshot, node));
    if (type === 'native') {
      const native = nodeName(snapshot, node);
      return native === 'Node / CleanupQueue' || native === 'Node / ContextifyContext';
    }
    if (type === 'closure') return edgeType === 'hidden' || (edgeType === 'internal' && name !== 'context');
    return false;
  };
}

/** The shortest path in `tree` to the nearest of `nodes`, or null. */
function pathToCarrier(snapshot: HeapSnapshot, tree: PathTree, nodes: number[] = []): RetainerStep[] | null {
  const reached = nodes.filter((node) => tree.depth[node] !== -1).sort((a, b) => tree.depth[a] - tree.depth[b]);
  return reached.length > 0 ? pathTo(snapshot, tree, reached[0]) : null;
}

/**
 * For each function (closure) node, the index of the marked global whose realm it was made
 * in, or -1: its scope chain ends at a native context whose global carries that marker.
 */
function functionRealms(snapshot: HeapSnapshot, markerAt: Map<number, number>): Int32Array {
  const count = nodeCount(snapshot);
  const realmOfContext = new Map<number, number>();
  const { edges, edgeFieldCount: ef, e, nodeFieldCount: nf } = snapshot;
  for (let node = 0; node < count; node++) {
    if (nodeName(snapshot, node) !== 'system / NativeContext') continue;
    for (let edge = snapshot.firstEdge[node]; edge < snapshot.firstEdge[node + 1]; edge += ef) {
      const index = markerAt.get(edges[edge + e.toNode] / nf);
      if (index !== undefined) realmOfContext.set(node, index);
    }
  }
  const realm = new Int32Array(count).fill(-1);
  if (realmOfContext.size === 0) return realm;
  for (let node = 0; node < count; node++) {
    if (nodeType(snapshot, node) !== 'closure') continue;
    let context = follow(snapshot, node, 'context');
    for (let depth = 0; context >= 0 && depth < MAX_SCOPE_DEPTH; depth++) {
      const index = realmOfContext.get(context);
      if (index !== undefined) {
        realm[node] = index;
        break;
      }
      context = follow(snapshot, context, 'previous');
    }
  }
  return realm;
}

/** Scopes followed outwards at most, looking for a function's native context. */
const MAX_SCOPE_DEPTH = 64;

/** Marker name → the nodes holding a property of that name (a proxied global shows twice). */
function markerCarriers(snapshot: HeapSnapshot, markers: Set<string>): Map<string, number[]> {
  const carriers = new Map<string, number[]>();
  const { edges, edgeFieldCount: ef, e } = snapshot;
  const property = snapshot.edgeTypes.indexOf('property');
  for (let node = 0; node < nodeCount(snapshot); node++) {
    for (let edge = snapshot.firstEdge[node]; edge < snapshot.firstEdge[node + 1]; edge += ef) {
      if (edges[edge + e.type] !== property) continue;
      const name = snapshot.strings[edges[edge + e.nameOrIndex]];
      if (!markers.has(name)) continue;
      carriers.set(name, [...(carriers.get(name) ?? []), node]);
    }
  }
  return carriers;
}

function describeHolder(snapshot: HeapSnapshot, steps: RetainerStep[], rootDir: string): { ordinal: number; holder: ContextHolder } | null {
  const found = findHolder(snapshot, steps, rootDir);
  if (!found) return null;
  const { index, file, projectCode } = found;
  const ordinal = steps[index].ordinal;
  const location = snapshot.locations.get(ordinal);
  const holder: ContextHolder = {
    path: readableHolderPath(snapshot, steps, index),
    holder: nodeLabel(steps[index]) ?? 'function',
    site: location ? `${displayPath(file, rootDir)}:${location.line + 1}` : null,
    definedAt: location ? { ...location, file } : null,
    bytes: 0,
    projectCode,
  };
  return { ordinal, holder };
}

/** The first function of the project's on the path; else the first of a library's. */
function findHolder(
  snapshot: HeapSnapshot,
  steps: RetainerStep[],
  rootDir: string,
): { index: number; file: string; projectCode: boolean } | null {
  let library: { index: number; file: string; projectCode: boolean } | null = null;
  for (let index = 0; index < steps.length; index++) {
    if (steps[index].nodeType !== 'closure') continue;
    const file = scriptOf(snapshot, steps[index].ordinal);
    if (!file) continue;
    if (isProjectFile(file, rootDir)) return { index, file, projectCode: true };
    if (!library && isInside(file, rootDir) && !TOOLING.test(file) && isInside(file, path.join(rootDir, 'node_modules'))) {
      library = { index, file, projectCode: false };
    }
  }
  return library;
}

/** A few steps before the holder, and the holder: "Socket → ._events → .resize (function onResize)". */
function readableHolderPath(snapshot: HeapSnapshot, steps: RetainerStep[], holderIndex: number): string {
  const parts: string[] = [];
  // A Node built-in module's exports read as the require call that returns them, however the
  // path reaches them: through Node's module record, or (Node 24) a closure of Node's own
  // code that refers to the module ("onAltSvc → http → .get").
  const exportsOf = builtinExports(snapshot);
  let builtin = -1;
  for (let index = Math.max(0, holderIndex - STEPS_BEFORE_HOLDER - 1); index < holderIndex; index++)
    if (exportsOf.has(steps[index].ordinal)) builtin = index;
  let start: number;
  if (builtin >= 0) {
    parts.push(`require('node:${exportsOf.get(steps[builtin].ordinal)}')`);
    start = builtin + 1;
  } else {
    // From the first JS object of the last few steps: Node's native wrappers and their
    // symbol-keyed links mean nothing to a reader.
    start = Math.max(0, holderIndex - STEPS_BEFORE_HOLDER);
    while (start < holderIndex && (!READABLE_TYPES.has(steps[start].nodeType) || steps[start + 1].edge.startsWith('<symbol'))) start += 1;
    if (start < holderIndex) {
      // A scope reads as its variable, the next step ("stdout (SyncWriteStream)").
      if (steps[start].node !== 'system / Context') parts.push(steps[start].node || steps[start].nodeType);
      start += 1;
    }
  }
  for (const step of steps.slice(start, holderIndex + 1)) {
    const label = edgeLabel(step);
    if (label === null) continue;
    const node = nodeLabel(step);
    parts.push(node && node !== 'Object' ? `${label} (${node})` : label);
  }
  return parts.join(' → ');
}

const builtinExportsCache = new WeakMap<HeapSnapshot, Map<number, string>>();

/** Each Node built-in module's exports object, by node, with the module's name ("http"). */
function builtinExports(snapshot: HeapSnapshot): Map<number, string> {
  let found = builtinExportsCache.get(snapshot);
  if (found) return found;
  found = new Map();
  for (let node = 0; node < nodeCount(snapshot); node++) {
    if (nodeName(snapshot, node) !== 'BuiltinModule' || nodeType(snapshot, node) !== 'object') continue;
    const exports = follow(snapshot, node, 'exports');
    const id = follow(snapshot, node, 'id');
    if (exports >= 0 && id >= 0) found.set(exports, nodeName(snapshot, id));
  }
  builtinExportsCache.set(snapshot, found);
  return found;
}

const READABLE_TYPES = new Set(['object', 'closure', 'array']);

/**
 * For each holder, the bytes reachable from it and from no root without passing through one
 * of the holders or of the marked realms (`skipElsewhere`: one test file's realm can reach an
 * earlier one's through Jest's modules); what several holders reach counts for the first.
 */
function retainedBytes(
  snapshot: HeapSnapshot,
  holders: number[],
  globals: number[],
  skipElsewhere: EdgeFilter,
  skip: EdgeFilter,
): number[] {
  const blocked = new Uint8Array(nodeCount(snapshot));
  for (const node of [...holders, ...globals]) blocked[node] = 1;
  const counted = reachable(snapshot, 0, blocked, skipElsewhere);
  return holders.map((holder) => {
    const only = reachable(snapshot, holder, counted, skip);
    let bytes = 0;
    for (let node = 0; node < only.length; node++) {
      if (only[node] !== 1) continue;
      bytes += selfSize(snapshot, node);
      counted[node] = 1;
    }
    return bytes;
  });
}
