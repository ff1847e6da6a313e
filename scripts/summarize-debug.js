#!/usr/bin/env node
// Summarises a LEAKWATCH_DEBUG=<file> run (one JSON line per measured test): the noise figures in docs/measurements.md.
'use strict';
const fs = require('node:fs');

const rows = fs
  .readFileSync(process.argv[2], 'utf8')
  .trim()
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line));
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const kb = (bytes) => `${Math.round(bytes / 1024)} KB`;
const bounds = rows.map((row) => row.bound);
const suspects = rows.filter((row) => row.suspect ?? row.runs);
const profiled = suspects.filter((row) => row.runs);
const byRerun = suspects.filter((row) => !row.runs && row.quickUserBytes == null && row.twoRunBound == null && row.rerunBound != null);
const byTwoRuns = suspects.filter((row) => !row.runs && row.twoRunBound != null);
console.log(
  `tests ${rows.length}; bound median ${kb(quantile(bounds, 0.5))}, p99 ${kb(quantile(bounds, 0.99))}, max ${kb(Math.max(...bounds))}; ` +
    `mark-compact during test ${rows.filter((row) => row.majorGcs > 0).length}; suspects ${suspects.length}; ` +
    `cleared by the rerun's heap window ${byRerun.length}; ` +
    `by the window over two runs (no addon) ${byTwoRuns.length}; ` +
    `by the quick look (@datadog/pprof) ${suspects.length - profiled.length - byRerun.length - byTwoRuns.length}; ` +
    `profiled ${profiled.length}, of which run more than once ${profiled.filter((row) => row.runs.length >= 2).length}`,
);
for (const row of suspects) {
  const fakeTimers = row.fakeTimersAdded ? ` (fake timers left pending by each: ${row.fakeTimersAdded.join(' / ')})` : '';
  const runs = row.runs ? `extra runs kept ${row.runs.map(kb).join(' / ')}${fakeTimers}` : 'cleared without a profile';
  console.log(
    `  ${row.file} › ${row.test.slice(0, 70)}: bound ${kb(row.bound)}, ${row.rerunBound == null ? '' : `rerun's bound ${kb(row.rerunBound)}, `}${row.twoRunBound == null ? '' : `two runs' bound ${kb(row.twoRunBound)}, `}${row.quickUserBytes == null ? '' : `user's samples in the quick look's two runs ${kb(row.quickUserBytes)}, `}${runs}`,
  );
}
