/**
 * The live floor before a kept-once snapshot, on a fake V8: the test sets the used bytes of
 * each space and what a full GC leaves.
 */
import type { GcFunction } from '../../core/gc';
import { KEPT_ONCE_MAX_HEAP, LiveFloor } from '../live-floor';

const MB = 1024 * 1024;
const nextTurn = async (): Promise<void> => {};
/** Used bytes now, and after the next full GC. */
const mockHeap = { old: 0, code: 0, afterGc: 0 };

jest.mock('node:v8', () => ({
  getHeapSpaceStatistics: () => [
    { space_name: 'old_space', space_used_size: mockHeap.old },
    { space_name: 'code_space', space_used_size: mockHeap.code },
  ],
}));

function fakeGc(): jest.Mock & GcFunction {
  return jest.fn((options?: { type?: string }) => {
    if (options?.type !== 'minor') mockHeap.old = mockHeap.afterGc;
  }) as jest.Mock & GcFunction;
}

beforeEach(() => {
  Object.assign(mockHeap, { old: 30 * MB, code: 4 * MB, afterGc: 20 * MB });
});

test('the live heap grew by the bytes asked for since the reading', async () => {
  const floor = new LiveFloor(fakeGc());
  await floor.read(nextTurn);
  mockHeap.old = 25 * MB;
  mockHeap.afterGc = 21 * MB;
  expect(floor.grewBy(MB)).toBe(true);
});

test('garbage made since the reading does not count: only what a full GC leaves', async () => {
  const floor = new LiveFloor(fakeGc());
  await floor.read(nextTurn);
  mockHeap.old = 40 * MB;
  mockHeap.afterGc = 20.5 * MB;
  expect(floor.grewBy(MB)).toBe(false);
});

test('code compiled since the reading does not count', async () => {
  const floor = new LiveFloor(fakeGc());
  await floor.read(nextTurn);
  mockHeap.code = 8 * MB;
  expect(floor.grewBy(MB)).toBe(false);
});

test('each look is measured from the previous one', async () => {
  const floor = new LiveFloor(fakeGc());
  await floor.read(nextTurn);
  mockHeap.afterGc = 22 * MB;
  expect(floor.grewBy(MB)).toBe(true);
  expect(floor.grewBy(MB)).toBe(false);
});

test('with no reading, or a live heap over the snapshot limit, it never asks for a snapshot', async () => {
  const unread = new LiveFloor(fakeGc());
  mockHeap.afterGc = 30 * MB;
  expect(unread.grewBy(MB)).toBe(false);

  const floor = new LiveFloor(fakeGc());
  await floor.read(nextTurn);
  mockHeap.afterGc = KEPT_ONCE_MAX_HEAP;
  expect(floor.grewBy(MB)).toBe(false);
});

test('over twice the limit before collecting, it runs no full GC', async () => {
  const gc = fakeGc();
  mockHeap.old = 2 * KEPT_ONCE_MAX_HEAP;
  const floor = new LiveFloor(gc);
  await floor.read(nextTurn);
  mockHeap.afterGc = 21 * MB;
  expect(floor.grewBy(0)).toBe(false);
  expect(gc).not.toHaveBeenCalled();
});

test("the reading waits a turn, so that a finished file's context freed then is not counted", async () => {
  const floor = new LiveFloor(fakeGc());
  mockHeap.afterGc = 25 * MB;
  await floor.read(async () => {
    mockHeap.afterGc = 20 * MB;
  });
  mockHeap.afterGc = 22 * MB;
  expect(floor.grewBy(MB)).toBe(true);
});
