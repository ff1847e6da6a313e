/**
 * Which file a CommonJS module's wrapper scope belongs to, read through the inspector from the
 * wrapper's variables (reachable-collections.ts walks such scopes).
 */
import * as path from 'node:path';
import type { RemoteObject } from './inspector-handles';

/**
 * The file of a CommonJS module's wrapper scope, from what it kept of the wrapper's variables:
 * `__filename`, else `module`'s filename, else the file whose exports `exports` is in
 * `require.cache` (Jest's lists its module registry). A scope keeps only the variables its
 * functions use (react-dom's: `require` and `exports`), and the scope inside it, read only to
 * find it was a library's, took 60-100 ms on its first read in a Jest worker, in each file.
 */
export function wrapperFile(
  variables: ReadonlyArray<{ name: string; value?: RemoteObject & { value?: unknown } }>,
  /** Given for the outermost scope only, where these variables are the wrapper's. */
  post: (<T>(method: string, params: object) => T) | null,
): string | undefined {
  const value = (name: string) => variables.find((variable) => variable.name === name)?.value;
  const filename = value('__filename')?.value;
  if (typeof filename === 'string') return filename;
  if (!post) return undefined;
  const call = (objectId: string, functionDeclaration: string, args: object[] = []): string | undefined => {
    const file = post<{ result: { value?: unknown } }>('Runtime.callFunctionOn', {
      objectId,
      functionDeclaration,
      arguments: args,
      returnByValue: true,
    }).result.value;
    return typeof file === 'string' && path.isAbsolute(file) ? file : undefined;
  };
  const module = value('module');
  const require = value('require');
  const exports = value('exports');
  // An own data property only: a getter would run the module's code.
  const ofModule =
    module?.objectId && module.type === 'object'
      ? call(module.objectId, `function () { return Object.getOwnPropertyDescriptor(this, 'filename')?.value; }`)
      : undefined;
  if (ofModule || !require?.objectId || require.type !== 'function' || !exports?.objectId) return ofModule;
  return call(
    require.objectId,
    `function (exports) {
      const cache = this.cache;
      for (const key of Object.keys(cache ?? {})) if (cache[key]?.exports === exports) return key;
    }`,
    [{ objectId: exports.objectId }],
  );
}
