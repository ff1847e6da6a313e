/**
 * Which of a test's surviving allocations are the user's doing.
 *
 * One-time work by the test runner (matchers, stack formatting loading source maps,
 * module loading and transpiling) also survives a test; it is no leak of the user's.
 * A survivor counts as the user's when:
 *  - a frame of its stack is in the project (rootDir, outside node_modules), and
 *  - no frame runs inside module loading (jest-runtime): a module body runs once
 *    per registry, and its results are cached by design, and
 *  - between the allocation and the innermost project frame there is no test-runner
 *    frame: the runner, not the user's code, allocated it (e.g. a matcher's state).
 * Libraries the user calls (anything else in node_modules) do count: a library cache
 * that grows on every call from a test is the user's leak to fix.
 */
import * as path from 'node:path';
import type { CallFrame, Survivor } from './sampler';
import type { SourceMapper } from './source-map';
import { isInside, isProjectFile, OWN_DIST, toFilePath } from '../core/stack';

const TEST_RUNNER_PACKAGE =
  /[\\/]node_modules[\\/](?:jest|jest-[^\\/]+|@jest[\\/][^\\/]+|expect|pretty-format|source-map-support|@cspotcode[\\/]source-map-support|babel-[^\\/]+|@babel[\\/][^\\/]+|ts-jest|@swc[\\/][^\\/]+|istanbul-[^\\/]+|stack-utils|@sinonjs[\\/][^\\/]+|jest-environment-leakwatch)[\\/]/;
const MODULE_LOADER = /[\\/]node_modules[\\/](?:jest-runtime|@jest[\\/]transform)[\\/]/;

export interface AllocationSite {
  /** The innermost frame in the project, then the project frame that called it, if any. */
  frames: CallFrame[];
  bytes: number;
  /** Filled in for the sites a message shows, from `describeSite`. */
  description?: string;
}

export interface Attribution {
  /** Estimated bytes still alive, allocated during the test by the user's code. */
  userBytes: number;
  /** Estimated bytes still alive, allocated during the test by anyone. */
  allBytes: number;
  /** Sites of userBytes, biggest first. */
  sites: AllocationSite[];
  /** The user's samples, by ordinal, to check later whether they are still alive. */
  userSamples: Map<number, number>;
}

export function attribute(survivors: Survivor[], rootDir: string): Attribution {
  const bySite = new Map<string, AllocationSite>();
  const userSamples = new Map<number, number>();
  let userBytes = 0;
  let allBytes = 0;
  for (const survivor of survivors) {
    allBytes += survivor.size;
    const files = survivor.stack.map((frame) => toFilePath(frame.url));
    if (files.some((file) => MODULE_LOADER.test(file))) continue;
    const innermostUser = files.findIndex((file) => isProjectFile(file, rootDir));
    if (innermostUser < 0) continue;
    if (files.slice(0, innermostUser).some((file) => isTestRunnerFile(file))) continue;
    userBytes += survivor.size;
    userSamples.set(survivor.ordinal, survivor.size);
    const frames = [survivor.stack[innermostUser]];
    const caller = files.findIndex((file, index) => index > innermostUser && isProjectFile(file, rootDir));
    if (caller >= 0) frames.push(survivor.stack[caller]);
    const key = frames.map((frame) => `${frame.scriptId}:${frame.lineNumber}:${frame.columnNumber}`).join(' ');
    const site = bySite.get(key) ?? { frames, bytes: 0 };
    site.bytes += survivor.size;
    bySite.set(key, site);
  }
  const sites = [...bySite.values()].sort((a, b) => b.bytes - a.bytes);
  return { userBytes, allBytes, sites, userSamples };
}

/**
 * "makeData (src/make.ts:12) ← (anonymous) (__tests__/cache.test.ts:20)", with positions
 * mapped to the original source where a map is known. Positions are where the function
 * starts: the sampling profiler records no statement lines.
 */
export function describeSite(site: AllocationSite, rootDir: string, mapper: SourceMapper): string {
  return site.frames
    .map((frame) => {
      const file = toFilePath(frame.url);
      const original = mapper.original(frame.scriptId, file, frame.lineNumber, frame.columnNumber);
      const where = original
        ? `${relative(rootDir, original.file)}:${original.line}`
        : `${relative(rootDir, file)}:${frame.lineNumber + 1}`;
      return `${frame.functionName || '(anonymous)'} (${where})`;
    })
    .join(' ← ');
}

function isTestRunnerFile(file: string): boolean {
  return TEST_RUNNER_PACKAGE.test(file) || isInside(file, OWN_DIST);
}

function relative(rootDir: string, file: string): string {
  return path.relative(rootDir, file).split(path.sep).join('/');
}
