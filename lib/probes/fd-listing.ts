/**
 * The process's open file descriptors, from /proc/self/fd (Linux): listed, counted by the
 * kernel, and those that appeared since an earlier listing.
 */
import fs from 'node:fs';
import type { Opened } from './fd-opens';

export const FD_DIR = '/proc/self/fd';
/** Unwrapped: listing descriptors must not go through the fds probe's (fd-opens.ts) or the temp files probe's wrappers. */
const { openSync, closeSync, readdirSync, readlinkSync, statSync } = fs;
/**
 * libuv's own descriptors, opened once per event loop on first use and never closed: the
 * inotify instance behind every fs.watch (a watcher left open is reported by the handles check).
 */
const LIBUV_SINGLETONS = new Set(['anon_inode:inotify']);
/**
 * Sockets are the handles check's: it names each with its address and the line that opened it,
 * and tells a leaked one from an agent's pooled keep-alive socket or a server's idle connection,
 * which stay open for seconds after a clean request.
 */
const isSocket = (target: string): boolean => target.startsWith('socket:');

/** What a descriptor points to (a file path, socket:[…], pipe:[…]); throws once it is closed. */
export function fdTarget(fd: string): string {
  return readlinkSync(`${FD_DIR}/${fd}`);
}

/**
 * Open descriptors. readdir lists its own descriptor too, closed by the time it returns, and
 * the test's first open() may reuse that number. It is the lowest free number, which opening
 * and closing /dev/null just before tells: two syscalls rather than an fstat per descriptor.
 */
export function openFds(): string[] {
  const lowestFree = openSync('/dev/null', 'r');
  closeSync(lowestFree);
  const own = String(lowestFree);
  return readdirSync(FD_DIR).filter((fd) => fd !== own);
}

/** Open descriptors, counted by the kernel: /proc/self/fd's size on Linux 6.2+, 0 before. */
export function fdCount(): number {
  return statSync(FD_DIR).size;
}

/**
 * Whether fdCount() agrees with a listing. Another thread (libuv's pool, for Jest's own
 * asynchronous reads) may open or close a descriptor in between: three tries.
 */
export function countMatchesListing(): boolean {
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
 * Descriptors in `open` that were not open before, with what they point to, sockets left out.
 * A number that was open at the start, closed, and given to the test's own `fs` open of the
 * same path (a stream the previous test ended is still closing when this one starts) is new
 * too; a number reused by anything else is missed.
 */
export function newFds(open: string[], before: Set<string>, openedAt: Map<number, Opened> | null): Array<[string, string]> {
  const added: Array<[string, string]> = [];
  for (const fd of open) {
    const reopened = openedAt?.get(Number(fd))?.path;
    if (before.has(fd) && reopened === undefined) continue;
    try {
      const target = readlinkSync(`${FD_DIR}/${fd}`);
      if (LIBUV_SINGLETONS.has(target) || isSocket(target)) continue;
      if (before.has(fd) && !samePath(target, reopened!)) continue;
      added.push([fd, target]);
    } catch {
      // Closed meanwhile.
    }
  }
  return added;
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
