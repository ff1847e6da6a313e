import { getGc } from '../../core/gc';
import { GlobalLeftovers } from '../global-leftovers';

/** An environment shaped like Jest 30's node environment, with its GlobalProxy's leftovers. */
function jest30Environment(leftovers: Array<{ property: string; value: unknown }> = []) {
  return { _globalProxy: { leftovers } };
}

test('is null for an environment without Jest 30’s GlobalProxy (Jest 29, jsdom)', () => {
  expect([GlobalLeftovers.of({}), GlobalLeftovers.of({ _globalProxy: {} })]).toEqual([null, null]);
});

test('release empties Jest’s list, so the replaced values are no longer held by it', () => {
  const environment = jest30Environment([
    { property: 'big', value: { data: [1, 2, 3] } },
    { property: 'count', value: 3 },
  ]);
  GlobalLeftovers.of(environment)!.release();
  expect(environment._globalProxy.leftovers).toEqual([]);
});

test('restore gives back, in order, the objects and functions still alive, for Jest to empty at teardown', () => {
  const big = { data: [1, 2, 3] };
  const fetchMock = (): void => undefined;
  const environment = jest30Environment([
    { property: 'big', value: big },
    { property: 'count', value: 3 },
  ]);
  const leftovers = GlobalLeftovers.of(environment)!;
  leftovers.release();
  environment._globalProxy.leftovers.push({ property: 'fetch', value: fetchMock });
  leftovers.release();
  leftovers.restore();
  expect(environment._globalProxy.leftovers).toEqual([
    { property: 'big', value: big },
    { property: 'fetch', value: fetchMock },
  ]);
});

test('restore gives nothing back twice', () => {
  const environment = jest30Environment([{ property: 'big', value: {} }]);
  const leftovers = GlobalLeftovers.of(environment)!;
  leftovers.release();
  leftovers.restore();
  environment._globalProxy.leftovers.length = 0;
  leftovers.restore();
  expect(environment._globalProxy.leftovers).toEqual([]);
});

test('a released value collected since is not given back', async () => {
  const environment = jest30Environment([{ property: 'big', value: { data: new Array(1000).fill(0) } }]);
  const leftovers = GlobalLeftovers.of(environment)!;
  leftovers.release();
  // A WeakRef keeps its target until the current job ends.
  await new Promise((resolve) => setImmediate(resolve));
  getGc()!();
  leftovers.restore();
  expect(environment._globalProxy.leftovers).toEqual([]);
});
