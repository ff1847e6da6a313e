/**
 * Which own fields of a class instance held in module state are collections: a service's
 * `this.quotes = new Map()`, exported as one instance, is a cache keyed on input as much as a
 * module-level Map. They belong to the class's script, so a library's class is left alone
 * as any collection in a library's file is (module-holders.ts). Not when the instance has a
 * number among its fields: a capacity or a time to live bounds its collections (an LRU's
 * `max`), and a test that fills a bounded cache once keeps nothing for good.
 */
import type { RemoteObject } from './inspector-handles';

export interface FieldDescriptor {
  name: string;
  value?: RemoteObject & { value?: unknown };
}

/** An instance's collection fields, and the script of its class. */
export interface InstanceCollections {
  scriptId: string;
  fields: Set<string>;
}

/** Collection subtypes a field may hold. */
const COLLECTION_SUBTYPES = new Set(['map', 'set', 'array']);

/**
 * The instance's fields that hold a Map, Set or array, or null. `classScript` asks the
 * inspector for the script of the instance's constructor (two calls, made only when such a
 * field exists and nothing bounds it).
 */
export function instanceCollections(fields: readonly FieldDescriptor[], classScript: () => string | null): InstanceCollections | null {
  const collections = fields.filter((field) => field.value?.objectId && COLLECTION_SUBTYPES.has(field.value.subtype ?? ''));
  if (collections.length === 0 || fields.some((field) => field.value?.type === 'number')) return null;
  const scriptId = classScript();
  return scriptId ? { scriptId, fields: new Set(collections.map((field) => field.name)) } : null;
}

/**
 * The function declaration the inspector calls on the instance for its constructor: from
 * the prototype's own data property, so no getter of the user's runs.
 */
export const CONSTRUCTOR_OF = `function () {
  const prototype = Object.getPrototypeOf(this);
  const descriptor = prototype === null ? undefined : Object.getOwnPropertyDescriptor(prototype, 'constructor');
  return typeof descriptor?.value === 'function' ? descriptor.value : undefined;
}`;
