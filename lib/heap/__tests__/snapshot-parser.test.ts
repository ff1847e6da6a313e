import * as parser from '../snapshot-parser';
import { leakSnapshot, MAX_ID_BEFORE, N } from './synthetic-snapshot';

const snapshot = parser.parseSnapshot(leakSnapshot());

describe('parseSnapshot', () => {
  test("finds each field's offset from the meta's field names", () => {
    expect(snapshot.nodeFieldCount).toBe(7);
    expect(snapshot.edgeFieldCount).toBe(3);
    expect(snapshot.f).toEqual({ type: 0, name: 1, id: 2, selfSize: 3, edgeCount: 4 });
    expect(snapshot.e).toEqual({ type: 0, nameOrIndex: 1, toNode: 2 });
  });

  test("indexes each node's first edge, with the edges' end after the last node", () => {
    // Edges: root 2, (Global handles) 2, global 2, makeCache 3, then one each for 4, 6, 7, 8, 9, 10.
    expect([...snapshot.firstEdge]).toEqual([0, 6, 12, 18, 27, 30, 30, 33, 36, 39, 42, 45, 45, 45, 45, 45]);
  });

  /** A node's type, name, id and self size. */
  const fieldsOf = (parsed: parser.HeapSnapshot, ordinal: number) => [
    parser.nodeType(parsed, ordinal),
    parser.nodeName(parsed, ordinal),
    parser.nodeId(parsed, ordinal),
    parser.selfSize(parsed, ordinal),
  ];

  test('reads a node by ordinal: type, name, id and self size', () => {
    expect(parser.nodeCount(snapshot)).toBe(15);
    expect(fieldsOf(snapshot, N.makeCache)).toEqual(['closure', 'makeCache', 7, 32]);
  });

  test('reads the fields by their names when the meta lists them in another order', () => {
    const reordered = parser.parseSnapshot(
      leakSnapshot(['id', 'self_size', 'edge_count', 'name', 'type', 'trace_node_id', 'detachedness']),
    );
    expect(fieldsOf(reordered, N.map)).toEqual(['object', 'Map', 101, 32]);
    expect(parser.follow(reordered, N.map, 'table')).toBe(N.table);
  });
});

describe('newObjects', () => {
  test('groups objects newer than the id given by constructor or type, biggest first, leaving out V8 internals', () => {
    const groups = parser.newObjects(snapshot, MAX_ID_BEFORE);
    expect(groups.map(({ kind, count, bytes }) => [kind, count, bytes])).toEqual([
      ['(object elements)', 2, 8016],
      ['array', 1, 1000],
      ['Detached', 1, 64],
      ['Map', 1, 32],
      ['Array', 1, 32],
      ['string', 1, 24],
    ]);
  });

  test("keeps each group's members and its largest", () => {
    const [elements] = parser.newObjects(snapshot, MAX_ID_BEFORE);
    expect(elements.members).toEqual([N.elements, N.strayElements]);
    expect(elements.largest).toBe(N.elements);
  });

  test('is empty when nothing is newer than the id given', () => {
    expect(parser.newObjects(snapshot, 113)).toEqual([]);
  });
});

describe('shortestPaths and pathTo', () => {
  test('with nothing skipped, the shortest path goes through any strong edge (here the global handles)', () => {
    expect(parser.pathTo(snapshot, parser.shortestPaths(snapshot), N.elements)).toEqual([
      { edge: '[1]', edgeType: 'element', node: '(Global handles)', nodeType: 'synthetic', ordinal: N.globalHandles },
      { edge: '[0]', edgeType: 'element', node: '(object elements)', nodeType: 'array', ordinal: N.elements },
    ]);
  });

  test('counts the steps from the root', () => {
    const tree = parser.shortestPaths(snapshot);
    expect([tree.depth[N.root], tree.depth[N.global], tree.depth[N.array], tree.depth[N.table]]).toEqual([0, 1, 3, 5]);
  });

  test('weak edges do not retain: an object held only weakly has no path', () => {
    const tree = parser.shortestPaths(snapshot);
    expect(tree.depth[N.detached]).toBe(-1);
    expect(parser.pathTo(snapshot, tree, N.detached)).toBeNull();
  });

  test('skip gets the holder, the edge type and the name, numbers as text, and the path avoids what it rejects', () => {
    const skip = jest.fn((node: number, edgeType: string, name: string) => node === N.root && edgeType === 'element' && name === '1');
    const steps = parser.pathTo(snapshot, parser.shortestPaths(snapshot, skip), N.elements);
    expect(skip).toHaveBeenCalledWith(N.makeCache, 'internal', 'context');
    expect(steps?.map((step) => `${step.edgeType} ${step.edge} → ${step.node}`)).toEqual([
      'element [2] → global',
      'property makeCache → makeCache',
      'hidden [0] → Array',
      'internal elements → (object elements)',
    ]);
  });

  test('the path to the root itself is empty', () => {
    expect(parser.pathTo(snapshot, parser.shortestPaths(snapshot), N.root)).toEqual([]);
  });
});

describe('follow', () => {
  test('finds where a named edge leads', () => {
    expect(parser.follow(snapshot, N.makeCache, 'shared')).toBe(N.sharedInfo);
  });

  test('is -1 for a name the node has no edge of', () => {
    expect(parser.follow(snapshot, N.makeCache, 'prototype')).toBe(-1);
  });
});
