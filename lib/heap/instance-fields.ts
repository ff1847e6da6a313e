/**
 * Which own fields of a class instance held in module state are collections: a service's
 * `this.quotes = new Map()` or `this.byName = {}`, exported as one instance, is a cache keyed
 * on input as much as a module-level Map or object. They belong to the class's script, so a
 * library's class is left alone as any collection in a library's file is (module-holders.ts). Not when the instance has a
 * number among its fields: a capacity or a time to live bounds its collections (an LRU's
 * `max`), and a test that fills a bounded cache once keeps nothing for good.
 */
import type { RemoteObject } from './inspector-handles';

export interface FieldDescriptor {
  name: string;
  value?: RemoteObject & { value?: unknown };
}

/** What a collection is: a plain object's own keys are its entries (`cache[key] = …`). */
export type CollectionKind = 'Map' | 'Set' | 'Array' | 'Object';

/** An instance's collection fields by name, and the script of its class. */
export interface InstanceCollections {
  scriptId: string;
  fields: Map<string, CollectionKind>;
}

/** The collection kinds of the inspector's object subtypes. */
export const KINDS: Record<string, CollectionKind> = { map: 'Map', set: 'Set', array: 'Array' };

/** An object made by `{}` or `Object.create(null)`: not a class instance, an array, a proxy or a DOM node. */
export function isPlainRemoteObject(value: RemoteObject): boolean {
  return value.type === 'object' && !value.subtype && value.className === 'Object';
}

/** What collection a value is (a Map, Set, array or plain object), if any. */
export function collectionKind(value: FieldDescriptor['value']): CollectionKind | undefined {
  if (!value?.objectId) return undefined;
  return value.subtype ? KINDS[value.subtype] : isPlainRemoteObject(value) ? 'Object' : undefined;
}

/**
 * The instance's fields that hold a Map, Set, array or plain object, or null. `classScript`
 * asks the inspector for the script of the instance's constructor (two calls, made only when
 * such a field exists and nothing bounds it).
 */
export function instanceCollections(fields: readonly FieldDescriptor[], classScript: () => string | null): InstanceCollections | null {
  const collections = fields.flatMap((field): Array<[string, CollectionKind]> => {
    const kind = collectionKind(field.value);
    return kind ? [[field.name, kind]] : [];
  });
  if (collections.length === 0 || fields.some((field) => field.value?.type === 'number')) return null;
  const scriptId = classScript();
  return scriptId ? { scriptId, fields: new Map(collections) } : null;
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
