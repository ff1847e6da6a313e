// Preloaded into every process of a bench run (NODE_OPTIONS=--require): at exit, appends this
// process's peak resident set size (KB) and the CPU time it used (user + system, all its
// threads, µs) to $LEAKWATCH_BENCH_USAGE, one line per process. CPU time is the second
// measure because this machine is shared: a run that waits for a core loses wall time, not
// CPU time.
'use strict';
const fs = require('node:fs');

const file = process.env.LEAKWATCH_BENCH_USAGE;
if (file) {
  process.on('exit', () => {
    try {
      const usage = process.resourceUsage();
      fs.appendFileSync(file, `${process.pid} ${usage.maxRSS} ${usage.userCPUTime + usage.systemCPUTime}\n`);
    } catch {
      // A bench measurement only.
    }
  });
}
