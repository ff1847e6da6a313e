/**
 * Heap snapshots for offending tests. A snapshot holds every string in memory, secrets
 * included, so files are created 0600 and only when the user asked for snapshots.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';

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

  constructor(
    private readonly outputDir: string,
    private readonly fileLabel: string,
  ) {}

  /**
   * A before/after pair around `between` (one more run of the leaking test): DevTools'
   * Comparison view of the two shows what that run left behind. Throws on I/O errors.
   */
  async writePair(testName: string, between: () => Promise<unknown>): Promise<[string, string]> {
    this.count += 1;
    const before = this.write(testName, 'before');
    await between();
    return [before, this.write(testName, 'after')];
  }

  /** Writes a snapshot of the whole heap now and returns its path. */
  private write(testName: string, label: string): string {
    const worker = process.env.JEST_WORKER_ID ?? '0';
    const name = `${safeNamePart(this.fileLabel, 40)}--${safeNamePart(testName)}--w${worker}-p${process.pid}-${this.count}-${label}.heapsnapshot`;
    const file = path.join(this.outputDir, name);
    if (path.dirname(file) !== this.outputDir) throw new Error(`refusing to write outside ${this.outputDir}`);
    fs.mkdirSync(this.outputDir, { recursive: true, mode: 0o700 });
    // Create it 0600 first: writeHeapSnapshot truncates an existing file and keeps its mode.
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
    v8.writeHeapSnapshot(file);
    return file;
  }
}
