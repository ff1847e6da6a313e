/** Reading `new Error().stack` text: which line is the user's code. */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const FRAME = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;
const OWN_DIST = path.resolve(__dirname);

/** "src/server.ts:14" for the innermost stack line in the project, or null. */
export function firstUserFrame(stack: string, rootDir: string): string | null {
  for (const line of stack.split('\n').slice(1)) {
    const match = FRAME.exec(line);
    if (!match) continue;
    const file = toFilePath(match[2]);
    if (!isProjectFile(file, rootDir)) continue;
    return `${path.relative(rootDir, file).split(path.sep).join('/')}:${match[3]}`;
  }
  return null;
}

/** Under rootDir, outside node_modules, and not leakwatch itself. */
export function isProjectFile(file: string, rootDir: string): boolean {
  return path.isAbsolute(file) && isInside(file, rootDir) && !/[\\/]node_modules[\\/]/.test(file) && !isInside(file, OWN_DIST);
}

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
