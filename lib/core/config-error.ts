/** The error for bad user input, and how its messages show the value they reject. */

/** Thrown for bad input; Jest shows it as "Test suite failed to run". */
export class LeakwatchConfigError extends Error {
  constructor(message: string) {
    super(`leakwatch: ${message}`);
    this.name = 'LeakwatchConfigError';
  }
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  const primitive = value as number | boolean | bigint | null;
  return String(primitive);
}
