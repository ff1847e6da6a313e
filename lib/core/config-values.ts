/**
 * Checks of one input value each: the value in its type, or a LeakwatchConfigError naming
 * the option and what is allowed.
 */
import { MODES, type Mode } from './config';
import { describe, LeakwatchConfigError } from './config-error';
import { parseBytes } from './units';

export function asObject(value: unknown, option: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LeakwatchConfigError(`${option} must be an object, got ${describe(value)}.`);
  }
  return value as Record<string, unknown>;
}

export function parseMode(value: unknown, option: string): Mode {
  if (typeof value === 'string' && (MODES as readonly string[]).includes(value)) return value as Mode;
  throw new LeakwatchConfigError(`${option} is ${describe(value)}; allowed: ${MODES.map((m) => `'${m}'`).join(', ')}.`);
}

export function parseSize(value: unknown, option: string): number {
  const bytes = parseBytes(value);
  if (bytes === undefined) {
    throw new LeakwatchConfigError(
      `${option} is ${describe(value)}; allowed: a number of bytes or a string such as '512KB', '2MB', '1GB'.`,
    );
  }
  return bytes;
}

export function parseBoolean(value: unknown, option: string): boolean {
  if (typeof value === 'boolean') return value;
  throw new LeakwatchConfigError(`${option} is ${describe(value)}; allowed: true, false.`);
}

export function parseBooleanText(value: string, option: string): boolean {
  const text = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new LeakwatchConfigError(`${option} is ${describe(value)}; allowed: 1, 0, true, false.`);
}

export function parseString(value: unknown, option: string): string {
  if (typeof value === 'string' && value.trim() !== '' && !value.includes('\0')) return value;
  throw new LeakwatchConfigError(`${option} is ${describe(value)}; allowed: a non-empty path.`);
}
