/**
 * FdsProbe: file descriptors a test opened and left open, on Linux, from /proc/self/fd,
 * each described by what it points to (a file path, socket:[…], pipe:[…]) and, for those
 * opened through `fs` (open, openSync, fs.promises.open, and the streams, which call
 * fs.open), the line that opened it. Descriptors that close within the handles' grace
 * period are not leaks. Sockets are left to the handles check (fd-listing.ts). At file level,
 * the descriptors that appeared while the file's own code ran (module scope, beforeAll,
 * afterAll) and are still open after its last afterAll hook: a descriptor belongs to the
 * process, so it outlives the file.
 */
import fs from 'node:fs';
import type { MaybePromise } from '../core/maybe-async';
import { userSite } from '../core/stack';
import { GRACE_MS, stillThereAfterGrace } from '../core/timers';
import { countMatchesListing, FD_DIR, fdCount, fdTarget, newFds, openFds } from './fd-listing';
import { wrapFsOpens, type Opened } from './fd-opens';
import { BeforeAfterProbe } from './probe';
import type { FilePhase, Finding } from '../core/types';
import { counted } from '../core/units';

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
          return fdTarget(fd) === target;
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

  /** Records where `fs` opens each descriptor (fd-opens.ts), into the test's or the file's map. */
  private wrapOpens(): void {
    wrapFsOpens(
      {
        // Into the current test's map, or the file's while its own code runs; chosen at the call,
        // so an open that completes later is still the caller's.
        into: () => this.openedAt ?? (this.fileStretch ? this.fileOpenedAt : null),
        // A descriptor closed is no longer the test's: a test whose opens all closed keeps the
        // one-syscall comparison (compare).
        forget: (fd) => {
          this.openedAt?.delete(fd);
          this.fileOpenedAt.delete(fd);
        },
      },
      this.restore,
    );
  }
}

/** One line per descriptor left open, then what to do; null when none is. */
function fdsFinding(lines: string[], advice: string): Finding | null {
  if (lines.length === 0) return null;
  return {
    check: 'fds',
    verdict: 'leak',
    summary: `leaked ${counted(lines.length, 'file descriptor')}`,
    details: [...lines, advice],
  };
}
