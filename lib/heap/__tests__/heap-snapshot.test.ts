import { sharedSession } from '../../core/inspector';
import { nodeCount, nodeId, nodeName, nodeType, type HeapSnapshot } from '../snapshot-parser';
import { takeSnapshot, trackObjectIds } from '../heap-snapshot';

class MadeBeforeTracking {}
class MadeWhileTracking {}

function idsOf(snapshot: HeapSnapshot, constructorName: string): number[] {
  const ids: number[] = [];
  for (let node = 0; node < nodeCount(snapshot); node++) {
    if (nodeType(snapshot, node) === 'object' && nodeName(snapshot, node) === constructorName) ids.push(nodeId(snapshot, node));
  }
  return ids;
}

describe('trackObjectIds', () => {
  test('objects made after it get ids above lastId in the next snapshot, and older ones do not', async () => {
    const before = new MadeBeforeTracking();
    const tracked = await trackObjectIds();
    let snapshot: HeapSnapshot;
    let after: MadeWhileTracking;
    try {
      after = new MadeWhileTracking();
      snapshot = await takeSnapshot();
    } finally {
      tracked.stop();
    }
    expect([before, after]).toHaveLength(2);
    const [beforeId] = idsOf(snapshot, 'MadeBeforeTracking');
    const [afterId] = idsOf(snapshot, 'MadeWhileTracking');
    expect(beforeId).toBeLessThanOrEqual(tracked.lastId);
    expect(afterId).toBeGreaterThan(tracked.lastId);
  });

  test('stop ends tracking: V8 sends no more heap stats (it sends them every 50 ms while tracking)', async () => {
    const tracked = await trackObjectIds();
    tracked.stop();
    let updates = 0;
    const count = (): void => {
      updates += 1;
    };
    sharedSession().on('HeapProfiler.lastSeenObjectId', count);
    await new Promise((resolve) => setTimeout(resolve, 200));
    sharedSession().off('HeapProfiler.lastSeenObjectId', count);
    expect(updates).toBe(0);
  });
});
