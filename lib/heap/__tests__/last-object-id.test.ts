import { LastObjectIdScanner, lastObjectIdOf } from '../last-object-id';
import { leakSnapshot, SnapshotBuilder } from './synthetic-snapshot';

/** V8 writes a newline before each node's row: `{"snapshot":{…},\n"nodes":[9,1,1,0,…\n,9,…`. */
function asV8Writes(text: string): string {
  return text.replace(',"nodes":[', ',\n"nodes":[');
}

describe('lastObjectIdOf', () => {
  test('is the largest id of a JS object, leaving out embedder nodes (native, synthetic), which get fresh ids every snapshot', () => {
    expect(lastObjectIdOf(leakSnapshot())).toBe(113);
  });

  test('reads the fields in the order the meta gives', () => {
    const builder = new SnapshotBuilder(['id', 'self_size', 'type', 'name', 'edge_count', 'trace_node_id', 'detachedness']);
    builder.node('synthetic', '(GC roots)', 900, 0);
    builder.node('object', 'Object', 41, 16);
    builder.node('native', 'Node / Buffer', 950, 64);
    builder.node('string', 'text', 57, 24);
    expect(lastObjectIdOf(builder.build())).toBe(57);
  });

  test('ignores the numbers after the nodes (edges, locations)', () => {
    const builder = new SnapshotBuilder();
    const root = builder.node('object', 'Object', 3, 16);
    builder.node('object', 'Object', 5, 16);
    builder.edge(root, 'element', 99999, 1);
    expect(lastObjectIdOf(builder.build())).toBe(5);
  });

  test('throws when the text has no nodes', () => {
    expect(() => lastObjectIdOf('{"snapshot":{}}')).toThrow('no "nodes" array');
  });
});

describe('LastObjectIdScanner', () => {
  test('gives the same id whatever the chunks split: in the header, inside a number, between rows', () => {
    const text = asV8Writes(leakSnapshot());
    for (const size of [1, 7, 64, 1000]) {
      const scanner = new LastObjectIdScanner();
      for (let start = 0; start < text.length; start += size) scanner.push(Buffer.from(text.slice(start, start + size), 'latin1'));
      expect(scanner.result()).toBe(113);
    }
  });
});
