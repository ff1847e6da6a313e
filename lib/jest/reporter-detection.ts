/** Whether Jest's reporters include leakwatch's: only then are records written for it. */
import * as path from 'node:path';

const OWN_REPORTER = /jest-environment-leakwatch[\\/](reporter(\.js)?|dist[\\/]jest[\\/]reporter\.js)$/;

/** Jest resolves `jest-environment-leakwatch/reporter` to an absolute path before workers see it. */
export function leakwatchReporterConfigured(reporters: unknown): boolean {
  if (!Array.isArray(reporters)) return false;
  const own = [path.resolve(__dirname, '..', '..', 'reporter.js'), path.resolve(__dirname, 'reporter.js')];
  return reporters.some((entry) => {
    const name: unknown = Array.isArray(entry) ? entry[0] : entry;
    if (typeof name !== 'string') return false;
    return own.includes(path.resolve(name)) || OWN_REPORTER.test(name);
  });
}
