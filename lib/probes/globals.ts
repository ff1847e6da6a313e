/**
 * GlobalsProbe: properties a test added to the global object and left there (mocha's
 * --check-leaks). Compares own string-keyed property names of the test's global before and
 * after; symbols are the test runner's.
 */
import { BeforeAfterProbe } from './probe';
import type { Finding } from '../core/types';

/** Set by tools, not by the user's code. */
const TOOL_GLOBALS = new Set(['__coverage__', 'regeneratorRuntime', '__core-js_shared__']);

export class GlobalsProbe extends BeforeAfterProbe<Set<string>> {
  readonly check = 'globals' as const;

  constructor(private readonly global: object) {
    super();
  }

  protected read(): Set<string> {
    return new Set(Object.getOwnPropertyNames(this.global));
  }

  protected compare(before: Set<string>): Finding | null {
    const added = Object.getOwnPropertyNames(this.global).filter((name) => !before.has(name) && !TOOL_GLOBALS.has(name));
    if (added.length === 0) return null;
    return {
      check: 'globals',
      verdict: 'leak',
      summary: `leaked ${added.length === 1 ? '1 global' : `${added.length} globals`}: ${added.join(', ')}`,
      details: [
        'Set on the global object during the test and still there after it. Declare it with let/const, or delete it in an afterEach hook.',
      ],
    };
  }
}
