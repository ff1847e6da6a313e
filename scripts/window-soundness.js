#!/usr/bin/env node
// A randomised check that the heap window's bound (lib/heap/window.ts) is never under what a
// "test" kept: windows around made-up tests with older objects promoted by the end scavenge,
// garbage, and kept records, each from a fresh allocation site (`new Function`), so that V8
// pretenures none of them (docs/limits.md, "Pretenured objects"). The true size of what was kept
// comes from full GCs with and without it. Prints one line per seed; exit 1 on any undercount.
// Usage: npm run build && node [--min-semi-space-size=16] scripts/window-soundness.js [seed …]
'use strict';
const path = require('node:path');
const { GCProfiler, getHeapStatistics } = require('node:v8');
const { getGc, minorGc } = require(path.join(__dirname, '..', 'dist', 'core', 'gc.js'));
const { openWindow, closeWindow } = require(path.join(__dirname, '..', 'dist', 'heap', 'window.js'));

const KB = 1024;
const BAR = 512 * KB;
const WINDOWS = 60;
const gc = getGc();
const records = (kb) => new Function('n', 'return Array.from({ length: n }, (_, i) => ({ k: i, s: "x" + i }))')((kb * KB) / 40);
const usedAfterFullGc = () => {
  gc();
  minorGc(gc);
  return getHeapStatistics().used_heap_size;
};

let undercounts = 0;
/** Records made before a window and kept across it (a property: written, never read). */
const alive = { older: null, kept: null };
for (const seed of process.argv.slice(2).length > 0 ? process.argv.slice(2).map(Number) : [1, 2, 3]) {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  let smallest = Infinity;
  let collected = 0;
  for (let i = 0; i < WINDOWS; i++) {
    const olderKb = Math.floor(random() * 3000);
    const keptKb = 200 + Math.floor(random() * 1500);
    gc();
    minorGc(gc);
    minorGc(gc);
    alive.older = records(olderKb);
    // Most times the older records survive one scavenge before the window: the next promotes them.
    if (random() < 0.7) minorGc(gc);
    const window = openWindow(gc, BAR);
    const watch = new GCProfiler();
    watch.start();
    records(Math.floor(random() * 3000));
    alive.kept = records(keptKb);
    records(Math.floor(random() * 1000));
    if ((watch.stop()?.statistics ?? []).length > 0) collected += 1;
    const { bound } = closeWindow(gc, window, BAR);
    const withKept = usedAfterFullGc();
    alive.kept = null;
    const keptBytes = withKept - usedAfterFullGc();
    smallest = Math.min(smallest, bound / keptBytes);
    if (bound < keptBytes) {
      undercounts += 1;
      console.log(`  undercount: older ${olderKb} KB, kept ${keptBytes} bytes, bound ${bound}`);
    }
  }
  console.log(`seed ${seed}: ${WINDOWS} windows, V8 collected during ${collected}, smallest bound / kept ${smallest.toFixed(3)}`);
}
process.exitCode = undercounts > 0 ? 1 : 0;
