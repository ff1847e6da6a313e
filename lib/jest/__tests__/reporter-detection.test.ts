import * as path from 'node:path';
import { leakwatchReporterConfigured } from '../reporter-detection';

const packageRoot = path.resolve(__dirname, '..', '..', '..');

describe('leakwatchReporterConfigured', () => {
  test("finds the package's reporter.js as Jest resolved it, alone or with options", () => {
    const reporter = path.join(packageRoot, 'reporter.js');
    expect(leakwatchReporterConfigured(['default', reporter])).toBe(true);
    expect(leakwatchReporterConfigured([[reporter, { verbose: true }]])).toBe(true);
  });

  test('finds the compiled reporter next to the environment', () => {
    expect(leakwatchReporterConfigured([path.join(__dirname, '..', 'reporter.js')])).toBe(true);
  });

  test('finds the installed package by name, with or without .js, and its dist reporter', () => {
    expect(leakwatchReporterConfigured(['/app/node_modules/jest-environment-leakwatch/reporter'])).toBe(true);
    expect(leakwatchReporterConfigured(['/app/node_modules/jest-environment-leakwatch/reporter.js'])).toBe(true);
    expect(leakwatchReporterConfigured(['C:\\app\\node_modules\\jest-environment-leakwatch\\dist\\jest\\reporter.js'])).toBe(true);
  });

  test('is false for other reporters', () => {
    expect(leakwatchReporterConfigured(['default', 'summary', ['jest-junit', {}]])).toBe(false);
    expect(leakwatchReporterConfigured(['/app/node_modules/jest-environment-leakwatch-extra/reporter'])).toBe(false);
    expect(leakwatchReporterConfigured(['/app/node_modules/jest-environment-leakwatch/reporter/index.js'])).toBe(false);
  });

  test('is false for no reporters or entries that are not names', () => {
    expect(leakwatchReporterConfigured(undefined)).toBe(false);
    expect(leakwatchReporterConfigured('jest-environment-leakwatch/reporter')).toBe(false);
    expect(leakwatchReporterConfigured([42, [null], {}])).toBe(false);
  });
});
