/**
 * What holds a confirmed heap leak: a heap snapshot after one more run of the test, the
 * objects that run added (ids newer than before it) (grouped by kind, biggest first) and, for the biggest groups, the
 * shortest strong path from a GC root, in terms a person reads: the variable and the file
 * it lives in, then properties and elements down to the objects.
 */
import * as path from 'node:path';
import { formatBytes } from '../core/units';
import { isProjectFile, toFilePath } from '../core/stack';
import {
  follow,
  newObjects,
  nodeName,
  nodeType,
  pathTo,
  selfSize,
  shortestPaths,
  type HeapSnapshot,
  type RetainerStep,
} from './snapshot-parser';

/** Groups smaller than this share of what the run added are not explained. */
const MIN_SHARE = 0.1;
const MAX_GROUPS = 2;
/** Steps of a path shown at most. */
const MAX_STEPS = 8;
/** Members of a group whose paths are tried nearest a root first, and again as many spread over the rest. */
const MAX_CANDIDATES = 25;

/**
 * Lines for the failure message from the last object id before one more run and a snapshot
 * after it: e.g. "~1.0 MB in 4 × (object elements): __tests__/cache.test.js: kept (Array) → [4] (Array) → elements".
 */
export function describeRetainers(maxBefore: number, after: HeapSnapshot, rootDir: string): string[] {
  const groups = newObjects(after, maxBefore);
  const total = groups.reduce((sum, group) => sum + group.bytes, 0);
  // V8's and Node's own strong handles (the last thrown error, a pending rejection) reach
  // objects by a shorter path than the variable that keeps them.
  // A function's own V8 data (feedback, bytecode constants: its 'hidden' and internal edges
  // other than its scope) holds objects it saw once; that explains nothing either (on Node 22
  // a record was reached through nextTick's feedback before its Map).
  const tree = shortestPaths(after, (node, edgeType, name) => notRetaining(after, node, edgeType, name));
  const lines: string[] = [];
  for (const group of groups.filter((g) => g.bytes >= total * MIN_SHARE).slice(0, MAX_GROUPS * 2)) {
    // Among the group's big members (at least half the largest), those nearest a root first:
    // in a linked list of 3,000 nodes, the head, not the tail. The first whose path starts at
    // a variable of the project explains the group; a new object of the same kind held by
    // Jest (its globals bookkeeping, say) does not.
    // When none of them is (a few bigger strays of the kind, made by Node or leakwatch), the
    // rest of the group, likewise.
    const big = selfSize(after, group.largest) / 2;
    const bigMembers = group.members.filter((member) => selfSize(after, member) >= big);
    let shown = bigMembers;
    let held = heldBy(after, tree, bigMembers, rootDir);
    if (held === null && bigMembers.length < group.members.length) {
      shown = group.members.filter((member) => selfSize(after, member) < big);
      held = heldBy(after, tree, shown, rootDir);
    }
    if (held === null) continue;
    // The members explained only: how many small strays of the same kind V8 made varies run to run.
    lines.push(`~${formatBytes(group.bytes)} in ${shown.length} × ${group.kind}: ${held}`);
    if (lines.length === MAX_GROUPS) break;
  }
  return lines;
}

/**
 * The readable path to the first of `members` that starts at a variable of the project, else
 * at a property of the global object: the MAX_CANDIDATES nearest a root first, then as many
 * spread over the rest. A group's members nearest a root can all be strays of the same kind
 * that Jest or Node made during the run (seen in CI: 32,768 leaked records and strings went
 * unexplained behind them), some of them under a global (on Node 22 and 24, 'gc' entries
 * held for a PerformanceObserver, reached from `globalThis.PerformanceObserverEntryList`).
 */
function heldBy(snapshot: HeapSnapshot, tree: ReturnType<typeof shortestPaths>, members: number[], rootDir: string): string | null {
  const reached = members.filter((member) => tree.depth[member] !== -1).sort((a, b) => tree.depth[a] - tree.depth[b]);
  let global: string | null = null;
  for (const candidate of candidatesOf(reached)) {
    const steps = pathTo(snapshot, tree, candidate);
    const readable = steps ? readablePath(snapshot, steps, rootDir) : null;
    if (!readable?.includes(': ')) continue;
    if (!readable.startsWith(GLOBAL_PREFIX)) return readable;
    global ??= readable;
  }
  return global;
}

const GLOBAL_PREFIX = 'globalThis: ';

/** The first MAX_CANDIDATES of `sorted`, then MAX_CANDIDATES evenly spaced over the rest. Exported for its unit tests. */
export function candidatesOf<T>(sorted: readonly T[]): T[] {
  const nearest = sorted.slice(0, MAX_CANDIDATES);
  const rest = sorted.slice(MAX_CANDIDATES);
  const step = Math.max(1, rest.length / MAX_CANDIDATES);
  const spread: T[] = [];
  for (let index = 0; index < rest.length && spread.length < MAX_CANDIDATES; index += step) spread.push(rest[Math.floor(index)]);
  return [...nearest, ...spread];
}

/** Edges that explain nothing about who holds an object (see describeRetainers). */
function notRetaining(snapshot: HeapSnapshot, node: number, edgeType: string, name: string): boolean {
  const type = nodeType(snapshot, node);
  if (type === 'synthetic') return nodeName(snapshot, node) === '(Global handles)';
  if (type === 'closure') return edgeType === 'hidden' || (edgeType === 'internal' && name !== 'context');
  return false;
}

/**
 * From the outermost variable on the path (a module's or closure's scope), or a property of
 * the global object, down to the object. What comes before (Jest's and Node's own holders) is
 * the same for every test and left out.
 */
export function readablePath(snapshot: HeapSnapshot, steps: RetainerStep[], rootDir: string): string {
  // The first variable held by one of the project's functions (Jest's and leakwatch's own
  // closures come before it on most paths, and explain nothing).
  let start = -1;
  let where = '';
  for (let index = 0; index < steps.length && start < 0; index++) {
    if (steps[index].edgeType !== 'context') continue;
    const file = scriptOfScope(snapshot, steps, index);
    if (file && isProjectFile(file, rootDir)) {
      start = index;
      where = displayPath(file, rootDir);
    }
  }
  if (start < 0) ({ start, where } = moduleExportsStart(snapshot, steps, rootDir));
  if (start < 0) {
    start = steps.findIndex((step, index) => step.edgeType === 'property' && index > 0 && steps[index - 1].node === 'global');
    if (start >= 0) where = GLOBAL_PREFIX.slice(0, -2);
    else start = Math.max(0, steps.length - 5);
  }
  const parts: string[] = [];
  steps.slice(start).forEach((step) => {
    const label = edgeLabel(step);
    if (label === null) return;
    const node = nodeLabel(step);
    parts.push(node ? `${label} (${node})` : label);
  });
  // Long chains (a linked list, a DOM tree) keep their two ends.
  const shown =
    parts.length > MAX_STEPS ? [...parts.slice(0, MAX_STEPS - 3), `… ${parts.length - MAX_STEPS + 1} more …`, ...parts.slice(-2)] : parts;
  return `${where ? `${where}: ` : ''}${shown.join(' → ')}`;
}

/**
 * Where a path enters a project module's `exports` from its module object (Jest's registry
 * holds each file's): `export const cache = new Map()` compiled to CommonJS is held there,
 * by a shorter path than any function's scope. The module object's `filename` names the file.
 */
function moduleExportsStart(snapshot: HeapSnapshot, steps: RetainerStep[], rootDir: string): { start: number; where: string } {
  for (let index = 1; index < steps.length; index++) {
    if (steps[index].edgeType !== 'property' || steps[index].edge !== 'exports') continue;
    const filename = follow(snapshot, steps[index - 1].ordinal, 'filename');
    const file = filename >= 0 && nodeType(snapshot, filename) === 'string' ? nodeName(snapshot, filename) : '';
    if (path.isAbsolute(file) && isProjectFile(file, rootDir)) return { start: index, where: displayPath(file, rootDir) };
  }
  return { start: -1, where: '' };
}

export function edgeLabel(step: RetainerStep): string | null {
  switch (step.edgeType) {
    case 'context':
      return step.edge;
    case 'property':
      return `.${step.edge}`;
    case 'element':
      return step.edge;
    case 'internal':
      if (step.edge === 'elements') return 'elements';
      if (step.edge === 'table') return 'entries';
      if (/^\d+$/.test(step.edge)) return 'entry';
      return null;
    case 'shortcut':
      return null;
    default:
      return step.edge;
  }
}

export function nodeLabel(step: RetainerStep): string | null {
  if (step.nodeType === 'closure') return step.node ? `function ${step.node}` : 'function';
  if (step.nodeType === 'object') return step.node === 'system / Context' ? null : step.node;
  if (step.nodeType === 'array') return step.node === '(object elements)' ? null : 'array';
  if (step.nodeType === 'string' || step.nodeType === 'concatenated string') return 'string';
  return null;
}

/**
 * The file of the function whose scope holds the variable at steps[index]: the function before
 * the context. A native ES module's top-level scope is held by its evaluation generator (reached
 * from the module record, with no closure on the path), whose `function` is the module's own.
 */
function scriptOfScope(snapshot: HeapSnapshot, steps: RetainerStep[], index: number): string | null {
  const holder = index >= 2 && steps[index - 1].edge === 'context' ? steps[index - 2] : null;
  if (holder && holder.nodeType !== 'closure') {
    const fn = follow(snapshot, holder.ordinal, 'function');
    if (fn >= 0 && nodeType(snapshot, fn) === 'closure') return scriptOf(snapshot, fn);
  }
  const fn = [...steps.slice(0, index)].reverse().find((step) => step.nodeType === 'closure');
  return fn ? scriptOf(snapshot, fn.ordinal) : null;
}

export function displayPath(file: string, rootDir: string): string {
  const relative = path.relative(rootDir, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
}

/** The file a function was compiled from (closure → SharedFunctionInfo → Script), or null. */
export function scriptOf(snapshot: HeapSnapshot, closure: number): string | null {
  const shared = follow(snapshot, closure, 'shared');
  const script = shared < 0 ? -1 : Math.max(follow(snapshot, shared, 'script_or_debug_info'), follow(snapshot, shared, 'script'));
  const file = script < 0 ? '' : toFilePath(nodeName(snapshot, script));
  return file && path.isAbsolute(file) ? file : null;
}
