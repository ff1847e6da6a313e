// @ts-check
/**
 * How leakwatch loads the optional v8-profiler-next (lib/heap/quick-sampler.ts): its compiled
 * module directly, not through the package's entry point, which loads @xprofiler/node-pre-gyp
 * to find the same file (50–70 ms per Jest process); nothing when it is not built for this Node.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { root } = require('./helpers/run-jest');

/** Runs in a fresh process, so that nothing has loaded the addon or node-pre-gyp yet. */
const script = `
  const { nativeProfiler } = require('./dist/heap/quick-sampler');
  const profiler = nativeProfiler();
  const preGyp = Object.keys(require.cache).some((file) => file.includes('node-pre-gyp'));
  let sampled = 0;
  if (profiler) {
    profiler.startSamplingHeapProfiling(16384, 64);
    const kept = Array.from({ length: 100000 }, (_, i) => ({ i }));
    const walk = (node) => { sampled += node.selfSize; node.children.forEach(walk); };
    walk(profiler.stopSamplingHeapProfiling().head);
    if (kept.length !== 100000) throw new Error('unreachable');
  }
  let built = true;
  try { require('v8-profiler-next'); } catch { built = false; }
  console.log(JSON.stringify({ loaded: profiler !== null, preGyp, sampled, built }));
`;

test('the compiled addon is loaded directly, not through node-pre-gyp, and it samples; without a build for this Node, no addon', () => {
  const { loaded, preGyp, sampled, built } = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }));
  expect(loaded).toBe(built);
  // Without a build for this Node there is no addon whose loading and sampling to check.
  /* eslint-disable jest/no-conditional-expect */
  if (built) {
    expect(preGyp).toBe(false);
    // 100,000 small objects and their array: ~2–3 MB.
    expect(sampled).toBeGreaterThan(1024 * 1024);
  }
  /* eslint-enable jest/no-conditional-expect */
});

// Only Node 20 is sure to have the addon: elsewhere `npm ci` may find no build of it for that Node.
const nodeMajor = process.versions.node.split('.')[0];
const onNode20 = nodeMajor === '20';
(onNode20 ? describe : describe.skip)(
  `on Node 20, where \`npm ci\` builds it (CI and the bench)${onNode20 ? '' : ` (skipped: this is Node ${nodeMajor})`}`,
  () => {
    test('the addon is there', () => {
      expect(() => require('v8-profiler-next')).not.toThrow();
    });
  },
);
