/**
 * Roughly what a collection's newest entries hold in V8's heap, from their JavaScript values
 * (64-bit V8 without pointer compression, as Node builds it): 8 bytes a field or element,
 * plus headers. Within ~10% of a heap snapshot's figure for arrays, records and strings.
 * Objects already counted (shared between entries) count once.
 */

/**
 * A plain object with more keys than this when found is a table, not a cache filling up (a
 * JSON fixture, a locale's data, mime-db's 2,270 types). Neither the module-state walk nor
 * the growth check follows one: its size would be a key count read twice a test.
 */
export const MAX_OBJECT_KEYS = 1000;
const WORD = 8;
/** A character outside Latin-1: V8 stores the string two bytes a character. */
const TWO_BYTE = /[\u0100-\uffff]/;
/** Objects looked at per estimate at most: an entry that reaches the whole program stops there. */
const MAX_OBJECTS = 500_000;

export class EntrySizer {
  private readonly counted = new Set<unknown>();
  private visits = 0;

  /**
   * Bytes of `value` and what it reaches that was not counted yet, stopping once past `cap`: an
   * entry that reaches a DOM or a React tree would otherwise cost 500,000 visits, and each check
   * sizes every collection of its file.
   */
  size(value: unknown, cap = Infinity): number {
    let bytes = 0;
    const stack: unknown[] = [value];
    while (stack.length > 0 && this.visits < MAX_OBJECTS && bytes <= cap) {
      const item = stack.pop();
      if (typeof item === 'string') {
        if (this.counted.has(item)) continue;
        this.counted.add(item);
        bytes += 2 * WORD + item.length * (TWO_BYTE.test(item) ? 2 : 1);
        continue;
      }
      if (typeof item === 'number') {
        if (!Number.isInteger(item) || Math.abs(item) > 2 ** 31) bytes += 2 * WORD;
        continue;
      }
      if ((typeof item !== 'object' && typeof item !== 'function') || item === null || this.counted.has(item)) continue;
      this.counted.add(item);
      this.visits += 1;
      if (typeof item === 'function') {
        bytes += 8 * WORD;
        continue;
      }
      if (ArrayBuffer.isView(item)) {
        bytes += 8 * WORD; // its bytes are external memory, not the heap's
        continue;
      }
      const kind = Object.prototype.toString.call(item);
      if (kind === '[object Map]') {
        const map = item as Map<unknown, unknown>;
        bytes += 4 * WORD + map.size * 3 * WORD * 1.5;
        for (const [key, entry] of Map.prototype.entries.call(map) as IterableIterator<[unknown, unknown]>) stack.push(key, entry);
        continue;
      }
      if (kind === '[object Set]') {
        const set = item as Set<unknown>;
        bytes += 4 * WORD + set.size * 2 * WORD * 1.5;
        for (const entry of Set.prototype.values.call(set) as IterableIterator<unknown>) stack.push(entry);
        continue;
      }
      if (Array.isArray(item)) {
        bytes += 4 * WORD + 2 * WORD + item.length * WORD;
        for (const element of item as unknown[]) stack.push(element);
        continue;
      }
      const keys = Object.keys(item);
      bytes += 3 * WORD + keys.length * WORD;
      for (const key of keys) {
        const descriptor = Object.getOwnPropertyDescriptor(item, key);
        if (descriptor && 'value' in descriptor) stack.push(descriptor.value);
      }
    }
    return bytes;
  }
}

/** Made by `{}` or `Object.create(null)`, in any realm: its prototype is a realm's Object.prototype, or none. */
export function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/**
 * The newest entries of a Map, Set, array or plain object (of any realm), newest first. A
 * plain object's entries are its own enumerable data properties, [key, value], in key order:
 * insertion order, but integer-like keys first, ascending. Getters are not run.
 */
export function newestFirst(collection: object): unknown[] {
  const kind = Object.prototype.toString.call(collection);
  if (kind === '[object Map]') return [...(Map.prototype.entries.call(collection) as IterableIterator<unknown>)].reverse();
  if (kind === '[object Set]') return [...(Set.prototype.values.call(collection) as IterableIterator<unknown>)].reverse();
  if (Array.isArray(collection)) return [...(collection as unknown[])].reverse();
  if (kind !== '[object Object]' || !isPlainObject(collection)) return [];
  return ownDataProperties(collection)
    .map(([key, descriptor]) => [key, descriptor.value] as [string, unknown])
    .reverse();
}

/** A plain object's own enumerable data properties, in key order, with their descriptors: its entries. */
export function ownDataProperties(object: object): Array<[string, PropertyDescriptor]> {
  return Object.keys(object).flatMap((key) => {
    const descriptor = Object.getOwnPropertyDescriptor(object, key);
    return descriptor && 'value' in descriptor ? [[key, descriptor] as [string, PropertyDescriptor]] : [];
  });
}

/**
 * How many of the newest entries, and their bytes, make at least `threshold` and at most
 * `limit` (what the test can have kept); null when none do.
 */
export function newestEntriesHolding(collection: object, threshold: number, limit: number): { entries: number; bytes: number } | null {
  const sizer = new EntrySizer();
  let bytes = 0;
  let entries = 0;
  for (const entry of newestFirst(collection)) {
    bytes += sizer.size(entry, limit - bytes);
    entries += 1;
    if (bytes > limit) return null;
    if (bytes >= threshold) return { entries, bytes };
  }
  return null;
}
