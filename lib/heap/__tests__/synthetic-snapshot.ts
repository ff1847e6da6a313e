/**
 * A tiny .heapsnapshot, written by hand in V8's format: meta naming the node and edge fields
 * and types, then flat arrays of numbers, with names as indexes into `strings`.
 */

const NODE_TYPES = [
  'hidden',
  'array',
  'string',
  'object',
  'code',
  'closure',
  'regexp',
  'number',
  'native',
  'synthetic',
  'concatenated string',
  'sliced string',
  'symbol',
  'bigint',
  'object shape',
];
const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];
/** The fields V8 writes for each node, in its order. */
export const V8_NODE_FIELDS = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];

interface Node {
  type: string;
  name: string;
  id: number;
  selfSize: number;
  edges: Array<{ type: string; nameOrIndex: string | number; to: number }>;
}

export class SnapshotBuilder {
  private readonly nodes: Node[] = [];
  private readonly strings: string[] = [];
  private readonly locations: number[][] = [];

  /** `nodeFields`: the same fields in another order, to check that readers go by their names. */
  constructor(private readonly nodeFields: string[] = V8_NODE_FIELDS) {}

  /** Adds a node; returns its ordinal (the first node added is the root). */
  node(type: string, name: string, id: number, selfSize: number): number {
    this.nodes.push({ type, name, id, selfSize, edges: [] });
    return this.nodes.length - 1;
  }

  /** An edge of `from`: element and hidden edges take an index, the others a name. */
  edge(from: number, type: string, nameOrIndex: string | number, to: number): this {
    this.nodes[from].edges.push({ type, nameOrIndex, to });
    return this;
  }

  /** Where function `node` is defined: a script id and a 0-based line and column. */
  location(node: number, scriptId: number, line: number, column: number): this {
    this.locations.push([node * this.nodeFields.length, scriptId, line, column]);
    return this;
  }

  /** The snapshot as V8 writes it (JSON text). */
  build(): string {
    const nodes: number[] = [];
    const edges: number[] = [];
    for (const node of this.nodes) {
      const values: Record<string, number> = {
        type: NODE_TYPES.indexOf(node.type),
        name: this.string(node.name),
        id: node.id,
        self_size: node.selfSize,
        edge_count: node.edges.length,
        trace_node_id: 0,
        detachedness: 0,
      };
      nodes.push(...this.nodeFields.map((field) => values[field]));
      for (const edge of node.edges) {
        const nameOrIndex = typeof edge.nameOrIndex === 'number' ? edge.nameOrIndex : this.string(edge.nameOrIndex);
        edges.push(EDGE_TYPES.indexOf(edge.type), nameOrIndex, edge.to * this.nodeFields.length);
      }
    }
    const meta = {
      node_fields: this.nodeFields,
      node_types: [NODE_TYPES, 'string', 'number', 'number', 'number', 'number', 'number'],
      edge_fields: ['type', 'name_or_index', 'to_node'],
      edge_types: [EDGE_TYPES, 'string_or_number', 'node'],
      location_fields: ['object_index', 'script_id', 'line', 'column'],
    };
    return JSON.stringify({
      snapshot: { meta, node_count: this.nodes.length, edge_count: edges.length / 3 },
      nodes,
      edges,
      locations: this.locations.flat(),
      strings: this.strings,
    });
  }

  private string(text: string): number {
    const index = this.strings.indexOf(text);
    if (index >= 0) return index;
    this.strings.push(text);
    return this.strings.length - 1;
  }
}

/** The project the synthetic test file belongs to. */
export const ROOT_DIR = '/project';
/** Object ids up to this existed before the run; the objects the run added have larger ones. */
export const MAX_ID_BEFORE = 100;

/** Node ordinals of the leak snapshot, by what they are. */
export const N = {
  root: 0,
  globalHandles: 1,
  global: 2,
  makeCache: 3,
  sharedInfo: 4,
  script: 5,
  context: 6,
  map: 7,
  table: 8,
  array: 9,
  elements: 10,
  strayElements: 11,
  detached: 12,
  hello: 13,
  buffer: 14,
};

/**
 * A test file's module-level function `makeCache` whose scope holds `cache`, a Map whose entry
 * is an Array of 8000 bytes of elements; plus what V8 and Jest add around such a leak: global
 * handles reaching the same objects by a shorter path, the function's own feedback (a hidden
 * edge) to the Array, a weakly held object and an embedder (native) node with a fresh id.
 * `strayElementsSize`: the size of elements only global handles hold.
 */
export function leakSnapshot(nodeFields?: string[], strayElementsSize = 16): string {
  const b = new SnapshotBuilder(nodeFields);
  b.node('synthetic', '', 1, 0);
  b.node('synthetic', '(Global handles)', 3, 0);
  b.node('object', 'global', 5, 48);
  b.node('closure', 'makeCache', 7, 32);
  b.node('code', 'makeCache', 9, 40);
  b.node('code', `${ROOT_DIR}/__tests__/cache.test.js`, 11, 80);
  b.node('object', 'system / Context', 13, 24);
  b.node('object', 'Map', 101, 32);
  b.node('array', '', 103, 1000);
  b.node('object', 'Array', 105, 32);
  b.node('array', '(object elements)', 107, 8000);
  b.node('array', '(object elements)', 109, strayElementsSize);
  b.node('object', 'Detached', 111, 64);
  b.node('string', 'hello', 113, 24);
  b.node('native', 'Node / Buffer', 999, 4096);
  b.edge(N.root, 'element', 1, N.globalHandles).edge(N.root, 'element', 2, N.global);
  b.edge(N.globalHandles, 'element', 0, N.elements).edge(N.globalHandles, 'element', 1, N.strayElements);
  b.edge(N.global, 'property', 'makeCache', N.makeCache).edge(N.global, 'weak', 'ref', N.detached);
  b.edge(N.makeCache, 'internal', 'context', N.context).edge(N.makeCache, 'internal', 'shared', N.sharedInfo);
  b.edge(N.makeCache, 'hidden', 0, N.array);
  b.edge(N.sharedInfo, 'internal', 'script', N.script);
  b.edge(N.context, 'context', 'cache', N.map);
  b.edge(N.map, 'internal', 'table', N.table);
  b.edge(N.table, 'internal', '1', N.array);
  b.edge(N.array, 'internal', 'elements', N.elements);
  b.edge(N.elements, 'element', 0, N.hello);
  return b.build();
}
