/** Turns findings into what Jest shows: an Error on the test, or a console warning. */
import { quoteTestName } from '../core/test-names';
import type { Finding } from '../core/types';

/** The shape reporters receive in failureDetails (enumerable properties of the error). */
export interface LeakErrorDetails {
  check: Finding['check'];
  verdict: Finding['verdict'];
  bytes?: number;
}

export function formatFinding(testName: string, finding: Finding): string {
  return formatAbout(quoteTestName(testName), finding);
}

/** A finding about a whole test file (its module scope and beforeAll/afterAll hooks). */
export function formatFileFinding(file: string, finding: Finding): string {
  return formatAbout(`test file ${file}`, finding);
}

function formatAbout(subject: string, finding: Finding): string {
  return [`leakwatch: ${subject} ${finding.summary}.`, ...finding.details.map((line) => `  ${line}`)].join('\n');
}

/** An Error whose stack is the message alone: Jest prints `stack`, and ours would only show leakwatch's frames. */
export function leakError(testName: string, finding: Finding): Error {
  return errorWithMessage(formatFinding(testName, finding), finding);
}

/**
 * The same for a file-level finding, which Jest reports as the file's own error. Jest 30 prints
 * such an error's message and then the lines of its stack after the first: the message is the
 * first line alone, or the details would show twice.
 */
export function fileLeakError(file: string, finding: Finding): Error {
  const error = errorWithMessage(formatFileFinding(file, finding), finding);
  error.message = error.message.split('\n', 1)[0];
  return error;
}

function errorWithMessage(message: string, finding: Finding): Error {
  const error = new Error(message);
  error.name = 'LeakwatchLeakError';
  error.stack = message;
  const details: LeakErrorDetails = { check: finding.check, verdict: finding.verdict, bytes: finding.bytes };
  Object.assign(error, { leakwatch: details });
  return error;
}
