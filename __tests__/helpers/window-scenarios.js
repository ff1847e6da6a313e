// @ts-check
/**
 * Run in a child process by heap-window.test.js (a Jest worker's own collections would mix
 * in): a heap window around a "test", after young objects from before it survived one
 * scavenge, so that leakwatch's scavenge at the test's end promotes them. Prints one JSON
 * object: scenario → bound in bytes, and whether V8 collected during the window.
 *
 * Each kind of object comes from an allocation site of its own, used by one scenario only:
 * once many of a site's objects survived, V8 allocates the site's next ones straight in the
 * old space (pretenuring), and that is a different case (docs/limits.md, "Accuracy of the heap numbers").
 */
'use strict';
const path = require('node:path');
const { GCProfiler } = require('node:v8');
const { getGc, minorGc } = require(path.join(__dirname, '..', '..', 'dist', 'core', 'gc.js'));
const { openWindow, closeWindow } = require(path.join(__dirname, '..', '..', 'dist', 'heap', 'window.js'));

const KB = 1024;
const BAR = 512 * KB;
const gc = /** @type {NonNullable<ReturnType<typeof getGc>>} */ (getGc());
/** `kb` KB of small objects, ~40 bytes each, as a leak of records would be. */
const count = (kb) => (kb * KB) / 40;

const older = (kb) => Array.from({ length: count(kb) }, (_, i) => ({ older: i }));
const garbage = (kb) => Array.from({ length: count(kb) }, (_, i) => ({ garbage: i }));
const keptWithOlder = (kb) => Array.from({ length: count(kb) }, (_, i) => ({ keptWithOlder: i }));
const keptAlone = (kb) => Array.from({ length: count(kb) }, (_, i) => ({ keptAlone: i }));

const alive = { beforeTest: /** @type {unknown[]} */ ([]) };
/** @type {unknown[]} */
const kept = [];

/**
 * `makeOlder` runs before the window and its objects are kept across it (they survive one
 * scavenge before it, so the next one promotes them); in the window, 600 KB of garbage and
 * whatever `keep` makes is kept.
 * @param {() => unknown[]} makeOlder
 * @param {(() => unknown[]) | null} keep
 */
function scenario(makeOlder, keep) {
  gc();
  minorGc(gc);
  minorGc(gc);
  alive.beforeTest = makeOlder();
  minorGc(gc);
  const window = openWindow(gc, BAR);
  const watch = new GCProfiler();
  watch.start();
  garbage(600);
  if (keep) kept.push(keep());
  const collected = (watch.stop()?.statistics ?? []).length > 0;
  const { bound } = closeWindow(gc, window, BAR);
  return { bound, collected };
}

// Warm up: the first windows of a process see its start-up work.
scenario(() => [], null);
scenario(() => [], null);
process.stdout.write(
  JSON.stringify({
    olderOnly: scenario(() => older(1024), null),
    olderAndKept: scenario(
      () => older(1024),
      () => keptWithOlder(768),
    ),
    keptOnly: scenario(
      () => [],
      () => keptAlone(768),
    ),
  }),
);
