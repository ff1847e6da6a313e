/** Checks of what test code passes to the `leakwatch` global (lib/jest/test-api.ts). */
import { describe, LeakwatchConfigError } from './config-error';
import { asObject } from './config-values';
import { CHECKS, type Check, type UserCheck, type UserProbeDefinition } from './types';

/** Validates the arguments of `leakwatch.ignore(...)` called from a test. */
export function parseCheckNames(names: unknown[], userProbes: readonly UserCheck[] = []): Check[] {
  const known: readonly Check[] = [...CHECKS, ...userProbes];
  const checks = names.length === 0 ? known : names;
  return checks.map((name) => {
    if (typeof name !== 'string' || !(known as readonly string[]).includes(name)) {
      throw new LeakwatchConfigError(
        `leakwatch.ignore() got ${describe(name)}; allowed: ${known.map((c) => `'${c}'`).join(', ')} (or no argument for all checks).`,
      );
    }
    return name as Check;
  });
}

/** Validates what `leakwatch.registerProbe()` got from a setup file. */
export function parseProbeDefinition(value: unknown, taken: readonly string[]): UserProbeDefinition {
  const option = 'leakwatch.registerProbe()';
  const raw = asObject(value, `${option}'s argument`);
  for (const key of Object.keys(raw)) {
    if (!['name', 'measure', 'tolerance', 'unit', 'message'].includes(key)) {
      throw new LeakwatchConfigError(`${option} got an unknown field ${key}; allowed: name, measure, tolerance, unit, message.`);
    }
  }
  if (typeof raw.name !== 'string' || !/^[\w.-]{1,64}$/.test(raw.name)) {
    throw new LeakwatchConfigError(`${option}: name is ${describe(raw.name)}; allowed: 1-64 letters, digits, '_', '.', '-'.`);
  }
  if (taken.includes(raw.name)) throw new LeakwatchConfigError(`${option}: the name '${raw.name}' is taken; pick another.`);
  if (typeof raw.measure !== 'function') {
    throw new LeakwatchConfigError(
      `${option}: measure is ${describe(raw.measure)}; allowed: a function returning a number (or a promise of one).`,
    );
  }
  if (raw.tolerance !== undefined && (typeof raw.tolerance !== 'number' || !(raw.tolerance >= 0))) {
    throw new LeakwatchConfigError(`${option}: tolerance is ${describe(raw.tolerance)}; allowed: a number ≥ 0.`);
  }
  if (raw.unit !== undefined && typeof raw.unit !== 'string') {
    throw new LeakwatchConfigError(`${option}: unit is ${describe(raw.unit)}; allowed: a string.`);
  }
  if (raw.message !== undefined && typeof raw.message !== 'function') {
    throw new LeakwatchConfigError(`${option}: message is ${describe(raw.message)}; allowed: a function (growth) => string.`);
  }
  return raw as unknown as UserProbeDefinition;
}
