/** What counts as an open handle: the resource types that keep the event loop alive, and whether one still does. */

/** Resource types that keep the event loop alive. */
export const HANDLE_TYPES = new Set([
  'Timeout',
  // A setImmediate loop keeps the process busy forever: its pending Immediate, made by the
  // loop's last turn, is still there after the grace period; a one-off has run by then.
  'Immediate',
  'TCPSERVERWRAP',
  'TCPWRAP',
  'PIPESERVERWRAP',
  'PIPEWRAP',
  'UDPWRAP',
  'PROCESSWRAP',
  'WORKER',
  'FSEVENTWRAP',
  'STATWATCHER',
  'SIGNALWRAP',
  'MESSAGEPORT',
  // Not TLSWRAP: it has no hasRef() to tell it closed, and the TCPWRAP under it is reported.
]);

/**
 * Open and keeping the process alive. Collected: closed. A timer or immediate that fired or
 * was cleared is marked `_destroyed` at once. Every other handle type here is a libuv handle
 * wrap whose hasRef() is false when unref'ed and undefined once closed (its native half is
 * gone); checked on Node 20, 22 and 24 for each type (docs/how-it-works.md, "Open handles").
 */
export function isOpen(resource: object | undefined): boolean {
  if (!resource) return false;
  if ((resource as { _destroyed?: boolean })._destroyed === true) return false;
  // The process's own stdin, stdout or stderr, made on first use (a test file that reads
  // process.stdout in a Jest worker with CI=true): Node's, not the test's.
  const fd = (resource as { fd?: unknown }).fd;
  if (typeof fd === 'number' && fd >= 0 && fd <= 2) return false;
  const hasRef = (resource as { hasRef?: () => boolean }).hasRef;
  if (typeof hasRef !== 'function') return true;
  try {
    return hasRef.call(resource) === true;
  } catch {
    return false;
  }
}
