import type { HeapMeasurement } from '../../core/types';
import type { Probe } from '../../probes/probe';
import { debugEnabled, debugLinesFile, measurementLine, probeStatsLines } from '../debug';

describe('debugEnabled and debugLinesFile', () => {
  test('LEAKWATCH_DEBUG unset: off, no lines file', () => {
    expect([debugEnabled({}), debugLinesFile({})]).toEqual([false, null]);
    expect([debugEnabled({ LEAKWATCH_DEBUG: '' }), debugLinesFile({ LEAKWATCH_DEBUG: '' })]).toEqual([false, null]);
  });

  test('LEAKWATCH_DEBUG=1: on, no lines file', () => {
    expect([debugEnabled({ LEAKWATCH_DEBUG: '1' }), debugLinesFile({ LEAKWATCH_DEBUG: '1' })]).toEqual([true, null]);
  });

  test('LEAKWATCH_DEBUG=<path>: on, lines go to that file', () => {
    const env = { LEAKWATCH_DEBUG: '/tmp/leakwatch-debug.jsonl' };
    expect([debugEnabled(env), debugLinesFile(env)]).toEqual([true, '/tmp/leakwatch-debug.jsonl']);
  });
});

describe('measurementLine', () => {
  test('is one JSON line: file, test name, then the measurement', () => {
    const measurement: HeapMeasurement = { bound: 2048, usedAfter: 4096, majorGcs: 0, suspect: true, runs: [10, 20], testMs: 3 };
    expect(measurementLine('__tests__/a.test.js', { name: 'a "b"', id: 4 }, measurement)).toBe(
      '{"file":"__tests__/a.test.js","test":"a \\"b\\"","bound":2048,"usedAfter":4096,"majorGcs":0,"suspect":true,"runs":[10,20],"testMs":3}\n',
    );
  });
});

describe('probeStatsLines', () => {
  test("is one line per probe with its stats as JSON, in the probes' order", () => {
    const probes = [
      { check: 'heap', stats: { suspects: 2, reruns: 3 } },
      { check: 'fds', stats: { openAtStart: 12 } },
    ] as unknown as Probe[];
    expect(probeStatsLines(probes)).toEqual(['heap probe stats: {"suspects":2,"reruns":3}', 'fds probe stats: {"openAtStart":12}']);
  });
});
