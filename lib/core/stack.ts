/** Reading `new Error().stack` text: which line is the user's code. */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;
/** leakwatch's compiled folder (dist/): this file is dist/core/stack.js. */
export const OWN_DIST = path.resolve(__dirname, '..');

/** "src/server.ts:14" for the innermost stack line in the project, or null. */
export function firstUserFrame(stack: string, rootDir: string): string | null {
  return userFrames(stack, rootDir)[0]?.site ?? null;
}

/** The stack text's project lines, innermost first. */
function userFrames(stack: string, rootDir: string): Array<{ file: string; site: string }> {
  const frames: Array<{ file: string; site: string }> = [];
  for (const line of stack.split('\n').slice(1)) {
    const match = FRAME.exec(line);
    if (!match) continue;
    const file = toFilePath(match[2]);
    if (!isProjectFile(file, rootDir)) continue;
    frames.push({ file, site: `${path.relative(rootDir, file).split(path.sep).join('/')}:${match[3]}` });
  }
  return frames;
}

/** The innermost site, and the test file's outermost line when the innermost is elsewhere. */
function withCaller<T>(frames: T[], inTestFile: (frame: T) => boolean, siteOf: (frame: T) => string): string | null {
  if (frames.length === 0) return null;
  const innermost = frames[0];
  const caller = inTestFile(innermost) ? undefined : [...frames].reverse().find(inTestFile);
  return caller ? `${siteOf(innermost)} from ${siteOf(caller)}` : siteOf(innermost);
}

/**
 * "src/server.ts:14" for the innermost project frame of a creationStack() error, or null;
 * "src/server.ts:14 from __tests__/api.test.ts:9" when that frame is outside `testFile` and
 * the test file called it: the line to look at in the test. Frames are read raw first: most
 * recorded errors are Jest's or Node's own, and formatting their text would load and parse
 * source maps for nothing. Only the frames named are formatted, by the installed
 * Error.prepareStackTrace, so their lines are the original source's.
 */
export function userSite(error: Error, rootDir: string, testFile: string | null = null): string | null {
  const frames = callSites(error);
  if (!frames) {
    return withCaller(
      userFrames(error.stack ?? '', rootDir),
      (frame) => frame.file === testFile,
      (frame) => frame.site,
    );
  }
  return withCaller(
    frames.filter((site) => isProjectFile(toFilePath(site.getFileName() ?? ''), rootDir)),
    (site) => testFile !== null && toFilePath(site.getFileName() ?? '') === testFile,
    (site) => frameSite(error, site, rootDir),
  );
}

/** "src/server.ts:14" for one call site, at its original line where source maps say so. */
function frameSite(error: Error, frame: NodeJS.CallSite, rootDir: string): string {
  // Called as a plain function, the way V8 calls it.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const format = Error.prepareStackTrace;
  if (typeof format === 'function') {
    try {
      const text = format(error, [frame]) as unknown;
      if (typeof text === 'string') {
        const site = firstUserFrame(text, rootDir);
        if (site) return site;
      }
    } catch {
      // Use the position V8 gave.
    }
  }
  const file = toFilePath(frame.getFileName() ?? '');
  return `${path.relative(rootDir, file).split(path.sep).join('/')}:${frame.getLineNumber() ?? 0}`;
}

/** The V8 call sites of an error whose stack was never read as text, or null. */
export function callSites(error: Error): NodeJS.CallSite[] | null {
  // Saved to be put back as it was, not called.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const format = Error.prepareStackTrace;
  Error.prepareStackTrace = (_error, frames) => frames;
  try {
    const frames = error.stack as unknown;
    return Array.isArray(frames) ? (frames as NodeJS.CallSite[]) : null;
  } catch {
    return null;
  } finally {
    Error.prepareStackTrace = format;
  }
}

/** Under rootDir, outside node_modules, and not leakwatch itself. */
export function isProjectFile(file: string, rootDir: string): boolean {
  // Stacks repeat the same few hundred files (Jest's, Node's): remember each answer.
  if (projectFiles.rootDir !== rootDir || projectFiles.answers.size > 10_000) {
    projectFiles.rootDir = rootDir;
    projectFiles.answers.clear();
  }
  let answer = projectFiles.answers.get(file);
  if (answer === undefined) {
    answer = path.isAbsolute(file) && isInside(file, rootDir) && !/[\\/]node_modules[\\/]/.test(file) && !isInside(file, OWN_DIST);
    projectFiles.answers.set(file, answer);
  }
  return answer;
}

const projectFiles = { rootDir: '', answers: new Map<string, boolean>() };

/** A path from a `file://` URL (decoded, so spaces and non-ASCII survive), or the text as given. */
export function toFilePath(location: string | URL): string {
  if (location instanceof URL || location.startsWith('file://')) {
    try {
      return fileURLToPath(location);
    } catch {
      return String(location);
    }
  }
  return location;
}

export function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * Where something is being created, for a message that may never be printed: V8 records the
 * frames now (40 deep, past Jest's and Node's own) and formats them only when `.stack` is read.
 */
export function creationStack(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const error = new Error();
  Error.stackTraceLimit = limit;
  return error;
}
