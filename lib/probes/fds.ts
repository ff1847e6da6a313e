/**
 * FdsProbe: file descriptors a test opened and left open, on Linux, from /proc/self/fd,
 * each described by what it points to (a file path, socket:[…], pipe:[…]). Descriptors that
 * close within the handles' grace period are not leaks.
 */
import * as fs from 'node:fs';
import { GRACE_MS, stillThereAfterGrace } from '../timers';
import { BeforeAfterProbe, type Finding } from './probe';

const FD_DIR = '/proc/self/fd';

export class FdsProbe extends BeforeAfterProbe<Set<string>> {
  readonly check = 'fds' as const;
  private readonly supported = fs.existsSync(FD_DIR);

  override startFile(): string | null {
    return this.supported ? null : `file descriptors are not checked on ${process.platform} (no ${FD_DIR})`;
  }

  protected read(): Set<string> | null {
    return this.supported ? new Set(openFds()) : null;
  }

  protected async compare(before: Set<string>): Promise<Finding | null> {
    const left = await stillThereAfterGrace(() => newFds(before));
    if (left.length === 0) return null;
    return {
      check: 'fds',
      verdict: 'leak',
      summary: `leaked ${left.length === 1 ? '1 file descriptor' : `${left.length} file descriptors`}`,
      details: [
        ...left.map(([fd, target]) => `fd ${fd} → ${target}`),
        `Still open ${GRACE_MS} ms after the test ended: close it (fs.closeSync, filehandle.close(), stream.destroy()) in the test or an afterEach hook.`,
      ],
    };
  }
}

/**
 * Open descriptors. readdir lists its own descriptor too, closed by the time it returns, and
 * the test's first open() may reuse that number. It is the lowest free number, which opening
 * and closing /dev/null just before tells: two syscalls rather than an fstat per descriptor.
 */
function openFds(): string[] {
  const lowestFree = fs.openSync('/dev/null', 'r');
  fs.closeSync(lowestFree);
  const own = String(lowestFree);
  return fs.readdirSync(FD_DIR).filter((fd) => fd !== own);
}

/**
 * Descriptors open now that were not open before, with what they point to. Numbers are
 * compared; a number closed and reused within the test is missed.
 */
function newFds(before: Set<string>): Array<[string, string]> {
  const added: Array<[string, string]> = [];
  for (const fd of openFds()) {
    if (before.has(fd)) continue;
    try {
      added.push([fd, fs.readlinkSync(`${FD_DIR}/${fd}`)]);
    } catch {
      // Closed meanwhile.
    }
  }
  return added;
}
