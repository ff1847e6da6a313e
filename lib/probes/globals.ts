/**
 * GlobalsProbe: properties a test added to the global object and left there (mocha's
 * --check-leaks). Compares own string-keyed property names of the test's global before and
 * after; symbols are the test runner's. At file level, what a beforeAll or afterAll hook set
 * and the file's last afterAll left there; module scope (and setup files) is where a file
 * declares its globals (`global.TextEncoder = …`), so, as in mocha, it does not count.
 */
import { BeforeAfterProbe } from './probe';
import type { FilePhase, Finding } from '../core/types';
import { counted } from '../core/units';

/** Set by tools, not by the user's code. */
const TOOL_GLOBALS = new Set(['__coverage__', 'regeneratorRuntime', '__core-js_shared__']);

export class GlobalsProbe extends BeforeAfterProbe<Set<string>> {
  readonly check = 'globals' as const;
  /** Names a beforeAll or afterAll hook added, with the hook. */
  private readonly hookAdded = new Map<string, FilePhase>();
  /** While a hook runs: the names before it, and the hook. */
  private hookStart: { names: Set<string>; phase: FilePhase } | null = null;

  constructor(private readonly global: object) {
    super();
  }

  fileCodeRunning(phase: FilePhase | null): void {
    this.endHook();
    if (phase === 'beforeAll' || phase === 'afterAll') this.hookStart = { names: this.read(), phase };
  }

  finishFileWindow(): Finding | null {
    this.endHook();
    const left = [...this.hookAdded].filter(([name]) => Object.prototype.hasOwnProperty.call(this.global, name));
    this.hookAdded.clear();
    if (left.length === 0) return null;
    return {
      ...globalsFinding(left.map(([name]) => name)),
      details: [
        ...left.map(([name, phase]) => `${name}, set in ${phase}`),
        "Still on the global object after the file's last afterAll hook. Delete it in an afterAll hook (delete globalThis.name), or declare it with let/const.",
      ],
    };
  }

  protected read(): Set<string> {
    return new Set(Object.getOwnPropertyNames(this.global));
  }

  protected compare(before: Set<string>): Finding | null {
    const added = this.addedSince(before);
    if (added.length === 0) return null;
    return {
      ...globalsFinding(added),
      details: [
        'Set on the global object during the test and still there after it. Declare it with let/const, or delete it in an afterEach hook.',
      ],
    };
  }

  private addedSince(before: Set<string>): string[] {
    return Object.getOwnPropertyNames(this.global).filter((name) => !before.has(name) && !TOOL_GLOBALS.has(name));
  }

  /** Ends the running hook's stretch: what it added is the file's; what it deleted no longer is. */
  private endHook(): void {
    const start = this.hookStart;
    this.hookStart = null;
    if (!start) return;
    for (const name of this.addedSince(start.names)) if (!this.hookAdded.has(name)) this.hookAdded.set(name, start.phase);
    for (const name of start.names) if (!Object.prototype.hasOwnProperty.call(this.global, name)) this.hookAdded.delete(name);
  }
}

function globalsFinding(names: string[]): Pick<Finding, 'check' | 'verdict' | 'summary'> {
  return {
    check: 'globals',
    verdict: 'leak',
    summary: `leaked ${counted(names.length, 'global')}: ${names.join(', ')}`,
  };
}
