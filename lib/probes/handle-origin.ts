/** Where a handle left open came from: a line of the project, or code the project only called. */
import * as path from 'node:path';
import { callSites, isInside, isProjectFile, OWN_DIST, toFilePath, userSite } from '../core/stack';
import type { Resource } from './tracked-resource';
import { windowTimer, WindowTimerKind } from './window-timers';

/**
 * The project line that created a handle, or the resource that led to it: a server bound
 * to a host name is created in a DNS lookup's callback, whose own creation has the user's stack.
 * A timer made in a timer's callback is not a hop: jsdom re-arms an interval that way at
 * each tick, 20 times in the grace period at 5 ms.
 */
export function siteOf(
  resource: Resource,
  live: ReadonlyMap<number, Resource>,
  rootDir: string,
  testFile: string | null = null,
): string | null {
  let hops = 0;
  for (let current: Resource | undefined = resource, steps = 0; current && hops < 5 && steps < 1000; steps++) {
    const site = userSite(current.origin, rootDir, testFile);
    if (site) return site;
    const parent = live.get(current.triggerId);
    if (!(parent?.type === 'Timeout' && current.type === 'Timeout')) hops += 1;
    current = parent;
  }
  return null;
}

/**
 * A jsdom window's fire-once timer that the code under test asked for, not the test file:
 * the code right outside jsdom decides, so a library's timer armed while the test file's
 * render() runs is the library's.
 */
export function isWindowHousekeeping(handle: Resource, testFile: string | null): boolean {
  if (handle.type !== 'Timeout') return false;
  handle.windowTimer ??= windowTimer(callSites(handle.origin) ?? []);
  const { kind, caller } = handle.windowTimer;
  if (kind !== WindowTimerKind.Once) return false;
  return caller !== null && toFilePath(caller) !== testFile;
}

/**
 * Whether the code that made it, nearest first past Node's own, is a library's: a pool's or a
 * client's socket, not one the project's code opened itself. Made in a callback (no frame but
 * Node's), it is not known to be.
 */
export function madeByLibrary(resource: Resource, rootDir: string): boolean {
  for (const frame of callSites(resource.origin) ?? []) {
    const file = toFilePath(frame.getFileName() ?? '');
    // Node's own frames, and leakwatch's hook that recorded the stack.
    if (!path.isAbsolute(file) || isInside(file, OWN_DIST)) continue;
    return !isProjectFile(file, rootDir);
  }
  return false;
}
