import type { Finding } from '../../core/types';
import { quoteTestName } from '../../core/test-names';
import { formatExecError } from 'jest-message-util';
import { fileLeakError, formatFinding, leakError } from '../leak-error';

const FINDING: Finding = {
  check: 'heap',
  verdict: 'leak',
  summary: 'leaked ~1.0 MB of heap',
  details: ['Kept by the test: ~1.0 MB allocated at src/cache.ts:12', 'Run it alone to see more.'],
  bytes: 1048576,
};

const MESSAGE = [
  'leakwatch: "caches users" leaked ~1.0 MB of heap.',
  '  Kept by the test: ~1.0 MB allocated at src/cache.ts:12',
  '  Run it alone to see more.',
].join('\n');

describe('formatFinding', () => {
  test('names the test, the summary, then the details indented', () => {
    expect(formatFinding('caches users', FINDING)).toBe(MESSAGE);
  });

  test('is one line without details', () => {
    expect(formatFinding('t', { check: 'fds', verdict: 'leak', summary: 'leaked 1 file descriptor', details: [] })).toBe(
      'leakwatch: "t" leaked 1 file descriptor.',
    );
  });
});

describe('quoteTestName', () => {
  test('quotes the name as JSON, escaping quotes and control characters', () => {
    expect(quoteTestName('say "hi"\n\u001b[31mred')).toBe('"say \\"hi\\"\\n\\u001b[31mred"');
  });

  test('cuts a name over 200 characters, marking the cut', () => {
    expect(quoteTestName('a'.repeat(200))).toBe(`"${'a'.repeat(200)}"`);
    expect(quoteTestName('a'.repeat(201))).toBe(`"${'a'.repeat(200)}…"`);
  });
});

describe('leakError', () => {
  test('is a LeakwatchLeakError whose message is the formatted finding', () => {
    const error = leakError('caches users', FINDING);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('LeakwatchLeakError');
    expect(error.message).toBe(MESSAGE);
  });

  test("has the message as its stack, without leakwatch's frames", () => {
    expect(leakError('caches users', FINDING).stack).toBe(MESSAGE);
  });

  test('carries the check, verdict and bytes for reporters as an enumerable property', () => {
    const error = leakError('caches users', FINDING);
    expect(Object.keys(error)).toContain('leakwatch');
    expect((error as Error & { leakwatch: unknown }).leakwatch).toEqual({ check: 'heap', verdict: 'leak', bytes: 1048576 });
  });
});

describe('fileLeakError', () => {
  test("prints each detail once where Jest prints a file's error (its message, then its stack)", () => {
    const error = fileLeakError('__tests__/a.test.js', FINDING);
    const printed = formatExecError(error, { rootDir: '/project', testMatch: [] }, { noStackTrace: false });
    expect(printed).toContain('leakwatch: test file __tests__/a.test.js leaked ~1.0 MB of heap.');
    expect(printed.split('Kept by the test: ~1.0 MB allocated at src/cache.ts:12')).toHaveLength(2);
    expect(printed.split('Run it alone to see more.')).toHaveLength(2);
  });
});
