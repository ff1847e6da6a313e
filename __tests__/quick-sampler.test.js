// @ts-check
/**
 * How leakwatch loads the optional @datadog/pprof (lib/heap/quick-sampler.ts): its prebuilt
 * native module through the heap-profiler bindings alone, not the package's entry point,
 * which also loads its time profiler and encoders (~35 ms per Jest process). No install
 * script builds anything: `npm ci --ignore-scripts` gets the same module.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { root } = require('./helpers/run-jest');

/** Runs in a fresh process, so that nothing has loaded the package yet. */
const script = `
  const { nativeProfiler } = require('./dist/heap/quick-sampler');
  const profiler = nativeProfiler();
  const entryPoint = Object.keys(require.cache).some((file) => /@datadog.pprof.out.src.index\\.js$/.test(file));
  let sampled = 0;
  if (profiler) {
    profiler.startSamplingHeapProfiler(16384, 64);
    const kept = Array.from({ length: 100000 }, (_, i) => ({ i }));
    const walk = (node) => { for (const a of node.allocations) sampled += a.sizeBytes * a.count; node.children.forEach(walk); };
    walk(profiler.getAllocationProfile());
    profiler.stopSamplingHeapProfiler();
    if (kept.length !== 100000) throw new Error('unreachable');
  }
  console.log(JSON.stringify({ loaded: profiler !== null, entryPoint, sampled }));
`;

function installed() {
  try {
    require.resolve('@datadog/pprof/package.json');
    return true;
  } catch {
    return false;
  }
}

(installed() ? describe : describe.skip)(
  `with @datadog/pprof installed${installed() ? '' : ' (skipped: installed without optional dependencies)'}`,
  () => {
    test('its prebuilt module loads through the bindings alone, and samples without stopping', () => {
      const { loaded, entryPoint, sampled } = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }));
      expect(loaded).toBe(true);
      expect(entryPoint).toBe(false);
      // 100,000 small objects and their array: ~2–3 MB.
      expect(sampled).toBeGreaterThan(1024 * 1024);
    });
  },
);
