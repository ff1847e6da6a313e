import fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { RerunOutcome } from '../../core/types';
import { FdsProbe } from '../fds';

const root = path.resolve('/project');
const TEST = { name: 'a test', id: 1 };
const rerun = async (): Promise<RerunOutcome> => ({ threw: null });
/** Descriptors are listed from /proc/self/fd: skipped where there is none. */
const describeWithProcFd = fs.existsSync('/proc/self/fd') ? describe : describe.skip;

/** fs.openSync(file) from line 2 of a file of the project (this file is leakwatch's own). */
const openFromProject = vm.runInThisContext("(function open(fs, file) {\n  return fs.openSync(file, 'w');\n})", {
  filename: path.join(root, 'src/fixture.js'),
}) as (filesystem: typeof fs, file: string) => number;

describeWithProcFd('FdsProbe at file level (needs /proc/self/fd, Linux)', () => {
  let dir: string;
  let probe: FdsProbe;
  const opened: number[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-fds-unit-'));
    probe = new FdsProbe(root);
    probe.startFileWindow();
    probe.startFile();
  });

  afterEach(() => {
    probe.dispose();
    for (const fd of opened.splice(0)) fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function open(name: string): number {
    const fd = openFromProject(fs, path.join(dir, name));
    opened.push(fd);
    return fd;
  }

  function close(fd: number): void {
    opened.splice(opened.indexOf(fd), 1);
    fs.closeSync(fd);
  }

  test('reports a descriptor a beforeAll hook opened and the file left open, with its line and hook', async () => {
    probe.fileCodeRunning('beforeAll');
    const fd = open('kept.txt');
    probe.fileCodeRunning(null);
    const finding = await probe.finishFileWindow();
    expect(finding?.summary).toBe('leaked 1 file descriptor');
    expect(finding?.details).toEqual([
      `fd ${fd} → ${fs.realpathSync(dir)}/kept.txt, opened at src/fixture.js:2 (beforeAll)`,
      "Still open 100 ms after the file's last afterAll hook: close it (fs.closeSync, filehandle.close(), stream.destroy()) in an afterAll hook.",
    ]);
  });

  test('a descriptor that afterAll closes is no finding', async () => {
    probe.fileCodeRunning('module scope');
    const fd = open('closed.txt');
    probe.fileCodeRunning('afterAll');
    close(fd);
    probe.fileCodeRunning(null);
    expect(await probe.finishFileWindow()).toBeNull();
  });

  test("a test's own descriptor is judged with the test, not again with the file", async () => {
    probe.beforeTest();
    open('test.txt');
    expect((await probe.afterTest(TEST, rerun))?.summary).toBe('leaked 1 file descriptor');
    probe.fileCodeRunning('afterAll');
    probe.fileCodeRunning(null);
    expect(await probe.finishFileWindow()).toBeNull();
  });
});
