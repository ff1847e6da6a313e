import type { Circus } from '@jest/types';
import type { Finding } from '../../core/types';
import { Baseline } from '../../report/baseline';
import { FILE_LEVEL, FindingSink, type FindingSinkOptions } from '../finding-sink';

const LEAK: Finding = { check: 'handles', verdict: 'leak', summary: 'leaked 1 open handle', details: ['setInterval timer'] };
const INFO = { name: 'polls', id: 0 };

function sink(options: Partial<FindingSinkOptions> = {}): FindingSink {
  return new FindingSink({ mode: 'fail', baselinePath: null, baseline: null, recordWriter: null, file: 'a.test.js', ...options });
}
const testEntry = () => ({ errors: [] as unknown[] }) as unknown as Circus.TestEntry;
const runState = () => ({ unhandledErrors: [] as unknown[] }) as unknown as Circus.State;

let stderr: jest.SpiedFunction<typeof process.stderr.write>;
beforeEach(() => {
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => stderr.mockRestore());

test('a leak in fail mode becomes an error on the test, named for it', () => {
  const test = testEntry();
  sink().testFinding(test, INFO, LEAK);
  expect((test.errors[0] as Error).message).toBe('leakwatch: "polls" leaked 1 open handle.\n  setInterval timer');
});

test('a leak in warn mode is printed at the file end under its name, and the test passes', () => {
  const test = testEntry();
  const target = sink({ mode: 'warn' });
  target.testFinding(test, INFO, LEAK);
  target.print();
  expect(test.errors).toEqual([]);
  expect(stderr).toHaveBeenCalledWith('leakwatch: a.test.js:\n  leakwatch: "polls" leaked 1 open handle.\n  setInterval timer\n');
});

test('a leak the baseline lists warns with a note naming the baseline file', () => {
  const test = testEntry();
  const baseline = new Baseline([{ file: 'a.test.js', test: 'polls', check: 'handles' }]);
  const target = sink({ baseline, baselinePath: '/p/leakwatch.baseline.json' });
  target.testFinding(test, INFO, LEAK);
  expect(test.errors).toEqual([]);
  expect(target.forRecord()).toEqual([
    'leakwatch: "polls" leaked 1 open handle.\n  setInterval timer\n  Known leak, listed in /p/leakwatch.baseline.json: not failed.',
  ]);
});

test("a file-level leak goes where jest-circus puts an afterAll hook's error", () => {
  const state = runState();
  const target = sink();
  target.fileFinding(state, LEAK);
  // Jest prints the message, then the stack's lines after its first (leak-error.ts).
  expect((state.unhandledErrors[0] as Error).stack).toBe('leakwatch: test file a.test.js leaked 1 open handle.\n  setInterval timer');
  expect((state.unhandledErrors[0] as Error).message).toBe('leakwatch: test file a.test.js leaked 1 open handle.');
  expect(target.forRecord()).toEqual(['leakwatch: test file a.test.js leaked 1 open handle.\n  setInterval timer']);
});

test(`a file-level leak the baseline lists under ${FILE_LEVEL} only warns`, () => {
  const state = runState();
  const baseline = new Baseline([{ file: 'a.test.js', test: FILE_LEVEL, check: 'handles' }]);
  sink({ baseline, baselinePath: 'b.json' }).fileFinding(state, LEAK);
  expect(state.unhandledErrors).toEqual([]);
});

test('nothing is printed when there is nothing to say', () => {
  sink().print();
  expect(stderr).not.toHaveBeenCalled();
});
