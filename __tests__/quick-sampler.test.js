// @ts-check
/**
 * How leakwatch loads the optional v8-profiler-next (lib/heap/quick-sampler.ts): its compiled
 * module directly, not through the package's entry point, which loads @xprofiler/node-pre-gyp
 * to find the same file (50–70 ms per Jest process).
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { root } = require('./helpers/run-jest');

test('the native addon is installed (the quick looks need it)', () => {
  expect(() => require('v8-profiler-next')).not.toThrow();
});

test('leakwatch loads the addon\'s compiled module directly, not through node-pre-gyp, and it samples', () => {
  const script = `
    const { nativeProfiler } = require('./dist/heap/quick-sampler');
    const profiler = nativeProfiler();
    profiler.startSamplingHeapProfiling(16384, 64);
    const kept = Array.from({ length: 100000 }, (_, i) => ({ i }));
    let sampled = 0;
    const walk = (node) => { sampled += node.selfSize; node.children.forEach(walk); };
    walk(profiler.stopSamplingHeapProfiling().head);
    console.log(JSON.stringify({ kept: kept.length, sampled, preGyp: Object.keys(require.cache).some((file) => file.includes('node-pre-gyp')) }));
  `;
  const output = execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
  const { sampled, preGyp } = JSON.parse(output);
  expect(preGyp).toBe(false);
  // 100,000 small objects and their array: ~2–3 MB.
  expect(sampled).toBeGreaterThan(1024 * 1024);
});
