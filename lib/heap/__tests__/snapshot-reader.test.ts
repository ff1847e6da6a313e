import { heapSnapshotStream } from '../heap-snapshot';
import { SnapshotReader } from '../snapshot-reader';
import { leakSnapshot } from './synthetic-snapshot';

function read(chunks: Array<Buffer | string>): ReturnType<SnapshotReader['result']> {
  const reader = new SnapshotReader();
  for (const chunk of chunks) reader.push(chunk);
  return reader.result();
}

/** What JSON.parse makes of the text, in the reader's shape. */
function parsedWhole(text: string): { json: unknown; nodes: number[]; edges: number[] } {
  const { nodes, edges, ...rest } = JSON.parse(text) as { nodes: number[]; edges: number[] };
  return { json: { ...rest, nodes: [], edges: [] }, nodes, edges };
}

function splitAt(bytes: Buffer, at: number[]): Buffer[] {
  const cuts = [0, ...at, bytes.length];
  return cuts.slice(1).map((end, index) => bytes.subarray(cuts[index], end));
}

describe('SnapshotReader', () => {
  const text = leakSnapshot();
  const expected = parsedWhole(text);

  test('reads the nodes and edges into typed arrays and the rest as JSON, as JSON.parse would', () => {
    const { json, nodes, edges } = read([text]);
    expect(json).toEqual(expected.json);
    expect([...nodes]).toEqual(expected.nodes);
    expect([...edges]).toEqual(expected.edges);
  });

  test('reads the same wherever the chunks split, inside a key, a number or the strings', () => {
    const bytes = Buffer.from(text);
    for (let at = 1; at < bytes.length; at++) {
      const { json, nodes, edges } = read(splitAt(bytes, [at]));
      expect({ at, json, nodes: [...nodes], edges: [...edges] }).toEqual({ at, ...expected });
    }
  });

  test('reads one byte at a time', () => {
    const bytes = Buffer.from(text);
    const { nodes, edges } = read([...bytes].map((byte) => Buffer.from([byte])));
    expect([...nodes]).toEqual(expected.nodes);
    expect([...edges]).toEqual(expected.edges);
  });

  test('keeps multi-byte characters of the strings split between chunks', () => {
    const withAccent = text.replace('"strings":["', '"strings":["café ✓ ');
    const bytes = Buffer.from(withAccent);
    const accent = bytes.indexOf(Buffer.from('é'));
    const { json } = read(splitAt(bytes, [accent + 1]));
    expect((json as { strings: string[] }).strings[0]).toMatch(/^café ✓ /);
  });

  test('reads the edges before the nodes too', () => {
    const { nodes, edges, ...rest } = JSON.parse(text) as Record<string, unknown>;
    const { json, nodes: readNodes, edges: readEdges } = read([JSON.stringify({ edges, ...rest, nodes })]);
    expect(json).toEqual(expected.json);
    expect([...readNodes]).toEqual(expected.nodes);
    expect([...readEdges]).toEqual(expected.edges);
  });

  test('throws when the text ends inside the nodes', () => {
    const cut = text.slice(0, text.indexOf('"nodes":[') + 20);
    expect(() => read([cut])).toThrow('the heap snapshot ended before its "nodes" and "edges" arrays did');
  });

  test("reads V8's own snapshot of this process as JSON.parse does", async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of heapSnapshotStream()) chunks.push(chunk as Buffer);
    const whole = parsedWhole(Buffer.concat(chunks).toString('utf8'));
    const { json, nodes, edges } = read(chunks);
    // Compared as bytes: toEqual on millions of elements takes minutes.
    expect(Buffer.from(nodes.buffer).equals(Buffer.from(Uint32Array.from(whole.nodes).buffer))).toBe(true);
    expect(Buffer.from(edges.buffer).equals(Buffer.from(Uint32Array.from(whole.edges).buffer))).toBe(true);
    expect(json).toEqual(whole.json);
  });
});
