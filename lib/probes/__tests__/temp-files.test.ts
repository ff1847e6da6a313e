import fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { opensExistingOnly, TempFilesProbe } from '../temp-files';

let scratch: string;
let probe: TempFilesProbe | null = null;

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-temp-files-'));
});

afterEach(() => {
  probe?.dispose();
  probe = null;
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A probe watching os.tmpdir() for a project at `rootDir`, with a test started. */
function startedProbe(rootDir: string, listedDirs: string[] = []): TempFilesProbe {
  probe = new TempFilesProbe(listedDirs, path.join(scratch, 'jest-cache'), rootDir);
  probe.startFile();
  probe.beforeTest();
  return probe;
}

test('a file left in the temp folder is a finding that names it', () => {
  const file = path.join(scratch, 'left.txt');
  const started = startedProbe('/nonexistent/project');
  fs.writeFileSync(file, 'x');
  const finding = started.afterTest();
  expect(finding?.summary).toBe('left 1 path in the temp folder');
  expect(finding?.details[0]).toBe(file);
});

test('a file opened with a flag that creates it is a finding', () => {
  const file = path.join(scratch, 'opened.txt');
  const started = startedProbe('/nonexistent/project');
  fs.closeSync(fs.openSync(file, 'a+'));
  expect(started.afterTest()?.details[0]).toBe(file);
});

test('an open that cannot create (read-only) is not looked at, and costs no existence check', () => {
  const file = path.join(scratch, 'there.txt');
  fs.writeFileSync(file, 'x');
  const started = startedProbe('/nonexistent/project');
  const exists = jest.spyOn(fs, 'existsSync');
  try {
    fs.closeSync(fs.openSync(file, 'r'));
    fs.closeSync((fs.openSync as (file: string) => number)(file)); // Node defaults the flags to r
    expect(exists).not.toHaveBeenCalled();
  } finally {
    exists.mockRestore();
  }
  expect(started.afterTest()).toBeNull();
});

describe('opensExistingOnly', () => {
  test.each([[undefined], [null], [() => undefined], ['r'], ['r+'], ['rs+'], ['sr'], [fs.constants.O_RDWR]])(
    '%p cannot create',
    (flags) => {
      expect(opensExistingOnly(flags)).toBe(true);
    },
  );

  test.each([['w'], ['wx'], ['a'], ['a+'], ['w+'], [fs.constants.O_RDWR | fs.constants.O_CREAT]])('%p may create', (flags) => {
    expect(opensExistingOnly(flags)).toBe(false);
  });
});

test('a file the test removed again is no finding', () => {
  const file = path.join(scratch, 'removed.txt');
  const started = startedProbe('/nonexistent/project');
  fs.writeFileSync(file, 'x');
  fs.rmSync(file);
  expect(started.afterTest()).toBeNull();
});

test('a file written into a project that lives under the temp folder is not a temp file', () => {
  const project = path.join(scratch, 'checkout');
  fs.mkdirSync(path.join(project, 'test', 'tmp'), { recursive: true });
  const started = startedProbe(project);
  fs.writeFileSync(path.join(project, 'test', 'tmp', 'upload.bin'), 'x');
  expect(started.afterTest()).toBeNull();
});

test('a folder listed in tempFiles.dirs is watched even inside the project', () => {
  const project = path.join(scratch, 'checkout');
  const uploads = path.join(project, 'uploads');
  fs.mkdirSync(uploads, { recursive: true });
  const started = startedProbe(project, [uploads]);
  fs.writeFileSync(path.join(uploads, 'a.bin'), 'x');
  expect(started.afterTest()?.details[0]).toBe(path.join(uploads, 'a.bin'));
});

test("Jest's cache folder is never reported", () => {
  fs.mkdirSync(path.join(scratch, 'jest-cache'));
  const started = startedProbe('/nonexistent/project');
  fs.writeFileSync(path.join(scratch, 'jest-cache', 'transform.json'), '{}');
  expect(started.afterTest()).toBeNull();
});

test('a folder is reported once, not every file in it', () => {
  const dir = path.join(scratch, 'made');
  const started = startedProbe('/nonexistent/project');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'a'), 'x');
  fs.writeFileSync(path.join(dir, 'b'), 'x');
  expect(started.afterTest()?.details.slice(0, -1)).toEqual([dir]);
});

test('dispose puts fs back as it was', () => {
  const original = fs.writeFileSync;
  startedProbe('/nonexistent/project');
  expect(fs.writeFileSync).not.toBe(original);
  probe?.dispose();
  probe = null;
  expect(fs.writeFileSync).toBe(original);
});

describe('at file level', () => {
  /** mkdtempSync called from line 2 of a project file (this file is leakwatch's own). */
  function mkdtempFromProject(rootDir: string, prefix: string): string {
    const make = vm.runInThisContext('(function make(fs, prefix) {\n  return fs.mkdtempSync(prefix);\n})', {
      filename: path.join(rootDir, 'test', 'setup.js'),
    }) as (fsModule: typeof fs, prefix: string) => string;
    return make(fs, prefix);
  }

  function fileProbe(rootDir: string): TempFilesProbe {
    probe = new TempFilesProbe([], path.join(scratch, 'jest-cache'), rootDir);
    probe.startFileWindow();
    return probe;
  }

  test('a folder beforeAll made and nobody removed is named with its line and phase', () => {
    const rootDir = path.join(scratch, 'elsewhere');
    const started = fileProbe(rootDir);
    started.fileCodeRunning('beforeAll');
    const dir = mkdtempFromProject(rootDir, path.join(scratch, 'fixture-'));
    started.fileCodeRunning(null);
    expect(started.finishFileWindow()?.details[0]).toBe(`${dir}, created at test/setup.js:2 (beforeAll)`);
  });

  test('a folder afterAll removes is no finding', () => {
    const rootDir = path.join(scratch, 'elsewhere');
    const started = fileProbe(rootDir);
    started.fileCodeRunning('beforeAll');
    const dir = mkdtempFromProject(rootDir, path.join(scratch, 'fixture-'));
    started.fileCodeRunning('afterAll');
    fs.rmSync(dir, { recursive: true });
    expect(started.finishFileWindow()).toBeNull();
  });

  test("a test's own leftovers are judged with the test, not again with the file", () => {
    const started = fileProbe(path.join(scratch, 'elsewhere'));
    started.beforeTest();
    fs.writeFileSync(path.join(scratch, 'by-the-test.txt'), 'x');
    expect(started.afterTest()?.summary).toBe('left 1 path in the temp folder');
    expect(started.finishFileWindow()).toBeNull();
  });

  test('a path made by code with no project line (a library) is not the file’s', () => {
    const started = fileProbe(path.join(scratch, 'elsewhere'));
    started.fileCodeRunning('module scope');
    fs.mkdtempSync(path.join(scratch, 'library-'));
    expect(started.finishFileWindow()).toBeNull();
  });
});

test("a file a test writes into the file's own fixture folder is left to the file's cleanup", () => {
  probe = new TempFilesProbe([], path.join(scratch, 'jest-cache'), path.join(scratch, 'elsewhere'));
  probe.startFileWindow();
  probe.fileCodeRunning('beforeAll');
  const dir = fs.mkdtempSync(path.join(scratch, 'fixture-'));
  probe.fileCodeRunning(null);
  probe.beforeTest();
  fs.writeFileSync(path.join(dir, 'out.txt'), 'x');
  expect(probe.afterTest()).toBeNull();
});
