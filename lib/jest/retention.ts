/**
 * Test files whose environment Jest could not free, in Jest's terms. Each file's global is
 * watched once the file ends (heap/retained-contexts.ts); a later file in the same process
 * reports the earlier ones V8's own GCs did not free, and the process's end (or, in band, the
 * reporter) the rest. The file itself has already been reported by then, so these are
 * printed and listed in the report, never a test failure.
 */
import { formatBytes } from '../core/units';
import { ContextWatch, type RetainedContext } from '../heap/retained-contexts';
import { writeRetainedRecord, type RetainedFileRecord } from '../report/file-record';

/**
 * Above this heap no snapshot is read for the holder: reading one takes many times its size
 * (1-3 s at 20-40 MB, 56 s and a 5.2 GB process at 200 MB, scripts/load.js).
 */
const MAX_HEAP_FOR_HOLDER = 128 * 1024 * 1024;

/** One per process: a Jest worker, or Jest itself when it runs in band. */
const watch = new ContextWatch();
let exitCheckInstalled = false;

/** For LEAKWATCH_DEBUG. */
export function retentionStats(): string {
  return `retained-environment check stats: ${JSON.stringify(watch.stats)}`;
}

/**
 * A test file starts measuring. The first call sets up the check at the process's end;
 * `outputDir` is where the reporter reads what it found.
 */
export function fileStarted(outputDir: string | null): void {
  checkAtExit(exitReporter(outputDir));
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
  for (const message of retainedMessages(found)) process.stderr.write(`${message}\n`);
  return found.map(retainedRecord);
}

/** Every watched file not freed yet, after one forced full GC: at the end of the run. */
export async function retainedAtEnd(): Promise<RetainedContext[]> {
  return watch.explain(await watch.confirm(true), MAX_HEAP_FOR_HOLDER);
}

/**
 * Once per process: what is left at its end goes to `report`, the files still alive after one
 * all-out GC, without holders. No heap snapshot there: a Jest worker is killed 0.5 s after it
 * is told to end (jest-worker's FORCE_EXIT_DELAY), and Jest in band warns that it "did not
 * exit one second after the test run has completed". In band, leakwatch's reporter looks for
 * the holders before that (retainedAtEnd).
 */
function checkAtExit(report: (found: RetainedContext[]) => void): void {
  if (exitCheckInstalled) return;
  exitCheckInstalled = true;
  process.once('beforeExit', () => {
    watch.confirm(true).then(
      (alive) => {
        if (alive.length > 0) report(alive.map(unexplained));
      },
      () => {
        // The run is over and its results are out: nothing to add.
      },
    );
  });
}

/**
 * What a process's end found: printed, and left for the reporter when it is configured. Made
 * out here: a closure made in a session method would hold the session, and with it the first
 * file's environment, until the process ends.
 */
function exitReporter(outputDir: string | null): (found: RetainedContext[]) => void {
  return (found) => {
    for (const message of retainedMessages(found)) process.stderr.write(`${message}\n`);
    if (!outputDir) return;
    try {
      writeRetainedRecord(outputDir, found.map(retainedRecord));
    } catch {
      // The run is over: the printed text is all there is.
    }
  };
}

/** A file found alive at a process's end, where there is no time to look for its holder. */
function unexplained(file: { label: string }): RetainedContext {
  return { label: file.label, holder: null, note: PROCESS_ENDED, alsoKeeps: [] };
}

const PROCESS_ENDED = 'What holds it was not looked for: found as the Jest process ended.';

/** The text printed for what one check found: one block per explained file, one for those found at a process's end. */
export function retainedMessages(found: RetainedContext[]): string[] {
  const unexplained = found.filter((f) => f.note === PROCESS_ENDED);
  const messages = found.filter((f) => f.note !== PROCESS_ENDED).map(retainedMessage);
  if (unexplained.length > 0) {
    const files = unexplained.map((f) => f.label);
    messages.push(
      `leakwatch: ${files.length === 1 ? 'the environment of 1 test file was' : `the environments of ${files.length} test files were`} ` +
        `still alive when this Jest process ended: ${files.join(', ')}.\n` +
        '  Something outside the file holds it (a listener on a shared object, a patched Node module, an open timer or server), or holds another file listed here that holds it.\n' +
        `  To see what holds each, run them in band with leakwatch's reporter on (reporters: ['default', 'jest-environment-leakwatch/reporter']): jest -i ${files.join(' ')}`,
    );
  }
  return messages;
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
