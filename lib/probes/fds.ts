/**
 * FdsProbe: file descriptors a test opened and left open, on Linux, from /proc/self/fd,
 * each described by what it points to (a file path, socket:[…], pipe:[…]) and, for those
 * opened through `fs` (open, openSync, fs.promises.open, and the streams, which call
 * fs.open), the line that opened it. Descriptors that close within the handles' grace
 * period are not leaks. Sockets' creation lines come from the handles check. At file level,
 * the descriptors that appeared while the file's own code ran (module scope, beforeAll,
 * afterAll) and are still open after its last afterAll hook: a descriptor belongs to the
 * process, so it outlives the file.
 */
// The module object itself (esModuleInterop's default): `import * as` would give a copy, and
// patching a copy does nothing.
import fs from 'node:fs';
import * as path from 'node:path';
import type { MaybePromise } from '../core/maybe-async';
import { wrapFunction, type AnyFunction } from '../core/patch';
import { creationStack, toFilePath, userSite } from '../core/stack';
import { GRACE_MS, stillThereAfterGrace } from '../core/timers';
import { BeforeAfterProbe } from './probe';
import type { FilePhase, Finding } from '../core/types';

const FD_DIR = '/proc/self/fd';
/** Unwrapped: listing descriptors must not go through this probe's or the temp files probe's wrappers. */
const { openSync, closeSync, readdirSync, readlinkSync, statSync } = fs;
/**
 * libuv's own descriptors, opened once per event loop on first use and never closed: the
 * inotify instance behind every fs.watch (a watcher left open is reported by the handles check).
 */
const LIBUV_SINGLETONS = new Set(['anon_inode:inotify']);

export class FdsProbe extends BeforeAfterProbe<Set<string>> {
  readonly check = 'fds' as const;
  private readonly supported = fs.existsSync(FD_DIR);
  /** Whether this kernel gives the number of open descriptors as /proc/self/fd's size (Linux 6.2+). */
  private countable = false;
  /** Each descriptor opened through `fs` during the current test: where, and the path opened. */
  private openedAt: Map<number, Opened> | null = null;
  /**
   * The descriptors open at the last test's end, while nothing but Jest ran since: the next
   * test's start reading, which spares a listing of /proc/self/fd.
   */
  private lastEnd: Set<string> | null = null;
  private readonly restore: Array<() => void> = [];
  /** While the file's own code runs: the descriptors open when it began, and where it runs. */
  private fileStretch: { open: Set<string>; phase: FilePhase } | null = null;
  /** Descriptors `fs` opened while the file's own code ran: where. */
  private readonly fileOpenedAt = new Map<number, Opened>();
  /** Descriptors that appeared while the file's own code ran: what they pointed to, and when. */
  private readonly fileOwned = new Map<string, { target: string; phase: FilePhase }>();

  constructor(private readonly rootDir: string) {
    super();
  }

  /**
   * Wraps `fs` here, before module scope, as the temp files probe does: probes that wrap the
   * same functions must wrap in probe order so that disposing in reverse unwraps each one.
   */
  startFileWindow(): void {
    if (this.supported) this.wrapOpens();
  }

  fileCodeRunning(phase: FilePhase | null): void {
    if (!this.supported) return;
    this.endFileStretch();
    if (phase !== null) this.fileStretch = { open: new Set(openFds()), phase };
  }

  async finishFileWindow(): Promise<Finding | null> {
    this.endFileStretch();
    const owned = this.fileOwned;
    if (owned.size === 0) return null;
    const left = await stillThereAfterGrace(() =>
      [...owned].filter(([fd, { target }]) => {
        try {
          return readlinkSync(`${FD_DIR}/${fd}`) === target;
        } catch {
          return false;
        }
      }),
    );
    owned.clear();
    return fdsFinding(
      left.map(([fd, { target, phase }]) => `fd ${fd} → ${target}${this.where(this.fileOpenedAt, fd)} (${phase})`),
      `Still open ${GRACE_MS} ms after the file's last afterAll hook: close it (fs.closeSync, filehandle.close(), stream.destroy()) in an afterAll hook.`,
    );
  }

  override startFile(): string | null {
    if (!this.supported) return `file descriptors are not checked on ${process.platform} (no ${FD_DIR})`;
    this.countable = countMatchesListing();
    if (this.restore.length === 0) this.wrapOpens();
    return null;
  }

  override beforeTest(): void {
    super.beforeTest();
    this.openedAt = this.supported ? new Map() : null;
  }

  override abandonTest(): void {
    super.abandonTest();
    this.openedAt = null;
    this.lastEnd = null;
  }

  userCodeRan(): void {
    this.lastEnd = null;
  }

  override dispose(): void {
    super.dispose();
    this.openedAt = null;
    this.fileStretch = null;
    this.fileOwned.clear();
    this.fileOpenedAt.clear();
    for (const undo of this.restore.splice(0)) undo();
  }

  protected read(): Set<string> | null {
    if (!this.supported) return null;
    const open = this.lastEnd ?? new Set(openFds());
    this.lastEnd = null;
    return open;
  }

  protected compare(before: Set<string>): MaybePromise<Finding | null> {
    const openedAt = this.openedAt;
    this.openedAt = null;
    // As many descriptors as at the start, and none opened through `fs`: the same ones (one
    // syscall instead of a listing). Missed: a test that closes
    // a descriptor it did not open and leaves one open that `fs` did not open (a native
    // addon's), both in the same test.
    if (this.countable && openedAt?.size === 0 && fdCount() === before.size) {
      this.lastEnd = before;
      return null;
    }
    return this.leftAfterGrace(before, openedAt);
  }

  private async leftAfterGrace(before: Set<string>, openedAt: Map<number, Opened> | null): Promise<Finding | null> {
    const left = await stillThereAfterGrace(() => {
      const open = openFds();
      this.lastEnd = new Set(open);
      return newFds(open, before, openedAt);
    });
    return fdsFinding(
      left.map(([fd, target]) => `fd ${fd} → ${target}${this.where(openedAt, fd)}`),
      `Still open ${GRACE_MS} ms after the test ended: close it (fs.closeSync, filehandle.close(), stream.destroy()) in the test or an afterEach hook.`,
    );
  }

  /** ", opened at <line>" for a descriptor `fs` opened from a project line, else nothing. */
  private where(openedAt: Map<number, Opened> | null, fd: string): string {
    const origin = openedAt?.get(Number(fd))?.origin;
    const site = origin ? userSite(origin, this.rootDir) : null;
    return site ? `, opened at ${site}` : '';
  }

  /** What appeared since the file's code began running is the file's, until it is closed. */
  private endFileStretch(): void {
    const stretch = this.fileStretch;
    this.fileStretch = null;
    if (!stretch) return;
    for (const [fd, target] of newFds(openFds(), stretch.open, this.fileOpenedAt)) {
      this.fileOwned.set(fd, { target, phase: stretch.phase });
    }
  }

  /** Records a creation stack for each descriptor `fs` opens while a test runs (V8 formats it only if reported). */
  private wrapOpens(): void {
    const probe = this;
    // Into the current test's map, or the file's while its own code runs; chosen at the call,
    // so an open that completes later is still the caller's.
    const into = (): Map<number, Opened> | null => probe.openedAt ?? (probe.fileStretch ? probe.fileOpenedAt : null);
    const remember = (opened: Map<number, Opened>, fd: unknown, origin: Error, file: unknown): void => {
      if (typeof fd === 'number') opened.set(fd, { origin, path: pathOf(file) });
    };
    // A descriptor closed is no longer the test's: a test whose opens all closed keeps the
    // one-syscall comparison (compare).
    const forget = (fd: unknown): void => {
      if (typeof fd !== 'number') return;
      probe.openedAt?.delete(fd);
      probe.fileOpenedAt.delete(fd);
    };
    for (const name of ['closeSync', 'close'] as const) {
      this.patch(
        fs,
        name,
        (original) =>
          function (this: unknown, ...args: unknown[]): unknown {
            forget(args[0]);
            return original.apply(this, args);
          },
      );
    }
    this.patch(
      fs,
      'openSync',
      (original) =>
        function (this: unknown, ...args: unknown[]): unknown {
          const opened = into();
          if (!opened || hasSelfClosingSignature(args) || openedBySelfClosingCall()) return original.apply(this, args);
          const error = creationStack();
          const fd = original.apply(this, args);
          remember(opened, fd, error, args[0]);
          return fd;
        },
    );
    this.patch(
      fs,
      'open',
      (original) =>
        function (this: unknown, ...args: unknown[]): unknown {
          const callback = args[args.length - 1];
          const opened = into();
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
    this.patch(
      fs.promises,
      'open',
      (original) =>
        function (this: unknown, ...args: unknown[]): unknown {
          const result = original.apply(this, args);
          const opened = into();
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

  private patch(target: object, name: string, make: (original: AnyFunction) => AnyFunction): void {
    this.restore.push(wrapFunction(target, name, make));
  }
}

/** One line per descriptor left open, then what to do; null when none is. */
function fdsFinding(lines: string[], advice: string): Finding | null {
  if (lines.length === 0) return null;
  return {
    check: 'fds',
    verdict: 'leak',
    summary: `leaked ${lines.length === 1 ? '1 file descriptor' : `${lines.length} file descriptors`}`,
    details: [...lines, advice],
  };
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

/**
 * Open descriptors. readdir lists its own descriptor too, closed by the time it returns, and
 * the test's first open() may reuse that number. It is the lowest free number, which opening
 * and closing /dev/null just before tells: two syscalls rather than an fstat per descriptor.
 */
function openFds(): string[] {
  const lowestFree = openSync('/dev/null', 'r');
  closeSync(lowestFree);
  const own = String(lowestFree);
  return readdirSync(FD_DIR).filter((fd) => fd !== own);
}

/** Open descriptors, counted by the kernel: /proc/self/fd's size on Linux 6.2+, 0 before. */
function fdCount(): number {
  return statSync(FD_DIR).size;
}

/**
 * Whether fdCount() agrees with a listing. Another thread (libuv's pool, for Jest's own
 * asynchronous reads) may open or close a descriptor in between: three tries.
 */
function countMatchesListing(): boolean {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      if (fdCount() === openFds().length) return true;
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * Descriptors in `open` that were not open before, with what they point to. A number that was
 * open at the start, closed, and given to the test's own `fs` open of the same path (a stream
 * the previous test ended is still closing when this one starts) is new too; a number reused
 * by anything else is missed.
 */
function newFds(open: string[], before: Set<string>, openedAt: Map<number, Opened> | null): Array<[string, string]> {
  const added: Array<[string, string]> = [];
  for (const fd of open) {
    const reopened = openedAt?.get(Number(fd))?.path;
    if (before.has(fd) && reopened === undefined) continue;
    try {
      const target = readlinkSync(`${FD_DIR}/${fd}`);
      if (LIBUV_SINGLETONS.has(target)) continue;
      if (before.has(fd) && !samePath(target, reopened!)) continue;
      added.push([fd, target]);
    } catch {
      // Closed meanwhile.
    }
  }
  return added;
}

interface Opened {
  origin: Error;
  /** Absolute, when the open was given a path. */
  path: string | undefined;
}

function pathOf(file: unknown): string | undefined {
  if (typeof file === 'string' || file instanceof URL) return path.resolve(toFilePath(file));
  if (Buffer.isBuffer(file)) return path.resolve(file.toString());
  return undefined;
}

/** /proc's link text for an open file is its real path. */
function samePath(target: string, opened: string): boolean {
  if (target === opened) return true;
  try {
    return target === fs.realpathSync(opened);
  } catch {
    return false;
  }
}
