// Preloaded into every process of a bench run (NODE_OPTIONS=--require): at exit, appends this
// process's peak resident set size (KB) to $LEAKWATCH_BENCH_RSS, one line per process.
'use strict';
const fs = require('node:fs');

const file = process.env.LEAKWATCH_BENCH_RSS;
if (file) {
  process.on('exit', () => {
    try {
      fs.appendFileSync(file, `${process.pid} ${process.resourceUsage().maxRSS}\n`);
    } catch {
      // A bench measurement only.
    }
  });
}
