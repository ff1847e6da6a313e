/**
 * Test files whose environment Jest could not free, in Jest's terms. Each file's global is
 * watched once the file ends (heap/retained-contexts.ts); a later file in the same process
 * reports the earlier ones V8's own GCs did not free, and in band leakwatch's reporter the
 * rest. The file itself has already been reported by then, so these are printed and listed
 * in the report, never a test failure. Nothing is said of a file whose holder a snapshot did
 * not find: the last files of a process can linger for reasons no heap snapshot shows. Over
 * MAX_HEAP_FOR_HOLDER, at the end of the run, the file is named with no holder.
 */
import { formatBytes } from '../core/units';
import { ContextWatch, type RetainedContext } from '../heap/retained-contexts';
import type { RetainedFileRecord } from '../report/file-record';

/**
 * Above this heap no snapshot is read for the holder: reading one takes many times its size
 * (1-3 s at 20-40 MB, 56 s and a 5.2 GB process at 200 MB, scripts/load.js).
 */
const MAX_HEAP_FOR_HOLDER = 128 * 1024 * 1024;

/** One per process: a Jest worker, or Jest itself when it runs in band. */
const watch = new ContextWatch();

/** For LEAKWATCH_DEBUG. */
export function retentionStats(): string {
  return `retained-environment check stats: ${JSON.stringify(watch.stats)}`;
}

export function fileEnded(label: string, global: object, rootDir: string): void {
  watch.watch(label, global, rootDir);
}

/**
 * Prints the earlier files whose environment survived V8's own full GCs and a forced one, and
 * returns them for the running file's record; `running` is that file's global.
 */
export async function reportEarlierFiles(running: object): Promise<RetainedFileRecord[]> {
  if (!watch.hasSuspects()) return [];
  const found = await watch.explain(await watch.confirm(false), MAX_HEAP_FOR_HOLDER, running);
  printRetained(found);
  return found.map(retainedRecord);
}

/** Every watched file not freed yet, after one forced full GC: at the end of the run. */
export async function retainedAtEnd(): Promise<RetainedContext[]> {
  return watch.explain(await watch.confirm(true), MAX_HEAP_FOR_HOLDER);
}

/** Prints one block per retained file on stderr, where leakwatch's other warnings go. */
export function printRetained(found: RetainedContext[]): void {
  for (const retained of found) process.stderr.write(`${retainedMessage(retained)}\n`);
}

/** The text printed for one retained file. */
export function retainedMessage(found: RetainedContext): string {
  const { holder } = found;
  const lines = [
    `leakwatch: ${found.label}: its environment was not freed after the file ended${holder ? `: ~${formatBytes(holder.bytes)} stays in memory` : ''}.`,
  ];
  lines.push('  Every file that does this adds to the heap of the Jest process, file after file, until it runs out of memory.');
  if (holder) {
    lines.push(`  Held by: ${holder.path}${holder.site ? `, defined at ${holder.site}` : ''}`);
    if (found.alsoKeeps.length > 0) lines.push(`  Through it, the environments of ${found.alsoKeeps.join(', ')} stay too.`);
    lines.push(`  ${holder.projectCode ? '' : 'A library keeps it (see its close or teardown API). '}${adviceFor(holder.path)}`);
  } else {
    lines.push(`  ${found.note ?? 'What holds it was not found.'}`);
  }
  return lines.join('\n');
}

export function retainedRecord(found: RetainedContext): RetainedFileRecord {
  return {
    file: found.label,
    bytes: found.holder?.bytes ?? null,
    holder: found.holder ? `${found.holder.path}${found.holder.site ? ` (${found.holder.site})` : ''}` : null,
    note: found.note ?? null,
  };
}

/** What to do, from what the holder hangs on. */
function adviceFor(path: string): string {
  if (path.includes('._events')) return 'Remove that listener when the file ends (emitter.off(name, listener) in afterAll).';
  if (path.startsWith("require('node:"))
    return 'Restore the original function when the file ends (in afterAll), or spy with jest.spyOn and restore it.';
  if (/\bTimeout\b|_onTimeout/.test(path)) return 'Clear that timer when the file ends (clearInterval or clearTimeout in afterAll).';
  return 'Let go of that reference when the file ends, in an afterAll hook.';
}
