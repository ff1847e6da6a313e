import fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TempFilesProbe } from '../temp-files';

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
