// @ts-check
/**
 * The quick extra runs (lib/probes/heap.ts, QUICK_RUNS), which need the optional
 * v8-profiler-next: a suspect whose first extra run does one-time work is cleared by a second
 * quick run, with no profiled run and no full GC; a leak keeps memory in both quick runs and
 * goes on to the profiled runs, which fail it. Read from LEAKWATCH_DEBUG's per-test records.
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { runJest, failedTests, JEST_VERSIONS, root } = require('./helpers/run-jest');

const KB = 1024;
/** What a quick run must stay under to clear a suspect at the default threshold: a quarter of ¾ of 512 KB. */
const CLEAR_BELOW = (512 * KB * 0.75) / 4;

test('the native addon loads (the quick runs need it)', () => {
  expect(() => require('v8-profiler-next')).not.toThrow();
});

test('leakwatch loads the addon\'s compiled module directly, not through node-pre-gyp (50–70 ms a process)', () => {
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
  expect(sampled).toBeGreaterThan(1024 * KB);
});

describe.each(JEST_VERSIONS)('Jest %s', (version) => {
  /** @type {Map<string, { suspect: boolean, quickUserBytes?: number[], runs?: number[] }>} */
  const records = new Map();
  /** @type {ReturnType<typeof runJest>} */
  let run;
  beforeAll(() => {
    const debugFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-quick-')), 'debug.jsonl');
    run = runJest(version, 'quick-look', { args: ['-i'], env: { LEAKWATCH_DEBUG: debugFile } });
    for (const line of fs.readFileSync(debugFile, 'utf8').trim().split('\n')) {
      const record = JSON.parse(line);
      records.set(record.test, record);
    }
  });

  test('only the leak fails', () => {
    expect(failedTests(run)).toEqual(['keeps ~1 MB on every run']);
    expect(run.tests.get('keeps ~1 MB on every run')?.message).toMatch(/leaked ~1\.\d MB/);
    expect(run.tests.size).toBe(3);
  });

  test('one-time work in the first extra run is cleared by the second, without a profiled run', () => {
    const record = records.get('does one-time work in its first extra run');
    expect(record?.suspect).toBe(true);
    const [first, second] = record?.quickUserBytes ?? [];
    expect(record?.quickUserBytes).toHaveLength(2);
    expect(first).toBeGreaterThan(512 * KB);
    expect(second).toBeLessThan(CLEAR_BELOW);
    expect(record?.runs).toBeUndefined();
  });

  test('a leak keeps memory in both quick runs and goes on to the three profiled runs', () => {
    const record = records.get('keeps ~1 MB on every run');
    expect(record?.quickUserBytes).toHaveLength(2);
    for (const bytes of record?.quickUserBytes ?? []) expect(bytes).toBeGreaterThan(512 * KB);
    expect(record?.runs).toHaveLength(3);
  });

  test('a clean test is no suspect', () => {
    expect(records.get('adds two numbers')?.suspect).toBe(false);
  });
});
