/**
 * Whether the test is what put a collection's newest entries there. Looked at after the test,
 * entries the test added look the same as entries a beforeAll hook or an earlier test added.
 * So the entries are taken out of the live collection, the test runs once more, and it is the
 * cause when it puts them back (a memo cache computes its value again); otherwise they are put
 * back as they were.
 */
import { isPlainObject, ownDataProperties } from './entry-size';

/**
 * Takes the newest `count` entries out of `holder` (a Map, Set, Array or plain object of any
 * realm), runs `rerun`, and tells whether the run put as many back. Entries the run did not
 * put back are restored, in their order.
 */
export async function rerunPutsBack(holder: unknown, count: number, rerun: () => Promise<void>): Promise<boolean> {
  const kind = Object.prototype.toString.call(holder);
  if (kind === '[object Map]') return mapPutsBack(holder as Map<unknown, unknown>, count, rerun);
  if (kind === '[object Set]') return setPutsBack(holder as Set<unknown>, count, rerun);
  if (Array.isArray(holder)) return arrayPutsBack(holder as unknown[], count, rerun);
  if (kind === '[object Object]' && isPlainObject(holder as object)) return objectPutsBack(holder as object, count, rerun);
  return false;
}

async function mapPutsBack(map: Map<unknown, unknown>, count: number, rerun: () => Promise<void>): Promise<boolean> {
  const taken = [...Map.prototype.entries.call(map)].slice(-count) as Array<[unknown, unknown]>;
  for (const [key] of taken) Map.prototype.delete.call(map, key);
  try {
    await rerun();
    return taken.every(([key]) => Map.prototype.has.call(map, key));
  } finally {
    for (const [key, value] of taken) if (!Map.prototype.has.call(map, key)) Map.prototype.set.call(map, key, value);
  }
}

async function setPutsBack(set: Set<unknown>, count: number, rerun: () => Promise<void>): Promise<boolean> {
  const taken = [...Set.prototype.values.call(set)].slice(-count);
  for (const value of taken) Set.prototype.delete.call(set, value);
  const sizeWithout = setSize(set);
  let putBack = false;
  try {
    await rerun();
    // A Set of objects gets new objects back, equal in kind but not identical.
    putBack = setSize(set) - sizeWithout >= taken.length;
    return putBack;
  } finally {
    if (!putBack) for (const value of taken) Set.prototype.add.call(set, value);
  }
}

async function arrayPutsBack(array: unknown[], count: number, rerun: () => Promise<void>): Promise<boolean> {
  const lengthBefore = array.length;
  const taken = Array.prototype.splice.call(array, Math.max(0, lengthBefore - count), count) as unknown[];
  let putBack = false;
  try {
    await rerun();
    putBack = array.length >= lengthBefore;
    return putBack;
  } finally {
    if (!putBack) Array.prototype.push.apply(array, taken);
  }
}

/** A plain object's newest keys (entry-size.ts's order); a key that will not go (frozen, not configurable) is not the test's. */
async function objectPutsBack(object: object, count: number, rerun: () => Promise<void>): Promise<boolean> {
  const taken = ownDataProperties(object).slice(-count);
  const removed = taken.filter(([key]) => Reflect.deleteProperty(object, key));
  try {
    if (removed.length < taken.length) return false;
    await rerun();
    return taken.every(([key]) => Object.prototype.hasOwnProperty.call(object, key));
  } finally {
    for (const [key, descriptor] of removed) {
      if (!Object.prototype.hasOwnProperty.call(object, key)) Object.defineProperty(object, key, descriptor);
    }
  }
}

/** A Set's size, read with this realm's getter (the Set may be of the test's realm). */
function setSize(set: Set<unknown>): number {
  const size: unknown = Reflect.get(Set.prototype, 'size', set);
  return Number(size);
}
