/**
 * The heap window's arithmetic, on a fake V8: the test sets each space's used and available
 * bytes, which collections V8 ran during the "test", and what leakwatch's own scavenge does.
 */
import type { GcFunction } from '../../core/gc';
import { closeWindow, openWindow } from '../window';

interface Space {
  used: number;
  available?: number;
}

/** The fake heap: spaces now, V8's collections during the window, and what a scavenge leaves. */
const mockHeap = {
  spaces: {} as Record<string, Space>,
  gcs: [] as MockGc[],
};

interface MockGc {
  gcType: string;
  beforeGC?: { heapStatistics: { usedHeapSize: number } };
  afterGC?: { heapStatistics: { usedHeapSize: number } };
}

jest.mock('node:v8', () => ({
  getHeapSpaceStatistics: () =>
    Object.entries(mockHeap.spaces).map(([name, space]) => ({
      space_name: name,
      space_size: 0,
      space_used_size: space.used,
      space_available_size: space.available ?? 0,
      physical_space_size: 0,
    })),
  GCProfiler: class {
    start(): void {}
    stop(): { statistics: MockGc[] } {
      return { statistics: mockHeap.gcs };
    }
  },
}));

const BAR = 400;

/** One of V8's collections during the window, with the used heap before and after it. */
function collected(gcType: string, before: number, after: number): MockGc {
  return { gcType, beforeGC: { heapStatistics: { usedHeapSize: before } }, afterGC: { heapStatistics: { usedHeapSize: after } } };
}

/** A young generation of 1000 bytes (semi-space), 300 used, and an old generation of 5000. */
function heapAtStart(young = 300): Record<string, Space> {
  return {
    new_space: { used: young, available: 1000 - young },
    new_large_object_space: { used: 0 },
    old_space: { used: 5000 },
    code_space: { used: 100 },
    large_object_space: { used: 0 },
  };
}

/** A gc function that applies `after` to the heap when it is called (leakwatch's scavenge). */
function gcLeaving(after: Record<string, Space> = {}): jest.Mock<void, Parameters<GcFunction>> {
  return jest.fn(() => {
    mockHeap.spaces = { ...mockHeap.spaces, ...after };
  });
}

beforeEach(() => {
  mockHeap.spaces = heapAtStart();
  mockHeap.gcs = [];
});

describe('openWindow', () => {
  test('reads each space and collects nothing when the young generation has room for the bar', () => {
    const gc = gcLeaving();
    const window = openWindow(gc, BAR);
    expect(gc).not.toHaveBeenCalled();
    expect([...window.spacesAtStart]).toEqual([
      ['new_space', 300],
      ['new_large_object_space', 0],
      ['old_space', 5000],
      ['code_space', 100],
      ['large_object_space', 0],
    ]);
  });

  test('scavenges first when the young generation has less room left than the bar, and reads after it', () => {
    mockHeap.spaces = heapAtStart(700);
    const gc = gcLeaving({ new_space: { used: 50, available: 950 }, old_space: { used: 5200 } });
    const window = openWindow(gc, BAR);
    expect(gc.mock.calls).toEqual([[{ type: 'minor' }]]);
    expect(window.spacesAtStart.get('new_space')).toBe(50);
    expect(window.spacesAtStart.get('old_space')).toBe(5200);
  });
});

describe('closeWindow', () => {
  test('with no GC during the test and less than the bar allocated, the bound is what was allocated, with no scavenge', () => {
    const gc = gcLeaving();
    const window = openWindow(gc, BAR);
    mockHeap.spaces = { ...mockHeap.spaces, new_space: { used: 450, available: 550 }, old_space: { used: 5100 } };
    expect(closeWindow(gc, window, BAR)).toEqual({ bound: 250, majorGcs: 0, swept: false, usedAfter: 5650 });
    expect(gc).not.toHaveBeenCalled();
  });

  test('what leakwatch held in the window comes off the bound, and raises the bar by as much: no scavenge', () => {
    const gc = gcLeaving();
    const window = openWindow(gc, BAR);
    // 250 of the test's and a 300-byte marker: over the bar together, under it without the marker.
    mockHeap.spaces = { ...mockHeap.spaces, new_space: { used: 850, available: 150 }, old_space: { used: 5000 } };
    expect(closeWindow(gc, window, BAR, 300)).toEqual({ bound: 250, majorGcs: 0, swept: false, usedAfter: 5950 });
    expect(gc).not.toHaveBeenCalled();
  });

  test('what leakwatch held comes off the bound after its scavenge too', () => {
    const gc = gcLeaving({ new_space: { used: 100, available: 900 }, old_space: { used: 5300 } });
    const window = openWindow(gc, BAR);
    mockHeap.gcs = [{ gcType: 'Scavenge' }];
    mockHeap.spaces = { ...mockHeap.spaces, new_space: { used: 600, available: 400 }, old_space: { used: 5200 } };
    expect(closeWindow(gc, window, BAR, 150).bound).toBe(250);
    expect(gc).toHaveBeenCalledTimes(1);
  });

  test("a space's shrinking does not hide another space's growth", () => {
    const gc = gcLeaving();
    const window = openWindow(gc, BAR);
    // Concurrent sweeping freed 3000 in the old space while the test put 350 in large objects.
    mockHeap.spaces = { ...mockHeap.spaces, old_space: { used: 2000 }, large_object_space: { used: 350 } };
    expect(closeWindow(gc, window, BAR).bound).toBe(350);
  });

  test('machine code compiled during the test is not counted', () => {
    const gc = gcLeaving();
    const window = openWindow(gc, BAR);
    mockHeap.spaces = { ...mockHeap.spaces, code_space: { used: 900 }, code_large_object_space: { used: 500 }, old_space: { used: 5050 } };
    expect(closeWindow(gc, window, BAR).bound).toBe(50);
    expect(gc).not.toHaveBeenCalled();
  });

  test('bytecode compiled during the test (trusted spaces, Node 22 and later) is not counted', () => {
    const gc = gcLeaving();
    mockHeap.spaces = { ...mockHeap.spaces, trusted_space: { used: 200 }, trusted_large_object_space: { used: 0 } };
    const window = openWindow(gc, BAR);
    mockHeap.spaces = {
      ...mockHeap.spaces,
      trusted_space: { used: 900 },
      trusted_large_object_space: { used: 300 },
      old_space: { used: 5050 },
    };
    expect(closeWindow(gc, window, BAR).bound).toBe(50);
    expect(gc).not.toHaveBeenCalled();
  });

  test('after a V8 scavenge during the test, the bound is the old growth plus the whole young generation, with no scavenge of its own under the bar', () => {
    const gc = gcLeaving();
    const window = openWindow(gc, BAR);
    mockHeap.gcs = [{ gcType: 'Scavenge' }];
    mockHeap.spaces = { ...mockHeap.spaces, new_space: { used: 150, available: 850 }, old_space: { used: 5100 } };
    expect(closeWindow(gc, window, BAR)).toEqual({ bound: 250, majorGcs: 0, swept: false, usedAfter: 5350 });
    expect(gc).not.toHaveBeenCalled();
  });

  test('after a V8 scavenge, over the bar: scavenges, then counts the old growth, promotions included, plus what is still young', () => {
    const gc = gcLeaving({ new_space: { used: 100, available: 900 }, old_space: { used: 5300 } });
    const window = openWindow(gc, BAR);
    mockHeap.gcs = [{ gcType: 'Scavenge' }];
    mockHeap.spaces = { ...mockHeap.spaces, new_space: { used: 600, available: 400 }, old_space: { used: 5200 } };
    expect(closeWindow(gc, window, BAR)).toEqual({ bound: 400, majorGcs: 0, swept: false, usedAfter: 5500 });
    expect(gc.mock.calls).toEqual([[{ type: 'minor' }]]);
  });

  test('a scavenge that V8 ran as a mark-compact (incremental marking under way) leaves the reading before it as the bound', () => {
    // The mark-compact freed 1200 of old garbage and moved the young survivors, a leak among them, out.
    const gc = gcLeaving({ new_space: { used: 10, available: 990 }, old_space: { used: 4100 } });
    const window = openWindow(gc, BAR);
    mockHeap.gcs = [{ gcType: 'IncrementalMarking' }];
    mockHeap.spaces = { ...mockHeap.spaces, new_space: { used: 800, available: 200 }, old_space: { used: 5300 } };
    expect(closeWindow(gc, window, BAR)).toEqual({ bound: 1100, majorGcs: 0, swept: false, usedAfter: 4210 });
    expect(gc).toHaveBeenCalled();
  });

  test('counts the mark-compacts V8 ran during the test, and an old space they shrank counts as no growth', () => {
    const gc = gcLeaving();
    const window = openWindow(gc, BAR);
    mockHeap.gcs = [
      collected('Scavenge', 5600, 5400),
      collected('MarkSweepCompact', 5900, 4400),
      collected('MarkSweepCompact', 4450, 4150),
    ];
    mockHeap.spaces = { ...mockHeap.spaces, new_space: { used: 50, available: 950 }, old_space: { used: 4000 } };
    expect(closeWindow(gc, window, BAR)).toMatchObject({ bound: 50, majorGcs: 2, swept: true, usedAfter: 4150 });
  });

  test("after a mark-compact, what the test allocated is what V8's collections freed plus the heap's growth", () => {
    const gc = gcLeaving();
    const window = openWindow(gc, BAR);
    // A 1500-byte leak promoted into an old space the mark-compact freed 2000 of: it grew by 200
    // only, and the heap ends the size it started (5400), so the collections' 200 + 2000 is all.
    mockHeap.gcs = [collected('Scavenge', 6000, 5800), collected('MarkSweepCompact', 7300, 5300)];
    mockHeap.spaces = { ...mockHeap.spaces, new_space: { used: 100, available: 900 }, old_space: { used: 5200 } };
    expect(closeWindow(gc, window, BAR)).toMatchObject({ bound: 300, majorGcs: 1, allocated: 2200 });
  });

  test('without a mark-compact, no allocation figure: the bound is exact', () => {
    const gc = gcLeaving();
    const window = openWindow(gc, BAR);
    mockHeap.gcs = [collected('Scavenge', 6000, 5800)];
    mockHeap.spaces = { ...mockHeap.spaces, new_space: { used: 100, available: 900 }, old_space: { used: 5200 } };
    expect(closeWindow(gc, window, BAR).allocated).toBeUndefined();
  });

  describe('with no GC during the test and the bar reached', () => {
    /** The test allocated 500 young and 100 old (600 > BAR); leakwatch's scavenge leaves `young` and `old`. */
    function closeAfterScavengeTo(young: Space, old: number, youngAtStart = 300): number {
      mockHeap.spaces = heapAtStart(youngAtStart);
      const gc = gcLeaving({ new_space: young, old_space: { used: old } });
      const window = openWindow(gc, BAR);
      mockHeap.spaces = {
        ...mockHeap.spaces,
        new_space: { used: youngAtStart + 500, available: 500 - youngAtStart },
        old_space: { used: 5100 },
      };
      const { bound } = closeWindow(gc, window, BAR);
      expect(gc.mock.calls).toEqual([[{ type: 'minor' }]]);
      return bound;
    }

    test('what the scavenge promoted from before the test is not counted: the old space is read before it', () => {
      // 150 promoted (5100 → 5250), all from the 300 young at the start: 150 young + 100 old growth.
      expect(closeAfterScavengeTo({ used: 150, available: 850 }, 5250)).toBe(250);
    });

    test('more promoted than was young at the start: the old space is read after the scavenge', () => {
      // 150 promoted out of 100 young at the start: 150 young + 250 old growth.
      expect(closeAfterScavengeTo({ used: 150, available: 850 }, 5250, 100)).toBe(400);
    });

    test('survivors without room in the semi-space (V8 promotes young objects too): the old space is read after', () => {
      // 400 young + 150 promoted reach half the 1000-byte semi-space.
      expect(closeAfterScavengeTo({ used: 400, available: 600 }, 5250)).toBe(650);
    });

    test('an old space that shrank during the scavenge (V8 collected it there): the reading before the scavenge is the bound', () => {
      // 100 old growth + 800 young before the scavenge.
      expect(closeAfterScavengeTo({ used: 150, available: 850 }, 5050)).toBe(900);
    });
  });
});

describe('closeWindow: swept', () => {
  test('no space outside the young generation shrank: false', () => {
    const gc = gcLeaving();
    const window = openWindow(gc, BAR);
    mockHeap.spaces = { ...mockHeap.spaces, new_space: { used: 100, available: 900 }, old_space: { used: 5200 } };
    expect(closeWindow(gc, window, BAR).swept).toBe(false);
  });

  test('the old space shrank with no GC in the window (concurrent sweeping): true', () => {
    const gc = gcLeaving();
    const window = openWindow(gc, BAR);
    mockHeap.spaces = { ...mockHeap.spaces, old_space: { used: 4999 } };
    expect(closeWindow(gc, window, BAR).swept).toBe(true);
  });

  test('compiled code that V8 flushed (code and trusted spaces shrank): false, it cannot hide what the window counts', () => {
    const gc = gcLeaving();
    mockHeap.spaces = { ...mockHeap.spaces, trusted_space: { used: 700 } };
    const window = openWindow(gc, BAR);
    mockHeap.spaces = { ...mockHeap.spaces, code_space: { used: 50 }, trusted_space: { used: 300 }, old_space: { used: 5100 } };
    expect(closeWindow(gc, window, BAR).swept).toBe(false);
  });

  test("read before leakwatch's own scavenge: the old space that scavenge grows does not hide V8's sweeping", () => {
    const gc = gcLeaving({ new_space: { used: 0, available: 1000 }, old_space: { used: 5100 } });
    const window = openWindow(gc, BAR);
    mockHeap.spaces = { ...mockHeap.spaces, new_space: { used: 800, available: 200 }, old_space: { used: 4900 } };
    const closed = closeWindow(gc, window, BAR);
    expect(gc).toHaveBeenCalled();
    expect(closed.swept).toBe(true);
  });
});
