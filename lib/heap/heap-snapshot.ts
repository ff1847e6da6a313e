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
import { realClearTimeout, realSetTimeout } from '../core/timers';
import { snapshotOf, type HeapSnapshot } from './snapshot-parser';
import { takeHeldEntries } from './major-gcs';
import { SnapshotReader } from './snapshot-reader';

/** Has V8 compute and keep the line ends of the scripts compiled so far. */
function computeLineEnds(): void {
  try {
    const session = sharedSession();
    for (const method of ['Profiler.enable', 'Profiler.start', 'Profiler.stop', 'Profiler.disable']) postSync(session, method);
  } catch {
    // Only slower: the snapshot computes what it needs itself.
  }
}

/** v8.getHeapSnapshot(), after the line ends are computed and Node's held GC entries dropped. */
export function heapSnapshotStream(): Readable {
  computeLineEnds();
  takeHeldEntries();
  return getHeapSnapshot();
}

/** A heap snapshot of this process, read as it streams (V8 runs a full GC first). */
export function takeSnapshot(): Promise<HeapSnapshot> {
  return new Promise((resolve, reject) => {
    const reader = new SnapshotReader();
    const stream = heapSnapshotStream();
    stream.on('data', (chunk: Buffer) => reader.push(chunk));
    stream.on('end', () => {
      try {
        resolve(snapshotOf(reader.result()));
      } catch (error) {
        reject(toError(error));
      }
    });
    stream.on('error', reject);
  });
}

/** Longer than V8's first heap-stats tick (50 ms after tracking starts, then one pass). */
const TRACKING_TIMEOUT_MS = 30_000;

export interface TrackedObjectIds {
  /** The largest id given so far: objects made after get larger ones in the next snapshot. */
  lastId: number;
  /** Ends tracking and clears the ids; take the snapshot that compares against lastId first. */
  stop: () => void;
}

/**
 * Gives every live object a heap object id without a snapshot: the inspector's object tracking
 * does it in a full GC and one pass over the heap. At a 59 MB heap that took 1.3 s, a
 * snapshot 7.5 s. While tracking, V8 repeats the pass at each 50 ms timer tick the event loop
 * reaches (~0.35 s each there), so it suits a short run; stopping takes no snapshot only
 * through HeapProfiler.disable, which also clears the ids.
 */
export function trackObjectIds(): Promise<TrackedObjectIds> {
  const session = sharedSession();
  const stop = (): void => {
    try {
      postSync(session, 'HeapProfiler.disable');
    } catch {
      // Nothing was tracking.
    }
  };
  return new Promise((resolve, reject) => {
    const onLastId = (message: { params: { lastSeenObjectId: number } }): void => {
      realClearTimeout(timeout);
      resolve({ lastId: message.params.lastSeenObjectId, stop });
    };
    const fail = (error: unknown): void => {
      realClearTimeout(timeout);
      session.off('HeapProfiler.lastSeenObjectId', onLastId);
      stop();
      reject(toError(error));
    };
    const timeout = realSetTimeout(() => fail(new Error('V8 reported no heap object id')), TRACKING_TIMEOUT_MS);
    session.once('HeapProfiler.lastSeenObjectId', onLastId);
    try {
      postSync(session, 'HeapProfiler.startTrackingHeapObjects', { trackAllocations: false });
    } catch (error) {
      fail(error);
    }
  });
}
