import * as path from 'node:path';
import { defaultSamplingInterval } from '../config';
import { LeakwatchConfigError } from '../config-error';
import { outputDirOf, parseConfig } from '../config-parser';
import { configError } from './thrown';

const rootDir = path.resolve('/project');
const parse = (options: unknown, env: NodeJS.ProcessEnv = {}, pragmas: Record<string, string | string[]> = {}) =>
  parseConfig({ options, env, pragmas, rootDir });

const SIZE_ALLOWED = `allowed: a number of bytes or a string such as '512KB', '2MB', '1GB'.`;

describe('parseConfig', () => {
  test('defaults: fail mode, 512KB heap threshold, every check but globals, no snapshots', () => {
    expect(parse(undefined)).toEqual({
      mode: 'fail',
      heap: { threshold: 512 * 1024, samplingInterval: 16 * 1024, retainers: true, keptOnce: { allow: [] } },
      external: { threshold: 1024 * 1024 },
      native: { threshold: 8 * 1024 * 1024 },
      handles: true,
      fds: true,
      listeners: true,
      globals: false,
      tempFiles: { dirs: [] },
      snapshots: null,
      outputDir: path.join(rootDir, '.leakwatch'),
      baseline: path.join(rootDir, 'leakwatch.baseline.json'),
    });
  });

  test('reads every option of testEnvironmentOptions.leakwatch', () => {
    const config = parse({
      mode: 'warn',
      heap: { threshold: '2MB', samplingInterval: '4KB', retainers: false },
      external: { threshold: 4096 },
      native: { threshold: '16MB' },
      handles: false,
      fds: false,
      listeners: false,
      globals: true,
      tempFiles: { dirs: ['tmp', '/abs/scratch'] },
      snapshots: { maxPerFile: 5, maxSize: '1GB' },
      outputDir: 'out/leaks',
      baseline: 'known.json',
    });
    expect(config).toEqual({
      mode: 'warn',
      heap: { threshold: 2 * 1024 ** 2, samplingInterval: 4096, retainers: false, keptOnce: { allow: [] } },
      external: { threshold: 4096 },
      native: { threshold: 16 * 1024 ** 2 },
      handles: false,
      fds: false,
      listeners: false,
      globals: true,
      tempFiles: { dirs: [path.join(rootDir, 'tmp'), path.resolve('/abs/scratch')] },
      snapshots: { maxPerFile: 5, maxSize: 1024 ** 3 },
      outputDir: path.join(rootDir, 'out', 'leaks'),
      baseline: path.join(rootDir, 'known.json'),
    });
  });

  test('false switches off external, native, tempFiles and the baseline', () => {
    const config = parse({ external: false, native: false, tempFiles: false, baseline: false });
    expect([config.external, config.native, config.tempFiles, config.baseline]).toEqual([null, null, null, null]);
  });

  test('snapshots: true keeps the default limits, a partial object fills in the rest', () => {
    expect(parse({ snapshots: true }).snapshots).toEqual({ maxPerFile: 3, maxSize: 512 * 1024 ** 2 });
    expect(parse({ snapshots: { maxPerFile: 1 } }).snapshots).toEqual({ maxPerFile: 1, maxSize: 512 * 1024 ** 2 });
  });

  test('the sampling interval follows the final heap threshold unless set', () => {
    expect(parse({ heap: { threshold: '64KB' } }).heap.samplingInterval).toBe(4096);
    expect(parse({}, {}, { 'leakwatch-heap-threshold': '32KB' }).heap.samplingInterval).toBe(2048);
    expect(parse({ heap: { threshold: '64KB', samplingInterval: 1024 } }).heap.samplingInterval).toBe(1024);
  });

  describe('sources: options < LEAKWATCH* environment variables < docblock pragmas', () => {
    test('LEAKWATCH overrides the configured mode, trimmed and in any case', () => {
      expect(parse({ mode: 'fail' }, { LEAKWATCH: ' OFF ' }).mode).toBe('off');
    });

    test('an empty LEAKWATCH is ignored', () => {
      expect(parse({ mode: 'warn' }, { LEAKWATCH: '' }).mode).toBe('warn');
    });

    test('the @leakwatch pragma overrides LEAKWATCH; the last of repeated pragmas wins', () => {
      expect(parse({ mode: 'fail' }, { LEAKWATCH: 'warn' }, { leakwatch: 'off' }).mode).toBe('off');
      expect(parse({}, {}, { leakwatch: ['off', ' warn '] }).mode).toBe('warn');
    });

    test('the @leakwatch-heap-threshold pragma overrides heap.threshold', () => {
      expect(parse({ heap: { threshold: '1MB' } }, {}, { 'leakwatch-heap-threshold': '2MB' }).heap.threshold).toBe(2 * 1024 ** 2);
    });

    test('LEAKWATCH_KEPT_ONCE=0 switches the kept-once check off; =1 on, keeping the allow list', () => {
      expect(parse({}, { LEAKWATCH_KEPT_ONCE: 'off' }).heap.keptOnce).toBeNull();
      expect(parse({ heap: { keptOnce: { allow: ['cache'] } } }, { LEAKWATCH_KEPT_ONCE: '1' }).heap.keptOnce).toEqual({ allow: ['cache'] });
      expect(parse({ heap: { keptOnce: false } }, { LEAKWATCH_KEPT_ONCE: 'yes' }).heap.keptOnce).toEqual({ allow: [] });
      expect(() => parse({}, { LEAKWATCH_KEPT_ONCE: 'maybe' })).toThrow(/LEAKWATCH_KEPT_ONCE/);
    });

    test('LEAKWATCH_SNAPSHOTS=1 switches snapshots on, keeping configured limits', () => {
      expect(parse({}, { LEAKWATCH_SNAPSHOTS: 'yes' }).snapshots).toEqual({ maxPerFile: 3, maxSize: 512 * 1024 ** 2 });
      expect(parse({ snapshots: { maxPerFile: 7 } }, { LEAKWATCH_SNAPSHOTS: '1' }).snapshots?.maxPerFile).toBe(7);
    });

    test('LEAKWATCH_SNAPSHOTS=0 switches configured snapshots off', () => {
      expect(parse({ snapshots: true }, { LEAKWATCH_SNAPSHOTS: 'off' }).snapshots).toBeNull();
    });
  });

  // Carried over from the e2e __tests__/options.test.js: the same strings, without starting Jest.
  test.each<[string, unknown, NodeJS.ProcessEnv, string]>([
    ['LEAKWATCH', {}, { LEAKWATCH: 'loud' }, `the environment variable LEAKWATCH is "loud"; allowed: 'fail', 'warn', 'off'.`],
    ['mode', { mode: 'strict' }, {}, `testEnvironmentOptions.leakwatch.mode is "strict"; allowed: 'fail', 'warn', 'off'.`],
    ['heap.threshold', { heap: { threshold: 'lots' } }, {}, `testEnvironmentOptions.leakwatch.heap.threshold is "lots"; ${SIZE_ALLOWED}`],
    [
      'a misspelt key',
      { heap: { treshold: '1MB' } },
      {},
      'unknown option testEnvironmentOptions.leakwatch.heap.treshold. Did you mean testEnvironmentOptions.leakwatch.heap.threshold? Known options: threshold, samplingInterval, retainers, keptOnce.',
    ],
    [
      'snapshots',
      { snapshots: 'yes' },
      {},
      `testEnvironmentOptions.leakwatch.snapshots is "yes"; allowed: true, false, or { maxPerFile: a whole number ≥ 1, maxSize: a size such as '256MB' }.`,
    ],
    [
      'snapshots.maxPerFile',
      { snapshots: { maxPerFile: 0 } },
      {},
      'testEnvironmentOptions.leakwatch.snapshots.maxPerFile is 0; allowed: a whole number ≥ 1.',
    ],
    [
      'snapshots.maxSize',
      { snapshots: { maxSize: 'huge' } },
      {},
      `testEnvironmentOptions.leakwatch.snapshots.maxSize is "huge"; ${SIZE_ALLOWED}`,
    ],
    [
      'LEAKWATCH_SNAPSHOTS',
      {},
      { LEAKWATCH_SNAPSHOTS: 'maybe' },
      'the environment variable LEAKWATCH_SNAPSHOTS is "maybe"; allowed: 1, 0, true, false.',
    ],
  ])('bad %s names the option, the value and the allowed values', (_name, options, env, message) => {
    expect(configError(() => parse(options, env))).toBe(`leakwatch: ${message}`);
  });

  test.each<[unknown, string]>([
    [[], 'testEnvironmentOptions.leakwatch must be an object, got an array.'],
    [{ heap: 5 }, 'testEnvironmentOptions.leakwatch.heap must be an object, got 5.'],
    [{ external: true }, 'testEnvironmentOptions.leakwatch.external (or false) must be an object, got true.'],
    [{ tempFiles: 'tmp' }, 'testEnvironmentOptions.leakwatch.tempFiles (or false) must be an object, got "tmp".'],
    [{ tempFiles: { dirs: 'tmp' } }, 'testEnvironmentOptions.leakwatch.tempFiles.dirs is "tmp"; allowed: an array of folder paths.'],
    [{ tempFiles: { dirs: [''] } }, 'testEnvironmentOptions.leakwatch.tempFiles.dirs is an array; allowed: an array of folder paths.'],
    [{ external: { threshold: -1 } }, `testEnvironmentOptions.leakwatch.external.threshold is -1; ${SIZE_ALLOWED}`],
    [{ native: true }, 'testEnvironmentOptions.leakwatch.native (or false) must be an object, got true.'],
    [{ native: { threshold: '8 megs' } }, `testEnvironmentOptions.leakwatch.native.threshold is "8 megs"; ${SIZE_ALLOWED}`],
    [{ native: { limit: 1 } }, 'unknown option testEnvironmentOptions.leakwatch.native.limit. Known options: threshold.'],
    [{ heap: { samplingInterval: '1 parsec' } }, `testEnvironmentOptions.leakwatch.heap.samplingInterval is "1 parsec"; ${SIZE_ALLOWED}`],
    [{ heap: { samplingInterval: 512 } }, 'testEnvironmentOptions.leakwatch.heap.samplingInterval is 512 B; allowed: 1KB or more.'],
    [{ heap: { retainers: 'no' } }, 'testEnvironmentOptions.leakwatch.heap.retainers is "no"; allowed: true, false.'],
    [
      { heap: { keptOnce: 'warn' } },
      `testEnvironmentOptions.leakwatch.heap.keptOnce is "warn"; allowed: true, false, or { allow: [holders such as 'src/api.js', 'cache', 'src/api.js:cache', 'src/legacy/'] }.`,
    ],
    [
      { heap: { keptOnce: { allow: 'cache' } } },
      `testEnvironmentOptions.leakwatch.heap.keptOnce.allow is "cache"; allowed: an array of holders: a file relative to rootDir ('src/api.js'), a folder ('src/legacy/'), a variable ('cache'), or both ('src/api.js:cache').`,
    ],
    [
      { heap: { keptOnce: { alow: [] } } },
      'unknown option testEnvironmentOptions.leakwatch.heap.keptOnce.alow. Did you mean testEnvironmentOptions.leakwatch.heap.keptOnce.allow? Known options: allow.',
    ],
    [{ handles: 'yes' }, 'testEnvironmentOptions.leakwatch.handles is "yes"; allowed: true, false.'],
    [{ fds: 1 }, 'testEnvironmentOptions.leakwatch.fds is 1; allowed: true, false.'],
    [{ listeners: {} }, 'testEnvironmentOptions.leakwatch.listeners is an object; allowed: true, false.'],
    [{ globals: () => true }, 'testEnvironmentOptions.leakwatch.globals is a function; allowed: true, false.'],
    [{ outputDir: ' ' }, 'testEnvironmentOptions.leakwatch.outputDir is " "; allowed: a non-empty path.'],
    [{ baseline: true }, 'testEnvironmentOptions.leakwatch.baseline (or false) is true; allowed: a non-empty path.'],
    [{ snapshots: { maxPerFile: 1.5 } }, 'testEnvironmentOptions.leakwatch.snapshots.maxPerFile is 1.5; allowed: a whole number ≥ 1.'],
    [{ snapshots: { count: 1 } }, 'unknown option testEnvironmentOptions.leakwatch.snapshots.count. Known options: maxPerFile, maxSize.'],
    [
      { Mode: 'warn' },
      'unknown option testEnvironmentOptions.leakwatch.Mode. Did you mean testEnvironmentOptions.leakwatch.mode? Known options: mode, heap, external, native, handles, fds, listeners, globals, tempFiles, snapshots, outputDir, baseline.',
    ],
    [{ mode: Symbol('fail') }, `testEnvironmentOptions.leakwatch.mode is Symbol(fail); allowed: 'fail', 'warn', 'off'.`],
    [{ mode: 'x'.repeat(100) }, `testEnvironmentOptions.leakwatch.mode is "${'x'.repeat(80)}…"; allowed: 'fail', 'warn', 'off'.`],
  ])('bad option %j: %s', (options, message) => {
    expect(configError(() => parse(options))).toBe(`leakwatch: ${message}`);
  });

  test('heap.keptOnce: false switches the check off; an allow list is kept as given', () => {
    expect(parse({ heap: { keptOnce: false } }).heap.keptOnce).toBeNull();
    expect(parse({ heap: { keptOnce: { allow: ['src/api.js:cache'] } } }).heap.keptOnce).toEqual({ allow: ['src/api.js:cache'] });
  });

  test('bad pragmas name the pragma', () => {
    expect(configError(() => parse({}, {}, { leakwatch: 'loud' }))).toBe(
      `leakwatch: the docblock pragma @leakwatch is "loud"; allowed: 'fail', 'warn', 'off'.`,
    );
    expect(configError(() => parse({}, {}, { 'leakwatch-heap-threshold': 'big' }))).toBe(
      `leakwatch: the docblock pragma @leakwatch-heap-threshold is "big"; ${SIZE_ALLOWED}`,
    );
  });

  test('the error is a LeakwatchConfigError named so', () => {
    const error = new LeakwatchConfigError('x');
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.message]).toEqual(['LeakwatchConfigError', 'leakwatch: x']);
  });
});

describe('defaultSamplingInterval', () => {
  test.each([
    [512 * 1024, 16 * 1024],
    [64 * 1024, 4 * 1024],
    [40 * 1024, 2 * 1024],
    [1024, 1024],
    [0, 1024],
    [100 * 1024 ** 2, 16 * 1024],
  ])('threshold %i -> %i: a sixteenth, whole KB, between 1KB and 16KB', (threshold, interval) => {
    expect(defaultSamplingInterval(threshold)).toBe(interval);
  });
});

describe('outputDirOf', () => {
  test('.leakwatch under rootDir by default, else the option resolved against rootDir', () => {
    expect(outputDirOf(undefined, rootDir)).toBe(path.join(rootDir, '.leakwatch'));
    expect(outputDirOf({ outputDir: 'reports' }, rootDir)).toBe(path.join(rootDir, 'reports'));
    expect(outputDirOf({ outputDir: path.resolve('/elsewhere') }, rootDir)).toBe(path.resolve('/elsewhere'));
  });

  test('rejects a path with a NUL byte', () => {
    expect(configError(() => outputDirOf({ outputDir: 'a\0b' }, rootDir))).toBe(
      'leakwatch: testEnvironmentOptions.leakwatch.outputDir is "a\\u0000b"; allowed: a non-empty path.',
    );
  });
});
