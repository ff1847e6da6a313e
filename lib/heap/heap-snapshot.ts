/**
 * V8 heap snapshots, taken quickly. For each function the snapshot records its line, and a
 * script whose line ends V8 has not computed yet is scanned from its start for each of its
 * functions (https://github.com/nodejs/node/issues/34826). A Jest worker has hundreds of
 * large scripts: its snapshot took 25 s at a 35 MB heap, and 1.7 s once a CPU profile had
 * started, which computes every compiled script's line ends (~60 ms) and keeps them.
 */
import type { Readable } from 'node:stream';
import { getHeapSnapshot } from 'node:v8';
import { toError } from '../core/errors';
import { postSync, sharedSession } from '../core/inspector';
import { LastObjectIdScanner } from './last-object-id';

/** Has V8 compute and keep the line ends of the scripts compiled so far. */
function computeLineEnds(): void {
  try {
    const session = sharedSession();
    for (const method of ['Profiler.enable', 'Profiler.start', 'Profiler.stop', 'Profiler.disable']) postSync(session, method);
  } catch {
    // Only slower: the snapshot computes what it needs itself.
  }
}

/** v8.getHeapSnapshot(), after the line ends are computed. */
export function heapSnapshotStream(): Readable {
  computeLineEnds();
  return getHeapSnapshot();
}

/** A heap snapshot of this process as text (V8 runs a full GC first). */
export function takeSnapshotText(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const stream = heapSnapshotStream();
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

/**
 * The largest object id of a heap snapshot taken now, read as it streams: objects made after
 * it get larger ones. The text is not kept: held across an await, the 40 MB of an earlier
 * version's text became the biggest "new object" of the next snapshot.
 */
export function lastObjectIdNow(): Promise<number> {
  return new Promise((resolve, reject) => {
    const scanner = new LastObjectIdScanner();
    const stream = heapSnapshotStream();
    stream.on('data', (chunk: Buffer) => scanner.push(chunk));
    stream.on('end', () => {
      try {
        resolve(scanner.result());
      } catch (error) {
        reject(toError(error));
      }
    });
    stream.on('error', reject);
  });
}
