import fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RerunOutcome } from '../../core/types';
import * as stack from '../../core/stack';
import { FdsProbe } from '../fds';

/** The probe wraps fs only where descriptors can be listed: skipped elsewhere. */
const TEST = { name: 'a test', id: 1 };
const rerun = async (): Promise<RerunOutcome> => ({ threw: null });
const describeWithProcFd = fs.existsSync('/proc/self/fd') ? describe : describe.skip;

describeWithProcFd('FdsProbe: which opens get a creation stack (needs /proc/self/fd, Linux)', () => {
  let dir: string;
  let probe: FdsProbe;
  let creationStack: jest.SpyInstance;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakwatch-fds-opens-'));
    fs.writeFileSync(path.join(dir, 'data.txt'), 'data');
    probe = new FdsProbe(dir);
    probe.startFileWindow();
    probe.startFile();
    probe.beforeTest();
    creationStack = jest.spyOn(stack, 'creationStack');
  });

  afterEach(() => {
    creationStack.mockRestore();
    probe.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an openSync from the test gets one', () => {
    fs.closeSync(fs.openSync(path.join(dir, 'data.txt'), 'r'));
    expect(creationStack).toHaveBeenCalledTimes(1);
  });

  test("readFileSync's own open gets none: it closes the descriptor before it returns", () => {
    fs.readFileSync(path.join(dir, 'data.txt'));
    fs.writeFileSync(path.join(dir, 'out.txt'), 'x');
    fs.appendFileSync(path.join(dir, 'out.txt'), 'y');
    expect(creationStack).not.toHaveBeenCalled();
  });

  test("an openSync with readFileSync's own arguments (path, flags, 0o666) gets none", () => {
    fs.closeSync(fs.openSync(path.join(dir, 'data.txt'), 'r', 0o666));
    expect(creationStack).not.toHaveBeenCalled();
  });

  test('writeFileSync with a mode of its own is still known by its stack: none', () => {
    fs.writeFileSync(path.join(dir, 'out.txt'), 'x', { mode: 0o600 });
    expect(creationStack).not.toHaveBeenCalled();
  });

  test('one opened so and left open is still a finding, without its line', async () => {
    const fd = fs.openSync(path.join(dir, 'data.txt'), 'r', 0o666);
    try {
      const finding = await probe.afterTest(TEST, rerun);
      expect(finding?.summary).toBe('leaked 1 file descriptor');
      expect(finding?.details[0]).toMatch(/^fd \d+ → .*data\.txt$/);
    } finally {
      fs.closeSync(fd);
    }
  });

  test('a descriptor the test opened and closed is no finding', async () => {
    fs.closeSync(fs.openSync(path.join(dir, 'data.txt'), 'r'));
    expect(await probe.afterTest(TEST, rerun)).toBeNull();
  });

  test('one left open is', async () => {
    const fd = fs.openSync(path.join(dir, 'data.txt'), 'r');
    try {
      const finding = await probe.afterTest(TEST, rerun);
      expect(finding?.summary).toBe('leaked 1 file descriptor');
    } finally {
      fs.closeSync(fd);
    }
  });
});
