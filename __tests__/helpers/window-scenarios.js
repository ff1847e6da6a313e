// @ts-check
/**
 * Run in a child process by heap-window.test.js (a Jest worker's own collections would mix in):
 * a heap window around a "test", after young objects from before it survived one scavenge,
 * so that leakwatch's scavenge at the test's end promotes them. Prints one JSON object:
 * scenario → bound in bytes.
 */
'use strict';
const path = require('node:path');
const { GCProfiler } = require('node:v8');
const { getGc, minorGc } = require(path.join(__dirname, '..', '..', 'dist', 'gc.js'));
const { openWindow, closeWindow } = require(path.join(__dirname, '..', '..', 'dist', 'heap', 'window.js'));

const KB = 1024;
const BAR = 512 * KB;
const gc = /** @type {NonNullable<ReturnType<typeof getGc>>} */ (getGc());

/** Small objects: ~40 bytes each, so `kb` KB is many of them, as a leak of records would be. */
const objects = (kb) => Array.from({ length: (kb * KB) / 40 }, (_, i) => ({ i }));
/**
 * The test's garbage, from an allocation site of its own: V8 (Node 24 most) starts to allocate
 * a site's objects straight in the old space once many of them survived (pretenuring), and
 * garbage allocated there counts in any bound without a mark-compact.
 */
const garbage = (kb) => Array.from({ length: (kb * KB) / 40 }, (_, j) => ({ j }));

/** @type {unknown[]} */
let beforeTest = [];
/** @type {unknown[]} */
const kept = [];

/**
 * `olderKb` of objects made before the window and kept across it (they survive one scavenge
 * before it, so the next one promotes them); in the window, 600 KB of garbage and `keepKb`
 * kept. Returns the bound, and whether V8 collected in the window (the case measured here
 * is that it did not: the parent starts this process with a big enough young generation).
 */
function scenario(olderKb, keepKb) {
  gc();
  minorGc(gc);
  minorGc(gc);
  beforeTest = objects(olderKb);
  minorGc(gc);
  const window = openWindow(gc, BAR);
  const watch = new GCProfiler();
  watch.start();
  garbage(600);
  if (keepKb > 0) kept.push(objects(keepKb));
  const collected = (watch.stop()?.statistics ?? []).length > 0;
  const { bound } = closeWindow(gc, window, BAR);
  return { bound, collected, older: beforeTest.length };
}

// Warm up: the first windows of a process see its start-up work.
scenario(0, 0);
scenario(0, 0);
process.stdout.write(
  JSON.stringify({
    olderOnly: scenario(1024, 0),
    olderAndKept: scenario(1024, 768),
    keptOnly: scenario(0, 768),
  }),
);
