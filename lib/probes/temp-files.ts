/**
 * TempFilesProbe: files and folders a test created under the temp folder (os.tmpdir(), plus
 * `tempFiles.dirs`) and did not remove. A checkout that itself lives under os.tmpdir() (CI
 * runners that build in /tmp) is the project, not a temp folder: paths under rootDir count
 * only inside a folder listed in `tempFiles.dirs`. It records the paths this process creates through `fs`
 * while a test runs, so a file another worker creates at the same time is never blamed, and
 * it costs one existsSync per created path, however full the folder is. Paths under Jest's
 * cacheDirectory are Jest's own.
 */
// The module object itself (esModuleInterop's default): `import * as` would give a copy, and
// patching a copy does nothing.
import fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { wrapFunction, type AnyFunction } from '../core/patch';
import { creationStack, userSite, isInside, toFilePath } from '../core/stack';
import type { Probe } from './probe';
import type { FilePhase, Finding, TestInfo } from '../core/types';
import { counted } from '../core/units';

/** fs functions whose first argument is a path they may create. */
const CREATORS = [
  'open',
  'openSync',
  'writeFile',
  'writeFileSync',
  'appendFile',
  'appendFileSync',
  'mkdir',
  'mkdirSync',
  'createWriteStream',
];
const PROMISE_CREATORS = ['open', 'writeFile', 'appendFile', 'mkdir'];
/** fs functions whose second argument is the path they create. */
const SECOND_ARG_CREATORS = ['copyFile', 'copyFileSync', 'rename', 'renameSync', 'symlink', 'symlinkSync', 'link', 'linkSync'];

export class TempFilesProbe implements Probe {
  readonly check = 'tempFiles' as const;
  readonly kind = 'resource' as const;
  /** Paths created during the current test, with where (V8 formats the stack only if reported). */
  private created: Map<string, Error> | null = null;
  /** Paths the file's own code (module scope, beforeAll, afterAll) created, with where and when. */
  private readonly fileCreated = new Map<string, Error>();
  private readonly filePhases = new Map<string, FilePhase>();
  private filePhase: FilePhase | null = null;
  private testRunning = false;
  private readonly restore: Array<() => void> = [];
  /** os.tmpdir(), without rootDir. */
  private readonly systemTemp: string;
  /** `tempFiles.dirs`: watched wherever they are. */
  private readonly listedDirs: string[];
  private readonly projectDirs: string[];

  constructor(
    extraDirs: string[],
    private readonly cacheDirectory: string,
    private readonly rootDir: string,
  ) {
    this.systemTemp = realpath(os.tmpdir());
    this.listedDirs = extraDirs.map((dir) => realpath(path.resolve(dir)));
    // Both spellings: fs calls may name the project by its symlink or by its real path.
    this.projectDirs = [...new Set([path.resolve(rootDir), realpath(path.resolve(rootDir))])];
  }

  startFileWindow(): void {
    this.startFile();
  }

  fileCodeRunning(phase: FilePhase | null): void {
    this.filePhase = phase;
    if (!this.testRunning) this.created = phase === null ? null : this.fileCreated;
  }

  finishFileWindow(): Finding | null {
    this.fileCodeRunning(null);
    const left = leftBehind(this.fileCreated).filter((file) => this.siteOf(this.fileCreated, file) !== null);
    return tempFilesFinding(
      left.map((file) => `${file}, created at ${this.siteOf(this.fileCreated, file)} (${this.filePhases.get(file) ?? 'the file'})`),
      'Remove them in an afterAll hook (fs.rmSync(path, { recursive: true, force: true })).',
    );
  }

  startFile(): string | null {
    if (this.restore.length > 0) return null;
    this.wrap(fs, CREATORS, 0);
    this.wrap(fs, SECOND_ARG_CREATORS, 1);
    this.wrap(fs.promises, PROMISE_CREATORS, 0);
    this.wrap(fs, ['mkdtemp'], 0, true);
    this.wrap(fs, ['mkdtempSync'], 0, true);
    this.wrap(fs.promises, ['mkdtemp'], 0, true);
    return null;
  }

  beforeTest(): void {
    this.testRunning = true;
    this.created = new Map();
  }

  afterTest(): Finding | null {
    const created = this.testRunning ? this.created : null;
    this.testRunning = false;
    this.created = null;
    if (!created) return null;
    // Inside a folder the file's own code made (a beforeAll fixture folder), a path is the
    // file's to clean up, judged at the file's end with its folder.
    const fileDirs = [...this.fileCreated.keys()];
    const left = leftBehind(created).filter((file) => !fileDirs.some((dir) => isInside(file, dir)));
    return tempFilesFinding(
      left.map((file) => {
        const site = this.siteOf(created, file);
        return site ? `${file}, created at ${site}` : file;
      }),
      'Remove them in the test or an afterEach hook (fs.rmSync(path, { recursive: true, force: true })).',
    );
  }

  abandonTest(): void {
    this.testRunning = false;
    this.created = null;
  }

  private siteOf(created: Map<string, Error>, file: string): string | null {
    const origin = created.get(file);
    return origin ? userSite(origin, this.rootDir) : null;
  }

  finishFile(): Array<{ test: TestInfo; finding: Finding }> {
    return [];
  }

  dispose(): void {
    for (const undo of this.restore.splice(0)) undo();
    this.created = null;
  }

  private wrap(target: object, names: string[], argIndex: number, namesInResult = false): void {
    const probe = this;
    const make = (original: AnyFunction, name: string): AnyFunction => {
      const opens = name === 'open' || name === 'openSync';
      const wrapped = function (this: unknown, ...args: unknown[]): unknown {
        const created = probe.created;
        // Only what the call brings into existence: opening or appending to a file that was
        // already there creates nothing, and neither does an open without O_CREAT (every
        // module Jest reads, on 29 and 30 alike), which then costs no path check.
        const mayCreate = created && !namesInResult && !(opens && opensExistingOnly(args[1]));
        const target = mayCreate ? probe.newPath(args[argIndex]) : null;
        const origin = target || (created && namesInResult) ? creationStack() : null;
        if (created && namesInResult) {
          // mkdtemp names its folder only in its result: the return value, the promise, or the callback.
          const last = args.length - 1;
          const callback = args[last];
          if (typeof callback === 'function') {
            args[last] = function (this: unknown, error: unknown, dir: unknown) {
              probe.record(created, dir, origin!);
              return (callback as AnyFunction).call(this, error, dir);
            };
          }
        }
        const result = original.apply(this, args);
        if (created) {
          if (!namesInResult) {
            if (target) probe.record(created, target, origin!);
          } else if (typeof result === 'string') probe.record(created, result, origin!);
          else if (result && typeof (result as Promise<unknown>).then === 'function') {
            (result as Promise<unknown>).then(
              (dir) => probe.record(created, dir, origin!),
              () => undefined,
            );
          }
        }
        return result;
      };
      return wrapped;
    };
    for (const name of names) this.restore.push(wrapFunction(target, name, (original) => make(original, name)));
  }

  /** The absolute path if it is watched and does not exist yet, else null. */
  private newPath(file: unknown): string | null {
    const absolute = this.watched(file);
    return absolute && !fs.existsSync(absolute) ? absolute : null;
  }

  private record(created: Map<string, Error>, file: unknown, origin: Error): void {
    const absolute = this.watched(file);
    if (!absolute || created.has(absolute)) return;
    created.set(absolute, origin);
    if (created === this.fileCreated && this.filePhase !== null) this.filePhases.set(absolute, this.filePhase);
  }

  /** The absolute path if it lies in a watched folder (and not in Jest's cache), else null. */
  private watched(file: unknown): string | null {
    if (typeof file !== 'string' && !(file instanceof URL)) return null;
    const absolute = path.resolve(toFilePath(file));
    if (isInside(absolute, this.cacheDirectory)) return null;
    if (this.listedDirs.some((dir) => isInside(absolute, dir))) return absolute;
    const inProject = this.projectDirs.some((dir) => isInside(absolute, dir));
    return !inProject && isInside(absolute, this.systemTemp) ? absolute : null;
  }
}

/**
 * Whether an open's flags (its second argument) cannot create the file: none given (or the
 * callback in their place) means 'r'; 'r', 'rs' and their '+' forms; a number without O_CREAT.
 */
export function opensExistingOnly(flags: unknown): boolean {
  if (flags === undefined || flags === null || typeof flags === 'function') return true;
  if (typeof flags === 'number') return (flags & fs.constants.O_CREAT) === 0;
  return typeof flags === 'string' && /^(r|rs|sr)\+?$/.test(flags);
}

/** One line per path left, then what to do; null when none is. */
function tempFilesFinding(lines: string[], advice: string): Finding | null {
  if (lines.length === 0) return null;
  return {
    check: 'tempFiles',
    verdict: 'leak',
    summary: `left ${counted(lines.length, 'path')} in the temp folder`,
    details: [...lines, advice],
  };
}

/** The created paths that still exist, sorted, a folder once rather than every file in it. */
function leftBehind(created: Map<string, Error>): string[] {
  return [...created.keys()]
    .filter((file) => fs.existsSync(file))
    .sort()
    .filter((file, index, all) => !all.slice(0, index).some((dir) => isInside(file, dir)));
}

function realpath(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}
