/**
 * Where `fs` opened each descriptor: wrappers of its open functions (open, openSync,
 * fs.promises.open, and so the streams, which call fs.open) and of its close functions.
 */
// The module object itself (esModuleInterop's default): `import * as` would give a copy, and
// patching a copy does nothing.
import fs from 'node:fs';
import * as path from 'node:path';
import { wrapFunction, type AnyFunction } from '../core/patch';
import { creationStack, toFilePath } from '../core/stack';

/** Where `fs` opened a descriptor, and what. */
export interface Opened {
  origin: Error;
  /** Absolute, when the open was given a path. */
  path: string | undefined;
}

/** Where the wrappers record an open, and whom they tell of a close. */
export interface OpenRecorder {
  /** The map an open goes into, asked at the call; null: none records it. */
  into(): Map<number, Opened> | null;
  /** A descriptor `fs` closed. */
  forget(fd: number): void;
}

/**
 * Records a creation stack for each descriptor `fs` opens while a test runs (V8 formats it only if reported).
 * How to undo each wrapper goes onto `restore` as it is made.
 */
export function wrapFsOpens(recorder: OpenRecorder, restore: Array<() => void>): void {
  const remember = (opened: Map<number, Opened>, fd: unknown, origin: Error, file: unknown): void => {
    if (typeof fd === 'number') opened.set(fd, { origin, path: pathOf(file) });
  };
  const forget = (fd: unknown): void => {
    if (typeof fd === 'number') recorder.forget(fd);
  };
  const patch = (target: object, name: string, make: (original: AnyFunction) => AnyFunction): void => {
    restore.push(wrapFunction(target, name, make));
  };
  for (const name of ['closeSync', 'close'] as const) {
    patch(
      fs,
      name,
      (original) =>
        function (this: unknown, ...args: unknown[]): unknown {
          forget(args[0]);
          return original.apply(this, args);
        },
    );
  }
  patch(
    fs,
    'openSync',
    (original) =>
      function (this: unknown, ...args: unknown[]): unknown {
        const opened = recorder.into();
        if (!opened || hasSelfClosingSignature(args) || openedBySelfClosingCall()) return original.apply(this, args);
        const error = creationStack();
        const fd = original.apply(this, args);
        remember(opened, fd, error, args[0]);
        return fd;
      },
  );
  patch(
    fs,
    'open',
    (original) =>
      function (this: unknown, ...args: unknown[]): unknown {
        const callback = args[args.length - 1];
        const opened = recorder.into();
        if (opened && typeof callback === 'function') {
          const error = creationStack();
          args[args.length - 1] = function (this: unknown, failure: unknown, fd: unknown): unknown {
            if (!failure) remember(opened, fd, error, args[0]);
            return (callback as AnyFunction).call(this, failure, fd);
          };
        }
        return original.apply(this, args);
      },
  );
  patch(
    fs.promises,
    'open',
    (original) =>
      function (this: unknown, ...args: unknown[]): unknown {
        const result = original.apply(this, args);
        const opened = recorder.into();
        if (opened) {
          const error = creationStack();
          (result as Promise<{ fd?: unknown }>).then(
            (handle) => remember(opened, handle?.fd, error, args[0]),
            () => undefined,
          );
        }
        return result;
      },
  );
}

/**
 * Node's readFileSync, writeFileSync and appendFileSync open with (path, flags, 0o666), their
 * default mode: telling them so costs nothing, where even five frames of stack cost ~4 µs an
 * open, and Jest reads every module through readFileSync (0.17 s on luxon's suite). A test that calls
 * openSync so itself and leaves the descriptor open still has it reported, without its line.
 */
function hasSelfClosingSignature(args: unknown[]): boolean {
  return args.length === 3 && args[2] === 0o666;
}

/** Node's functions that close the descriptor they open before they return. */
const SELF_CLOSING = new Set(['readFileSync', 'writeFileSync', 'appendFileSync']);

/**
 * Whether Node's readFileSync (or another of SELF_CLOSING) is opening: Jest's module loader
 * reads every module so, through graceful-fs's copy of the function, which no wrapper of
 * fs.readFileSync sees. Five frames cost ~4 µs where a creation stack costs 25-45 µs: on
 * luxon's suite, 0.4 s.
 */
function openedBySelfClosingCall(): boolean {
  const limit = Error.stackTraceLimit;
  const prepare = Reflect.get(Error, 'prepareStackTrace') as unknown;
  Error.stackTraceLimit = 5;
  Error.prepareStackTrace = (_error, sites) => sites;
  try {
    const sites = new Error().stack as unknown as NodeJS.CallSite[];
    return sites.some((site) => site.getFileName() === 'node:fs' && SELF_CLOSING.has(site.getFunctionName() ?? ''));
  } catch {
    return false;
  } finally {
    Error.stackTraceLimit = limit;
    Reflect.set(Error, 'prepareStackTrace', prepare);
  }
}

function pathOf(file: unknown): string | undefined {
  if (typeof file === 'string' || file instanceof URL) return path.resolve(toFilePath(file));
  if (Buffer.isBuffer(file)) return path.resolve(file.toString());
  return undefined;
}
