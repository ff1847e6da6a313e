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

import { SnapshotReader, type SnapshotParts } from './snapshot-reader';

export interface ScriptLocation {
  scriptId: number;
  /** 0-based, in the code V8 ran (transformed, for Jest). */
  line: number;
  column: number;
}

export interface HeapSnapshot {
  nodeFieldCount: number;
  edgeFieldCount: number;
  nodes: Uint32Array;
  edges: Uint32Array;
  strings: string[];
  nodeTypes: string[];
  edgeTypes: string[];
  /** Offsets of node fields and edge fields. */
  f: { type: number; name: number; id: number; selfSize: number; edgeCount: number };
  e: { type: number; nameOrIndex: number; toNode: number };
  /** Index into `edges` of each node's first edge (node ordinal → edge offset). */
  firstEdge: Uint32Array;
  /** Where a function was defined: node ordinal → its script and 0-based position (V8 writes it for closures). */
  locations: Map<number, ScriptLocation>;
}

interface RawSnapshot {
  snapshot: {
    meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]]; location_fields?: string[] };
  };
  strings: string[];
  locations?: number[];
}

/** A snapshot's text, whole (a file) or in chunks as it streams (heap-snapshot.ts). */
export function parseSnapshot(text: string | Buffer): HeapSnapshot {
  const reader = new SnapshotReader();
  reader.push(text);
  return snapshotOf(reader.result());
}

export function snapshotOf({ json, nodes, edges }: SnapshotParts): HeapSnapshot {
  const raw = json as RawSnapshot;
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
  const count = nodes.length / nodeFieldCount;
  const firstEdge = new Uint32Array(count + 1);
  for (let node = 0, edge = 0; node < count; node++) {
    firstEdge[node] = edge;
    edge += nodes[node * nodeFieldCount + f.edgeCount] * edgeFieldCount;
  }
  firstEdge[count] = edges.length;
  return {
    locations: readLocations(raw, nodeFieldCount),
    nodeFieldCount,
    edgeFieldCount,
    nodes,
    edges,
    strings: raw.strings,
    nodeTypes: meta.node_types[0],
    edgeTypes: meta.edge_types[0],
    f,
    e,
    firstEdge,
  };
}

/** Node ordinal → location, from the `locations` table (object_index is an offset into `nodes`). */
function readLocations(raw: RawSnapshot, nodeFieldCount: number): Map<number, ScriptLocation> {
  const locations = new Map<number, ScriptLocation>();
  const fields = raw.snapshot.meta.location_fields;
  if (!fields || !raw.locations) return locations;
  const [object, script, line, column] = ['object_index', 'script_id', 'line', 'column'].map((name) => fields.indexOf(name));
  for (let at = 0; at + fields.length <= raw.locations.length; at += fields.length) {
    locations.set(raw.locations[at + object] / nodeFieldCount, {
      scriptId: raw.locations[at + script],
      line: raw.locations[at + line],
      column: raw.locations[at + column],
    });
  }
  return locations;
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

/** Edges not to follow: `node` holds the edge, `name` is its name (numbers as text). */
export type EdgeFilter = (node: number, edgeType: string, name: string) => boolean;

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
export function shortestPaths(snapshot: HeapSnapshot, skip: EdgeFilter = () => false): PathTree {
  const count = nodeCount(snapshot);
  const parentEdge = new Int32Array(count).fill(-1);
  const parentNode = new Int32Array(count).fill(-1);
  const depth = new Int32Array(count).fill(-1);
  parentNode[0] = 0;
  depth[0] = 0;
  breadthFirst(
    snapshot,
    0,
    skip,
    (to) => depth[to] === -1,
    (from, to, edge) => {
      parentNode[to] = from;
      parentEdge[to] = edge;
      depth[to] = depth[from] + 1;
    },
  );
  return { parentNode, parentEdge, depth };
}

/**
 * Visits nodes breadth-first from `start` over strong edges that `skip` does not reject,
 * entering each node `open` still allows; `visit` records it.
 */
function breadthFirst(
  snapshot: HeapSnapshot,
  start: number,
  skip: EdgeFilter,
  open: (node: number) => boolean,
  visit: (from: number, to: number, edge: number) => void,
): void {
  const { edges, edgeFieldCount: ef, nodeFieldCount: nf, e } = snapshot;
  const queue = new Uint32Array(nodeCount(snapshot));
  let head = 0;
  let tail = 0;
  queue[tail++] = start;
  const weak = snapshot.edgeTypes.indexOf('weak');
  while (head < tail) {
    const node = queue[head++];
    for (let edge = snapshot.firstEdge[node]; edge < snapshot.firstEdge[node + 1]; edge += ef) {
      const type = edges[edge + e.type];
      if (type === weak) continue;
      const to = edges[edge + e.toNode] / nf;
      if (!open(to) || skip(node, snapshot.edgeTypes[type], edgeName(snapshot, edge))) continue;
      visit(node, to, edge);
      queue[tail++] = to;
    }
  }
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

/**
 * Nodes reachable from `start` over strong edges, not entering `blocked` ones (1 = blocked),
 * leaving out the edges `skip` rejects: 1 for each node reached.
 */
export function reachable(snapshot: HeapSnapshot, start: number, blocked: Uint8Array | null, skip: EdgeFilter): Uint8Array {
  const seen = new Uint8Array(nodeCount(snapshot));
  seen[start] = 1;
  breadthFirst(
    snapshot,
    start,
    skip,
    (to) => seen[to] === 0 && blocked?.[to] !== 1,
    (_from, to) => (seen[to] = 1),
  );
  return seen;
}

/** An edge's name, element and hidden indexes as text. */
function edgeName(snapshot: HeapSnapshot, edge: number): string {
  const type = snapshot.edgeTypes[snapshot.edges[edge + snapshot.e.type]];
  const nameOrIndex = snapshot.edges[edge + snapshot.e.nameOrIndex];
  return type === 'element' || type === 'hidden' ? String(nameOrIndex) : snapshot.strings[nameOrIndex];
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
