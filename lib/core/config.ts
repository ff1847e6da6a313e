/**
 * leakwatch's options, parsed and validated once per test file.
 * Sources, later ones win: testEnvironmentOptions.leakwatch, the LEAKWATCH* environment
 * variables, then the test file's docblock pragmas.
 */
import * as path from 'node:path';
import leven from 'leven';
import { CHECKS, type Check, type UserCheck, type UserProbeDefinition } from './types';
import { formatBytes, parseBytes } from './units';

export type Mode = 'fail' | 'warn' | 'off';
export const MODES: readonly Mode[] = ['fail', 'warn', 'off'];

export interface LeakwatchConfig {
  mode: Mode;
  heap: {
    /** Retained heap, allocated by the test's own code, above which the test leaks. */
    threshold: number;
    /** Bytes between two samples of V8's sampling heap profiler. */
    samplingInterval: number;
    /** Explain what holds each confirmed leak (a heap snapshot after one more run). */
    retainers: boolean;
    /** Memory a test keeps once in module-level state: the holders allowed; null when off. */
    keptOnce: { allow: string[] } | null;
  };
  /** Memory outside the V8 heap; null when switched off. */
  external: { threshold: number } | null;
  /** Native memory V8 does not account for (Linux); null when switched off. */
  native: { threshold: number } | null;
  /** Which resource checks run besides memory. */
  handles: boolean;
  fds: boolean;
  listeners: boolean;
  globals: boolean;
  /** Temp files check; the folders watched besides os.tmpdir(). Null when switched off. */
  tempFiles: { dirs: string[] } | null;
  /** Heap snapshot pairs for offenders, and their limits; null when off. */
  snapshots: SnapshotLimits | null;
  /** Absolute path; every file leakwatch writes goes below it. */
  outputDir: string;
  /** Absolute path of the known-leaks file (it may not exist); null when switched off. */
  baseline: string | null;
}

export const DEFAULT_HEAP_THRESHOLD = 512 * 1024;
export const DEFAULT_SAMPLING_INTERVAL = 16 * 1024;
export const DEFAULT_EXTERNAL_THRESHOLD = 1024 * 1024;
/** From the noise of clean tests and their reruns: docs/measurements.md. */
export const DEFAULT_NATIVE_THRESHOLD = 8 * 1024 * 1024;
export const DEFAULT_BASELINE = 'leakwatch.baseline.json';

/** Thrown for bad input; Jest shows it as "Test suite failed to run". */
export class LeakwatchConfigError extends Error {
  constructor(message: string) {
    super(`leakwatch: ${message}`);
    this.name = 'LeakwatchConfigError';
  }
}

export interface SnapshotLimits {
  /** Pairs per test file at most. */
  maxPerFile: number;
  /** Bytes per snapshot file at most: a bigger one is not kept. */
  maxSize: number;
}

/** Snapshots hold the whole heap: a few pairs of a 100 MB heap already take ~1 GB. */
const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = { maxPerFile: 3, maxSize: 512 * 1024 * 1024 };

const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['mode', 'heap', 'external', 'native', 'handles', 'fds', 'listeners', 'globals', 'tempFiles', 'snapshots', 'outputDir', 'baseline'],
  heap: ['threshold', 'samplingInterval', 'retainers', 'keptOnce'],
  'heap.keptOnce': ['allow'],
  external: ['threshold'],
  native: ['threshold'],
  tempFiles: ['dirs'],
  snapshots: ['maxPerFile', 'maxSize'],
};

interface Sources {
  options: unknown;
  env: NodeJS.ProcessEnv;
  pragmas: Record<string, string | string[]>;
  rootDir: string;
}

export function parseConfig({ options, env, pragmas, rootDir }: Sources): LeakwatchConfig {
  const raw = asObject(options ?? {}, 'testEnvironmentOptions.leakwatch');
  checkKeys(raw, '');
  const heapRaw = asObject(raw.heap ?? {}, 'testEnvironmentOptions.leakwatch.heap');
  checkKeys(heapRaw, 'heap');

  let external: LeakwatchConfig['external'] = null;
  if (raw.external !== false) {
    const externalRaw = asObject(raw.external ?? {}, 'testEnvironmentOptions.leakwatch.external (or false)');
    checkKeys(externalRaw, 'external');
    external = {
      threshold: parseSize(externalRaw.threshold ?? DEFAULT_EXTERNAL_THRESHOLD, 'testEnvironmentOptions.leakwatch.external.threshold'),
    };
  }

  let native: LeakwatchConfig['native'] = null;
  if (raw.native !== false) {
    const nativeRaw = asObject(raw.native ?? {}, 'testEnvironmentOptions.leakwatch.native (or false)');
    checkKeys(nativeRaw, 'native');
    native = {
      threshold: parseSize(nativeRaw.threshold ?? DEFAULT_NATIVE_THRESHOLD, 'testEnvironmentOptions.leakwatch.native.threshold'),
    };
  }

  let tempFiles: LeakwatchConfig['tempFiles'] = null;
  if (raw.tempFiles !== false) {
    const tempRaw = asObject(raw.tempFiles ?? {}, 'testEnvironmentOptions.leakwatch.tempFiles (or false)');
    checkKeys(tempRaw, 'tempFiles');
    const dirs = tempRaw.dirs ?? [];
    if (!Array.isArray(dirs) || dirs.some((dir) => typeof dir !== 'string' || dir === '')) {
      throw new LeakwatchConfigError(
        `testEnvironmentOptions.leakwatch.tempFiles.dirs is ${describe(dirs)}; allowed: an array of folder paths.`,
      );
    }
    tempFiles = { dirs: (dirs as string[]).map((dir) => path.resolve(rootDir, dir)) };
  }

  const config: LeakwatchConfig = {
    mode: parseMode(raw.mode ?? 'fail', 'testEnvironmentOptions.leakwatch.mode'),
    heap: {
      threshold: parseSize(heapRaw.threshold ?? DEFAULT_HEAP_THRESHOLD, 'testEnvironmentOptions.leakwatch.heap.threshold'),
      // 0 until the threshold is final (pragmas below): then a sixteenth of it, at most 16KB.
      samplingInterval:
        heapRaw.samplingInterval === undefined
          ? 0
          : parseSize(heapRaw.samplingInterval, 'testEnvironmentOptions.leakwatch.heap.samplingInterval'),
      retainers: parseBoolean(heapRaw.retainers ?? true, 'testEnvironmentOptions.leakwatch.heap.retainers'),
      keptOnce: parseKeptOnce(heapRaw.keptOnce ?? true),
    },
    external,
    native,
    handles: parseBoolean(raw.handles ?? true, 'testEnvironmentOptions.leakwatch.handles'),
    fds: parseBoolean(raw.fds ?? true, 'testEnvironmentOptions.leakwatch.fds'),
    listeners: parseBoolean(raw.listeners ?? true, 'testEnvironmentOptions.leakwatch.listeners'),
    globals: parseBoolean(raw.globals ?? false, 'testEnvironmentOptions.leakwatch.globals'),
    tempFiles,
    snapshots: parseSnapshots(raw.snapshots ?? false),
    outputDir: outputDirOf(raw, rootDir),
    baseline:
      raw.baseline === false
        ? null
        : path.resolve(rootDir, parseString(raw.baseline ?? DEFAULT_BASELINE, 'testEnvironmentOptions.leakwatch.baseline (or false)')),
  };
  if (heapRaw.samplingInterval !== undefined && config.heap.samplingInterval < 1024) {
    throw new LeakwatchConfigError(
      `testEnvironmentOptions.leakwatch.heap.samplingInterval is ${formatBytes(config.heap.samplingInterval)}; allowed: 1KB or more.`,
    );
  }

  if (env.LEAKWATCH !== undefined && env.LEAKWATCH !== '') {
    config.mode = parseMode(env.LEAKWATCH.trim().toLowerCase(), 'the environment variable LEAKWATCH');
  }
  if (env.LEAKWATCH_SNAPSHOTS !== undefined && env.LEAKWATCH_SNAPSHOTS !== '') {
    const on = parseBooleanText(env.LEAKWATCH_SNAPSHOTS, 'the environment variable LEAKWATCH_SNAPSHOTS');
    config.snapshots = on ? (config.snapshots ?? DEFAULT_SNAPSHOT_LIMITS) : null;
  }
  if (env.LEAKWATCH_KEPT_ONCE !== undefined && env.LEAKWATCH_KEPT_ONCE !== '') {
    const on = parseBooleanText(env.LEAKWATCH_KEPT_ONCE, 'the environment variable LEAKWATCH_KEPT_ONCE');
    config.heap.keptOnce = on ? (config.heap.keptOnce ?? { allow: [] }) : null;
  }

  const modePragma = lastPragma(pragmas, 'leakwatch');
  if (modePragma !== undefined) config.mode = parseMode(modePragma, 'the docblock pragma @leakwatch');
  const thresholdPragma = lastPragma(pragmas, 'leakwatch-heap-threshold');
  if (thresholdPragma !== undefined) {
    config.heap.threshold = parseSize(thresholdPragma, 'the docblock pragma @leakwatch-heap-threshold');
  }
  if (config.heap.samplingInterval === 0) config.heap.samplingInterval = defaultSamplingInterval(config.heap.threshold);
  return config;
}

/**
 * A leak of the threshold's size gets ~16 samples or more (at most 16KB apart): with 4 (a
 * 64 KB leak at the 16KB default) a 64 KB Map leak was missed in 1 of 10 corpus runs.
 * Smaller intervals cost only during extra runs, when the profiler is on.
 */
export function defaultSamplingInterval(threshold: number): number {
  return Math.max(1024, Math.min(DEFAULT_SAMPLING_INTERVAL, Math.floor(threshold / 16 / 1024) * 1024));
}

/** The output folder of a project's options (the reporter reads it from each project's config). */
export function outputDirOf(leakwatchOptions: unknown, rootDir: string): string {
  const raw = (leakwatchOptions ?? {}) as Record<string, unknown>;
  return path.resolve(rootDir, parseString(raw.outputDir ?? '.leakwatch', 'testEnvironmentOptions.leakwatch.outputDir'));
}

/** Validates the arguments of `leakwatch.ignore(...)` called from a test. */
export function parseCheckNames(names: unknown[], userProbes: readonly UserCheck[] = []): Check[] {
  const known: readonly Check[] = [...CHECKS, ...userProbes];
  const checks = names.length === 0 ? known : names;
  return checks.map((name) => {
    if (typeof name !== 'string' || !(known as readonly string[]).includes(name)) {
      throw new LeakwatchConfigError(
        `leakwatch.ignore() got ${describe(name)}; allowed: ${known.map((c) => `'${c}'`).join(', ')} (or no argument for all checks).`,
      );
    }
    return name as Check;
  });
}

/** Validates what `leakwatch.registerProbe()` got from a setup file. */
export function parseProbeDefinition(value: unknown, taken: readonly string[]): UserProbeDefinition {
  const option = 'leakwatch.registerProbe()';
  const raw = asObject(value, `${option}'s argument`);
  for (const key of Object.keys(raw)) {
    if (!['name', 'measure', 'tolerance', 'unit', 'message'].includes(key)) {
      throw new LeakwatchConfigError(`${option} got an unknown field ${key}; allowed: name, measure, tolerance, unit, message.`);
    }
  }
  if (typeof raw.name !== 'string' || !/^[\w.-]{1,64}$/.test(raw.name)) {
    throw new LeakwatchConfigError(`${option}: name is ${describe(raw.name)}; allowed: 1-64 letters, digits, '_', '.', '-'.`);
  }
  if (taken.includes(raw.name)) throw new LeakwatchConfigError(`${option}: the name '${raw.name}' is taken; pick another.`);
  if (typeof raw.measure !== 'function') {
    throw new LeakwatchConfigError(
      `${option}: measure is ${describe(raw.measure)}; allowed: a function returning a number (or a promise of one).`,
    );
  }
  if (raw.tolerance !== undefined && (typeof raw.tolerance !== 'number' || !(raw.tolerance >= 0))) {
    throw new LeakwatchConfigError(`${option}: tolerance is ${describe(raw.tolerance)}; allowed: a number ≥ 0.`);
  }
  if (raw.unit !== undefined && typeof raw.unit !== 'string') {
    throw new LeakwatchConfigError(`${option}: unit is ${describe(raw.unit)}; allowed: a string.`);
  }
  if (raw.message !== undefined && typeof raw.message !== 'function') {
    throw new LeakwatchConfigError(`${option}: message is ${describe(raw.message)}; allowed: a function (growth) => string.`);
  }
  return raw as unknown as UserProbeDefinition;
}

function lastPragma(pragmas: Record<string, string | string[]>, name: string): string | undefined {
  const value = pragmas[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined ? undefined : String(last).trim();
}

function asObject(value: unknown, option: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LeakwatchConfigError(`${option} must be an object, got ${describe(value)}.`);
  }
  return value as Record<string, unknown>;
}

function checkKeys(raw: Record<string, unknown>, section: string): void {
  const known = KNOWN_KEYS[section];
  const prefix = `testEnvironmentOptions.leakwatch${section ? `.${section}` : ''}`;
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    const closest = closestName(key, known);
    throw new LeakwatchConfigError(
      `unknown option ${prefix}.${key}.${closest ? ` Did you mean ${prefix}.${closest}?` : ''} Known options: ${known.join(', ')}.`,
    );
  }
}

function parseMode(value: unknown, option: string): Mode {
  if (typeof value === 'string' && (MODES as readonly string[]).includes(value)) return value as Mode;
  throw new LeakwatchConfigError(`${option} is ${describe(value)}; allowed: ${MODES.map((m) => `'${m}'`).join(', ')}.`);
}

function parseSize(value: unknown, option: string): number {
  const bytes = parseBytes(value);
  if (bytes === undefined) {
    throw new LeakwatchConfigError(
      `${option} is ${describe(value)}; allowed: a number of bytes or a string such as '512KB', '2MB', '1GB'.`,
    );
  }
  return bytes;
}

function parseBoolean(value: unknown, option: string): boolean {
  if (typeof value === 'boolean') return value;
  throw new LeakwatchConfigError(`${option} is ${describe(value)}; allowed: true, false.`);
}

function parseBooleanText(value: string, option: string): boolean {
  const text = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new LeakwatchConfigError(`${option} is ${describe(value)}; allowed: 1, 0, true, false.`);
}

function parseString(value: unknown, option: string): string {
  if (typeof value === 'string' && value.trim() !== '' && !value.includes('\0')) return value;
  throw new LeakwatchConfigError(`${option} is ${describe(value)}; allowed: a non-empty path.`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  const primitive = value as number | boolean | bigint | null;
  return String(primitive);
}

/** The known name within edit distance 2 of `name`, for "did you mean" hints. */
function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = leven(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `heap.keptOnce`: true, false, or { allow: holders } (on, with the holders the user expects). */
function parseKeptOnce(value: unknown): { allow: string[] } | null {
  const option = 'testEnvironmentOptions.leakwatch.heap.keptOnce';
  if (value === false) return null;
  if (value === true) return { allow: [] };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LeakwatchConfigError(
      `${option} is ${describe(value)}; allowed: true, false, or { allow: [holders such as 'src/api.js', 'cache', 'src/api.js:cache', 'src/legacy/'] }.`,
    );
  }
  const raw = value as Record<string, unknown>;
  checkKeys(raw, 'heap.keptOnce');
  const allow = raw.allow ?? [];
  if (!Array.isArray(allow) || allow.some((entry) => typeof entry !== 'string' || entry.trim() === '')) {
    throw new LeakwatchConfigError(
      `${option}.allow is ${describe(allow)}; allowed: an array of holders: a file relative to rootDir ('src/api.js'), a folder ('src/legacy/'), a variable ('cache'), or both ('src/api.js:cache').`,
    );
  }
  return { allow: allow as string[] };
}

/** `snapshots`: true, false, or { maxPerFile, maxSize } (on, with limits). */
function parseSnapshots(value: unknown): SnapshotLimits | null {
  if (value === false) return null;
  if (value === true) return DEFAULT_SNAPSHOT_LIMITS;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LeakwatchConfigError(
      `testEnvironmentOptions.leakwatch.snapshots is ${describe(value)}; allowed: true, false, or { maxPerFile: a whole number ≥ 1, maxSize: a size such as '256MB' }.`,
    );
  }
  const raw = value as Record<string, unknown>;
  checkKeys(raw, 'snapshots');
  const maxPerFile = raw.maxPerFile ?? DEFAULT_SNAPSHOT_LIMITS.maxPerFile;
  if (typeof maxPerFile !== 'number' || !Number.isInteger(maxPerFile) || maxPerFile < 1) {
    throw new LeakwatchConfigError(
      `testEnvironmentOptions.leakwatch.snapshots.maxPerFile is ${describe(maxPerFile)}; allowed: a whole number ≥ 1.`,
    );
  }
  const maxSize = parseSize(raw.maxSize ?? DEFAULT_SNAPSHOT_LIMITS.maxSize, 'testEnvironmentOptions.leakwatch.snapshots.maxSize');
  return { maxPerFile, maxSize };
}
