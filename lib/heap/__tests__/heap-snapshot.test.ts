/**
 * trackObjectIds: the newest heap object id, given without a heap snapshot, splits what lived
 * before the tracking started from what a later run makes, as a snapshot's ids would.
 */
import { postSync, sharedSession } from '../../core/inspector';
import { trackObjectIds } from '../heap-snapshot';

const HANDED = Symbol.for('leakwatch.test.heapSnapshot.handed');

/** The heap object id V8 gave `value`, or 0 when it has none yet. */
function heapObjectId(value: object): number {
  const session = sharedSession();
  (globalThis as Record<symbol, unknown>)[HANDED] = value;
  // The test runs in a vm context of its own: ask each context for the value.
  const contexts: number[] = [];
  const onContext = (message: { params: { context: { id: number } } }): void => void contexts.push(message.params.context.id);
  session.on('Runtime.executionContextCreated', onContext);
  try {
    postSync(session, 'Runtime.enable');
    postSync(session, 'Runtime.disable');
    for (const contextId of contexts) {
      const { result } = postSync(session, 'Runtime.evaluate', {
        expression: `globalThis[Symbol.for('${HANDED.description}')]`,
        contextId,
      }) as { result: { objectId?: string } };
      if (!result.objectId) continue;
      const { heapSnapshotObjectId } = postSync(session, 'HeapProfiler.getHeapObjectId', { objectId: result.objectId }) as {
        heapSnapshotObjectId: string;
      };
      postSync(session, 'Runtime.releaseObject', { objectId: result.objectId });
      return Number(heapSnapshotObjectId);
    }
    throw new Error('no context holds the value');
  } finally {
    session.off('Runtime.executionContextCreated', onContext);
    delete (globalThis as Record<symbol, unknown>)[HANDED];
  }
}

test('an object alive when tracking starts has an id up to lastId; one made later gets a larger id', async () => {
  const before = { made: 'before' };
  const tracking = await trackObjectIds();
  expect(tracking).not.toBeNull();
  try {
    const after = { made: 'after' };
    expect(heapObjectId(before)).toBeGreaterThan(0);
    expect(heapObjectId(before)).toBeLessThanOrEqual(tracking!.lastId);
    // V8 gives new objects ids at the tracking's next heap statistics update (every 50 ms).
    const deadline = Date.now() + 2000;
    while (heapObjectId(after) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(heapObjectId(after)).toBeGreaterThan(tracking!.lastId);
  } finally {
    tracking?.stop();
  }
});
