/**
 * V8 heap snapshots, taken quickly. For each function the snapshot records its line, and a
 * script whose line ends V8 has not computed yet is scanned from its start for each of its
 * functions (https://github.com/nodejs/node/issues/34826). A Jest worker has hundreds of
 * large scripts: its snapshot took 25 s at a 35 MB heap, and 1.7 s once a CPU profile had
 * started, which computes every compiled script's line ends (~60 ms) and keeps them.
 */
import { Session } from 'node:inspector';
import type { Readable } from 'node:stream';
import { getHeapSnapshot } from 'node:v8';
import { postSync, sharedSession } from '../core/inspector';
import { realClearTimeout, realSetTimeout } from '../core/timers';

/** How long the inspector may take to report the newest object id. */
const LAST_ID_TIMEOUT_MS = 1000;

export interface ObjectIdTracking {
  /** The newest heap object id when tracking started: objects made later get larger ones. */
  lastId: number;
  /** Ends the tracking, and with it the ids: take the later snapshot first. */
  stop(): void;
}

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
 * The newest heap object id now, without a snapshot: when the inspector starts tracking heap
 * objects, V8 gives every live object an id (a full GC and a walk of the heap: ~30 ms, where
 * the snapshot it replaces took 2 s at a jsdom worker's 45 MB heap) and reports the newest.
 * The ids stay valid until stop(), which disconnects the session: tracking has no other way to
 * end without a snapshot, and a disconnect clears every id. Null when no id came in time.
 */
export async function trackObjectIds(): Promise<ObjectIdTracking | null> {
  const session = new Session();
  session.connect();
  const stop = (): void => session.disconnect();
  const lastId = await new Promise<number | null>((resolve) => {
    const timer = realSetTimeout(() => resolve(null), LAST_ID_TIMEOUT_MS);
    session.once('HeapProfiler.lastSeenObjectId', (message: { params: { lastSeenObjectId: number } }) => {
      realClearTimeout(timer);
      resolve(message.params.lastSeenObjectId);
    });
    session.post('HeapProfiler.startTrackingHeapObjects', { trackAllocations: false }, (error) => {
      if (!error) return;
      realClearTimeout(timer);
      resolve(null);
    });
  });
  if (lastId === null) {
    stop();
    return null;
  }
  return { lastId, stop };
}
