/**
 * A small reader of V8 heap snapshots (the .heapsnapshot JSON): what a pair of snapshots
 * around one run of a test shows as new, and a short path from a GC root to it.
 * Not @memlab/core: it depends on puppeteer (a Chrome download at install) and xvfb, too
 * much for a test environment; these ~200 lines do the two things leakwatch needs.
 *
 * Object ids persist across snapshots of one process (V8 tracks moves once a snapshot has
 * been taken) and are handed out in increasing order, so objects that appeared after the
 * first snapshot are those with an id above its largest.
 */

export interface HeapSnapshot {
  nodeFieldCount: number;
  edgeFieldCount: number;
  nodes: Uint32Array | number[];
  edges: Uint32Array | number[];
  strings: string[];
  nodeTypes: string[];
  edgeTypes: string[];
  /** Offsets of node fields and edge fields. */
  f: { type: number; name: number; id: number; selfSize: number; edgeCount: number };
  e: { type: number; nameOrIndex: number; toNode: number };
  /** Index into `edges` of each node's first edge (node ordinal → edge offset). */
  firstEdge: Uint32Array;
}

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export function parseSnapshot(text: string): HeapSnapshot {
  const raw = JSON.parse(text) as RawSnapshot;
  const meta = raw.snapshot.meta;
  const nodeFieldCount = meta.node_fields.length;
  const edgeFieldCount = meta.edge_fields.length;
  const f = {
    type: meta.node_fields.indexOf('type'),
    name: meta.node_fields.indexOf('name'),
    id: meta.node_fields.indexOf('id'),
    selfSize: meta.node_fields.indexOf('self_size'),
    edgeCount: meta.node_fields.indexOf('edge_count'),
  };
  const e = {
    type: meta.edge_fields.indexOf('type'),
    nameOrIndex: meta.edge_fields.indexOf('name_or_index'),
    toNode: meta.edge_fields.indexOf('to_node'),
  };
  const count = raw.nodes.length / nodeFieldCount;
  const firstEdge = new Uint32Array(count + 1);
  for (let node = 0, edge = 0; node < count; node++) {
    firstEdge[node] = edge;
    edge += raw.nodes[node * nodeFieldCount + f.edgeCount] * edgeFieldCount;
  }
  firstEdge[count] = raw.edges.length;
  return {
    nodeFieldCount,
    edgeFieldCount,
    nodes: Uint32Array.from(raw.nodes),
    edges: Uint32Array.from(raw.edges),
    strings: raw.strings,
    nodeTypes: meta.node_types[0],
    edgeTypes: meta.edge_types[0],
    f,
    e,
    firstEdge,
  };
}

export function nodeCount(snapshot: HeapSnapshot): number {
  return snapshot.nodes.length / snapshot.nodeFieldCount;
}

export function nodeType(snapshot: HeapSnapshot, node: number): string {
  return snapshot.nodeTypes[snapshot.nodes[node * snapshot.nodeFieldCount + snapshot.f.type]];
}

export function nodeName(snapshot: HeapSnapshot, node: number): string {
  return snapshot.strings[snapshot.nodes[node * snapshot.nodeFieldCount + snapshot.f.name]];
}

export function nodeId(snapshot: HeapSnapshot, node: number): number {
  return snapshot.nodes[node * snapshot.nodeFieldCount + snapshot.f.id];
}

export function selfSize(snapshot: HeapSnapshot, node: number): number {
  return snapshot.nodes[node * snapshot.nodeFieldCount + snapshot.f.selfSize];
}

/** Types of V8's own bookkeeping, never what a test's code made. */
const INTERNAL_TYPES = new Set(['code', 'hidden', 'synthetic', 'object shape', 'native']);

/** The largest id of a JS object in the snapshot (embedder nodes get fresh ids every time). */
export function maxObjectId(snapshot: HeapSnapshot): number {
  let max = 0;
  for (let node = 0; node < nodeCount(snapshot); node++) {
    const type = nodeType(snapshot, node);
    if (type === 'native' || type === 'synthetic') continue;
    max = Math.max(max, nodeId(snapshot, node));
  }
  return max;
}

export interface NewObjects {
  /** "Array", "Object", "(object elements)", "string", …: what the group's objects are. */
  kind: string;
  count: number;
  bytes: number;
  /** The group's largest object (node ordinal in the later snapshot). */
  largest: number;
  /** Every object of the group (node ordinals). */
  members: number[];
}

/** Objects in `after` newer than `maxIdBefore`, grouped by type and constructor, biggest first. */
export function newObjects(after: HeapSnapshot, maxIdBefore: number): NewObjects[] {
  const groups = new Map<string, NewObjects>();
  for (let node = 0; node < nodeCount(after); node++) {
    if (nodeId(after, node) <= maxIdBefore) continue;
    const type = nodeType(after, node);
    if (INTERNAL_TYPES.has(type)) continue;
    const kind = type === 'object' || type === 'closure' || type === 'array' ? nodeName(after, node) || type : type;
    const size = selfSize(after, node);
    const group = groups.get(kind) ?? { kind, count: 0, bytes: 0, largest: node, members: [] };
    group.count += 1;
    group.members.push(node);
    group.bytes += size;
    if (size > selfSize(after, group.largest)) group.largest = node;
    groups.set(kind, group);
  }
  return [...groups.values()].sort((a, b) => b.bytes - a.bytes);
}

export interface RetainerStep {
  /** How the previous step holds this one: a variable, property or element name. */
  edge: string;
  edgeType: string;
  /** What this step is: "Array", "Map", "system / Context", "(closure) onData", … */
  node: string;
  nodeType: string;
  /** Node ordinal in the snapshot. */
  ordinal: number;
}

/** Shortest strong paths from the snapshot's root to every node (breadth-first). */
export interface PathTree {
  parentNode: Int32Array;
  parentEdge: Int32Array;
  /** Steps from the root; -1 where no strong path reaches. */
  depth: Int32Array;
}

/**
 * Breadth-first from the root over strong edges (weak edges do not retain), leaving out the
 * edges `skip` rejects.
 */
export function shortestPaths(
  snapshot: HeapSnapshot,
  /** Edges not to follow: `node` holds the edge, `name` is its name (numbers as text). */
  skip: (node: number, edgeType: string, name: string) => boolean = () => false,
): PathTree {
  const count = nodeCount(snapshot);
  const { edges, edgeFieldCount: ef, nodeFieldCount: nf, e } = snapshot;
  const parentEdge = new Int32Array(count).fill(-1);
  const parentNode = new Int32Array(count).fill(-1);
  const depth = new Int32Array(count).fill(-1);
  parentNode[0] = 0;
  depth[0] = 0;
  const queue = new Uint32Array(count);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  const weak = snapshot.edgeTypes.indexOf('weak');
  while (head < tail) {
    const node = queue[head++];
    for (let edge = snapshot.firstEdge[node]; edge < snapshot.firstEdge[node + 1]; edge += ef) {
      const type = edges[edge + e.type];
      if (type === weak) continue;
      const to = edges[edge + e.toNode] / nf;
      if (depth[to] !== -1) continue;
      const typeName = snapshot.edgeTypes[type];
      const numbered = typeName === 'element' || typeName === 'hidden';
      if (skip(node, typeName, numbered ? String(edges[edge + e.nameOrIndex]) : snapshot.strings[edges[edge + e.nameOrIndex]])) continue;
      parentNode[to] = node;
      parentEdge[to] = edge;
      depth[to] = depth[node] + 1;
      queue[tail++] = to;
    }
  }
  return { parentNode, parentEdge, depth };
}

/** The steps from the root to `target` in `tree`, or null when nothing strong reaches it. */
export function pathTo(snapshot: HeapSnapshot, tree: PathTree, target: number): RetainerStep[] | null {
  if (tree.depth[target] === -1) return null;
  const { edges, e } = snapshot;
  const steps: RetainerStep[] = [];
  for (let node = target; node !== 0; node = tree.parentNode[node]) {
    const edge = tree.parentEdge[node];
    const edgeType = snapshot.edgeTypes[edges[edge + e.type]];
    const nameOrIndex = edges[edge + e.nameOrIndex];
    const numbered = edgeType === 'element' || edgeType === 'hidden';
    steps.unshift({
      edge: numbered ? `[${nameOrIndex}]` : snapshot.strings[nameOrIndex],
      edgeType,
      node: nodeName(snapshot, node),
      nodeType: nodeType(snapshot, node),
      ordinal: node,
    });
  }
  return steps;
}

/** Where an edge named `name` of `node` leads (node ordinal), or -1. */
export function follow(snapshot: HeapSnapshot, node: number, name: string): number {
  const { edges, edgeFieldCount: ef, e } = snapshot;
  for (let edge = snapshot.firstEdge[node]; edge < snapshot.firstEdge[node + 1]; edge += ef) {
    const type = snapshot.edgeTypes[edges[edge + e.type]];
    if (type === 'element' || type === 'hidden') continue;
    if (snapshot.strings[edges[edge + e.nameOrIndex]] === name) return edges[edge + e.toNode] / snapshot.nodeFieldCount;
  }
  return -1;
}
