import type * as MajorGcs from '../major-gcs';

const MAJOR = 4;
const MINOR = 1;

/** A stand-in for Node's observer: entries are either delivered or still held. */
class FakeObserver {
  static last: FakeObserver;
  held: object[] = [];
  constructor(readonly callback: (list: { getEntries(): object[] }) => void) {
    FakeObserver.last = this;
  }
  observe = jest.fn();
  takeRecords(): object[] {
    const held = this.held;
    this.held = [];
    return held;
  }
  deliver(): void {
    const entries = this.takeRecords();
    this.callback({ getEntries: () => entries });
  }
}

jest.mock('node:perf_hooks', () => ({
  constants: { NODE_PERFORMANCE_GC_MAJOR: 4, NODE_PERFORMANCE_GC_MINOR: 1 },
  PerformanceObserver: jest.fn((callback: (list: { getEntries(): object[] }) => void) => new FakeObserver(callback)),
}));

const gcEntry = (kind: number) => ({ entryType: 'gc', detail: { kind } });

function freshModule(): typeof MajorGcs {
  let loaded!: typeof MajorGcs;
  jest.isolateModules(() => {
    loaded = jest.requireActual('../major-gcs');
  });
  return loaded;
}

test('counts the full GCs delivered to the observer, not the scavenges', () => {
  const { countMajorGcs, majorGcCount } = freshModule();
  countMajorGcs();
  FakeObserver.last.held.push(gcEntry(MAJOR), gcEntry(MINOR), gcEntry(MAJOR));
  FakeObserver.last.deliver();
  expect(majorGcCount()).toBe(2);
});

test('counts the entries Node still holds, and drops them', () => {
  const { countMajorGcs, majorGcCount } = freshModule();
  countMajorGcs();
  FakeObserver.last.held.push(gcEntry(MAJOR));
  expect(majorGcCount()).toBe(1);
  expect(FakeObserver.last.held).toEqual([]);
});

test('takeHeldEntries empties what the observer holds before a snapshot', () => {
  const { countMajorGcs, takeHeldEntries, majorGcCount } = freshModule();
  countMajorGcs();
  FakeObserver.last.held.push(gcEntry(MINOR), gcEntry(MAJOR));
  takeHeldEntries();
  expect([FakeObserver.last.held, majorGcCount()]).toEqual([[], 1]);
});

test('observes once however often counting is asked for', () => {
  const { countMajorGcs } = freshModule();
  countMajorGcs();
  const first = FakeObserver.last;
  countMajorGcs();
  expect([FakeObserver.last, first.observe.mock.calls]).toEqual([first, [[{ entryTypes: ['gc'] }]]]);
});
