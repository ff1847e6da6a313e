/**
 * leakwatch's options, parsed and validated once per test file.
 * Sources, later ones win: testEnvironmentOptions.leakwatch, the LEAKWATCH* environment
 * variables, then the test file's docblock pragmas.
 */
import * as path from 'node:path';
import leven from 'leven';
import {
  DEFAULT_BASELINE,
  DEFAULT_EXTERNAL_THRESHOLD,
  DEFAULT_HEAP_THRESHOLD,
  DEFAULT_NATIVE_THRESHOLD,
  DEFAULT_SNAPSHOT_LIMITS,
  defaultSamplingInterval,
  type LeakwatchConfig,
  type SnapshotLimits,
} from './config';
import { describe, LeakwatchConfigError } from './config-error';
import { asObject, parseBoolean, parseBooleanText, parseMode, parseSize, parseString } from './config-values';
import { formatBytes } from './units';

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

  const external = thresholdSection(raw.external, 'external', DEFAULT_EXTERNAL_THRESHOLD);
  const native = thresholdSection(raw.native, 'native', DEFAULT_NATIVE_THRESHOLD);

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

/** The output folder of a project's options (the reporter reads it from each project's config). */
export function outputDirOf(leakwatchOptions: unknown, rootDir: string): string {
  const raw = (leakwatchOptions ?? {}) as Record<string, unknown>;
  return path.resolve(rootDir, parseString(raw.outputDir ?? '.leakwatch', 'testEnvironmentOptions.leakwatch.outputDir'));
}

function lastPragma(pragmas: Record<string, string | string[]>, name: string): string | undefined {
  const value = pragmas[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined ? undefined : String(last).trim();
}

/** A check that `false` switches off and `{ threshold }` tunes: external, native. */
function thresholdSection(value: unknown, name: 'external' | 'native', fallback: number): { threshold: number } | null {
  if (value === false) return null;
  const section = asObject(value ?? {}, `testEnvironmentOptions.leakwatch.${name} (or false)`);
  checkKeys(section, name);
  return { threshold: parseSize(section.threshold ?? fallback, `testEnvironmentOptions.leakwatch.${name}.threshold`) };
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
