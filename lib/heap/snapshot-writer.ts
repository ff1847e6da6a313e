/**
 * Heap snapshots for offending tests. A snapshot holds every string in memory, secrets
 * included, so files are created 0600 and only when the user asked for snapshots.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SnapshotLimits } from '../core/config';
import { formatBytes } from '../core/units';
import { errorMessage } from '../core/errors';
import { heapSnapshotStream } from './heap-snapshot';

/**
 * A file name part made from any text (test titles can hold '../', NUL, emoji, 10,000
 * characters): safe characters only, bounded length, and a hash of the full text so two
 * titles that clean up alike still get different names.
 */
export function safeNamePart(text: string, maxLength = 60): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+|[._]+$/g, '')
    .slice(0, maxLength);
  const hash = createHash('sha1').update(text).digest('hex').slice(0, 8);
  return `${cleaned || 'test'}-${hash}`;
}

export class SnapshotWriter {
  private count = 0;
  /** Why writing failed in this file, once it did: later offenders don't try again. */
  private failure: string | null = null;

  constructor(
    private readonly outputDir: string,
    private readonly fileLabel: string,
    private readonly limits: SnapshotLimits = { maxPerFile: Infinity, maxSize: Infinity },
  ) {}

  /**
   * A before/after pair around `between` (one more run of the leaking test): DevTools'
   * Comparison view of the two shows what that run left behind. Throws when a file can't be
   * written (outputDir unwritable or a file, disk full): nothing of the pair is left behind,
   * and later calls throw at once with the same reason instead of taking more snapshots.
   */
  async writePair(testName: string, between: () => Promise<unknown>): Promise<[string, string]> {
    if (this.failure !== null) throw new Error(`${this.failure} (for an earlier test of this file; not tried again in it)`);
    if (this.count >= this.limits.maxPerFile) {
      throw new Error(
        `this file has its ${this.limits.maxPerFile} pair(s) already (testEnvironmentOptions.leakwatch.snapshots.maxPerFile)`,
      );
    }
    this.count += 1;
    const before = await this.write(testName, 'before');
    try {
      await between();
      return [before, await this.write(testName, 'after')];
    } catch (error) {
      // A "before" without its "after" compares with nothing, and it may be what filled the disk.
      fs.rmSync(before, { force: true });
      throw error;
    }
  }

  /** Writes a snapshot of the whole heap now and returns its path. */
  private async write(testName: string, label: string): Promise<string> {
    const worker = process.env.JEST_WORKER_ID ?? '0';
    const name = `${safeNamePart(this.fileLabel, 40)}--${safeNamePart(testName)}--w${worker}-p${process.pid}-${this.count}-${label}.heapsnapshot`;
    const file = path.join(this.outputDir, name);
    if (path.dirname(file) !== this.outputDir) throw new Error(`refusing to write outside ${this.outputDir}`);
    const fd = this.create(file);
    // Not v8.writeHeapSnapshot: when a write fails (ENOSPC, EFBIG) it throws but keeps its
    // descriptor open (Node 20-24), so the space of the removed partial file stays taken until
    // the worker exits. The stream is taken at once as well, and its descriptor is ours.
    const ulimit = fileSizeLimit();
    const limit = Math.min(ulimit, this.limits.maxSize);
    const stream = heapSnapshotStream();
    let open = true;
    try {
      let size = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limit) {
          throw new Error(
            limit < ulimit
              ? `the snapshot is larger than testEnvironmentOptions.leakwatch.snapshots.maxSize (${formatBytes(limit)})`
              : `the snapshot is larger than the file size limit (ulimit -f) of ${formatBytes(limit)}`,
          );
        }
        for (let offset = 0; offset < chunk.length;) offset += fs.writeSync(fd, chunk, offset);
      }
      open = false;
      fs.closeSync(fd);
    } catch (error) {
      stream.destroy();
      if (open) fs.closeSync(fd);
      fs.rmSync(file, { force: true });
      throw this.fail(`writing ${file} failed (${errorMessage(error)}); the unfinished snapshot files were removed`);
    }
    return file;
  }

  /** Creates the file, 0600 and new, in outputDir (made 0700 if missing), and opens it. */
  private create(file: string): number {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(this.outputDir);
    } catch {
      // Missing, or not reachable (ENOTDIR, EACCES): creating it says why.
    }
    if (stat !== undefined && !stat.isDirectory()) {
      throw this.fail(`outputDir ${this.outputDir} is ${stat.isFile() ? 'a file' : 'not a folder'}`);
    }
    if (stat === undefined) {
      try {
        makeFolders(this.outputDir);
      } catch (error) {
        throw this.fail(`cannot create outputDir ${this.outputDir} (${errorMessage(error)})`);
      }
    }
    try {
      return fs.openSync(file, 'wx', 0o600);
    } catch (error) {
      throw this.fail(`cannot create a file in outputDir ${this.outputDir} (${errorMessage(error)})`);
    }
  }

  private fail(reason: string): Error {
    this.failure = reason;
    return new Error(reason);
  }
}

/**
 * mkdir -p, one folder at a time: Node's recursive mkdir reports ENOENT for whatever stopped
 * it (a read-only file system, a folder without write permission), which sends users looking
 * for a missing folder. Another worker creating the same folder meanwhile is fine.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  for (let current = dir; !fs.existsSync(current) && path.dirname(current) !== current; current = path.dirname(current)) {
    missing.unshift(current);
  }
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(folder).isDirectory()) throw error;
    }
  }
}

/**
 * This process's file size limit (RLIMIT_FSIZE, `ulimit -f`) in bytes; Infinity when there is
 * none or it can't be read (not Linux). A write past it raises SIGXFSZ: Node ignores that
 * signal, but once signal-exit is loaded (Jest's write-file-atomic loads it on a cold cache)
 * its handler raises it again and the worker dies with every result of its file. So leakwatch
 * stops short of the limit instead.
 */
function fileSizeLimit(): number {
  try {
    const limit = /^Max file size +(\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'))?.[1];
    return limit === undefined || limit === 'unlimited' ? Infinity : Number(limit);
  } catch {
    return Infinity;
  }
}
