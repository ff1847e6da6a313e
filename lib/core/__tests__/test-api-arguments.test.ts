import { parseCheckNames, parseProbeDefinition } from '../test-api-arguments';
import type { UserCheck } from '../types';
import { configError } from './thrown';

describe('parseCheckNames', () => {
  const pool = 'pool' as UserCheck;

  test('no argument means every check, user probes last', () => {
    expect(parseCheckNames([], [pool])).toEqual([
      'heap',
      'external',
      'handles',
      'fds',
      'listeners',
      'globals',
      'tempFiles',
      'native',
      'pool',
    ]);
  });

  test('returns the names given, user probes included', () => {
    expect(parseCheckNames(['fds', 'pool'], [pool])).toEqual(['fds', 'pool']);
  });

  test('rejects an unknown name, listing the allowed ones', () => {
    expect(configError(() => parseCheckNames(['heep']))).toBe(
      `leakwatch: leakwatch.ignore() got "heep"; allowed: 'heap', 'external', 'handles', 'fds', 'listeners', 'globals', 'tempFiles', 'native' (or no argument for all checks).`,
    );
    expect(configError(() => parseCheckNames([undefined], [pool]))).toBe(
      `leakwatch: leakwatch.ignore() got undefined; allowed: 'heap', 'external', 'handles', 'fds', 'listeners', 'globals', 'tempFiles', 'native', 'pool' (or no argument for all checks).`,
    );
  });
});

describe('parseProbeDefinition', () => {
  const measure = () => 0;

  test('returns a valid definition as it is', () => {
    const definition = { name: 'db.pool-1', measure, tolerance: 0, unit: 'connections', message: () => 'm' };
    expect(parseProbeDefinition(definition, ['heap'])).toBe(definition);
  });

  test.each<[unknown, string]>([
    [null, `leakwatch.registerProbe()'s argument must be an object, got null.`],
    [
      { name: 'p', measure, size: 1 },
      'leakwatch.registerProbe() got an unknown field size; allowed: name, measure, tolerance, unit, message.',
    ],
    [{ name: 'a b', measure }, `leakwatch.registerProbe(): name is "a b"; allowed: 1-64 letters, digits, '_', '.', '-'.`],
    [
      { name: 'x'.repeat(65), measure },
      `leakwatch.registerProbe(): name is "${'x'.repeat(65)}"; allowed: 1-64 letters, digits, '_', '.', '-'.`,
    ],
    [{ name: 'heap', measure }, `leakwatch.registerProbe(): the name 'heap' is taken; pick another.`],
    [{ name: 'p', measure: 3 }, 'leakwatch.registerProbe(): measure is 3; allowed: a function returning a number (or a promise of one).'],
    [{ name: 'p', measure, tolerance: -1 }, 'leakwatch.registerProbe(): tolerance is -1; allowed: a number ≥ 0.'],
    [{ name: 'p', measure, tolerance: NaN }, 'leakwatch.registerProbe(): tolerance is NaN; allowed: a number ≥ 0.'],
    [{ name: 'p', measure, unit: 1 }, 'leakwatch.registerProbe(): unit is 1; allowed: a string.'],
    [{ name: 'p', measure, message: 'leaked' }, 'leakwatch.registerProbe(): message is "leaked"; allowed: a function (growth) => string.'],
  ])('rejects %p: %s', (definition, message) => {
    expect(configError(() => parseProbeDefinition(definition, ['heap']))).toBe(`leakwatch: ${message}`);
  });
});
