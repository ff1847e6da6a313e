import * as vm from 'node:vm';
import { errorMessage, errorStack, toError } from '../errors';

/** An Error of another realm, as a test's code throws them: `instanceof Error` is false here. */
const foreignError = (): Error => vm.runInNewContext('new Error("x")') as Error;

describe('errorMessage', () => {
  test('reads the message of an Error from another realm', () => {
    const error = foreignError();
    expect(error).not.toBeInstanceOf(Error);
    expect(errorMessage(error)).toBe('x');
  });

  test('turns anything else into text', () => {
    expect([errorMessage('boom'), errorMessage(42), errorMessage(null), errorMessage(undefined), errorMessage({ message: 7 })]).toEqual([
      'boom',
      '42',
      'null',
      'undefined',
      '[object Object]',
    ]);
  });
});

describe('errorStack', () => {
  test('is the stack of an Error from another realm', () => {
    const error = foreignError();
    expect(errorStack(error)).toBe(error.stack);
    expect(errorStack(error)).toMatch(/^Error: x\n/);
  });

  test('is the message when the stack is missing or empty', () => {
    expect(errorStack({ message: 'no stack' })).toBe('no stack');
    expect(errorStack({ message: 'empty', stack: '' })).toBe('empty');
    expect(errorStack('thrown text')).toBe('thrown text');
  });
});

describe('toError', () => {
  test('returns an Error of this realm as it is', () => {
    const error = new TypeError('t');
    expect(toError(error)).toBe(error);
  });

  test('wraps an Error from another realm, keeping its message and the original as cause', () => {
    const foreign = foreignError();
    const error = toError(foreign);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('x');
    expect(error.cause).toBe(foreign);
  });

  test('wraps a thrown string', () => {
    const error = toError('boom');
    expect([error.message, error.cause]).toEqual(['boom', 'boom']);
  });
});
