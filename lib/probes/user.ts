/**
 * UserProbe: a number the user's own code can report (a pool's open connections, a tensor
 * library's live tensors), registered from a setup file with `leakwatch.registerProbe()`.
 * A test leaks when the number grew by more than the probe's tolerance. A probe that throws
 * or takes longer than its time box is reported once and switched off for the file; the
 * test's result stands.
 */
import { errorMessage } from '../core/errors';
import { realClearTimeout, realSetTimeout } from '../core/timers';
import type { Probe } from './probe';
import type { Finding, ProbeKind, TestInfo, UserCheck, UserProbeDefinition } from '../core/types';

const TIME_BOX_MS = 5000;

export class UserProbe implements Probe {
  readonly check: UserCheck;
  readonly kind: ProbeKind = 'resource';
  private atStart: number | null = null;
  private broken: string | null = null;
  private readonly problems: string[] = [];

  constructor(private readonly definition: UserProbeDefinition) {
    // parseProbeDefinition checked that the name is free.
    this.check = definition.name as UserCheck;
  }

  startFile(): string | null {
    return null;
  }

  async beforeTest(): Promise<void> {
    this.atStart = await this.measure();
  }

  async afterTest(): Promise<Finding | null> {
    const atStart = this.atStart;
    this.atStart = null;
    if (atStart === null) return null;
    const atEnd = await this.measure();
    if (atEnd === null) return null;
    const growth = atEnd - atStart;
    if (growth <= (this.definition.tolerance ?? 0)) return null;
    const unit = this.definition.unit ? ` ${this.definition.unit}` : '';
    let summary = `leaked ${growth}${unit} (probe "${this.definition.name}")`;
    if (this.definition.message) {
      try {
        summary = this.definition.message(growth);
      } catch {
        // The default message stands.
      }
    }
    return {
      check: this.check,
      verdict: 'leak',
      summary,
      details: [
        `"${this.definition.name}" measured ${atStart} before the test and ${atEnd} after it (tolerance ${this.definition.tolerance ?? 0}).`,
      ],
      bytes: growth,
    };
  }

  abandonTest(): void {
    this.atStart = null;
  }

  finishFile(): Array<{ test: TestInfo; finding: Finding }> {
    return [];
  }

  /** Problems to report once per file. */
  takeProblems(): string[] {
    return this.problems.splice(0);
  }

  dispose(): void {
    this.atStart = null;
  }

  private async measure(): Promise<number | null> {
    if (this.broken) return null;
    let timer: NodeJS.Timeout | undefined;
    try {
      const value = await Promise.race([
        Promise.resolve().then(() => this.definition.measure()),
        new Promise<never>((_, reject) => {
          timer = realSetTimeout(() => reject(new Error(`took longer than ${TIME_BOX_MS} ms`)), TIME_BOX_MS);
        }),
      ]);
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`returned ${String(value)}, not a finite number`);
      return value;
    } catch (error) {
      this.broken = errorMessage(error);
      this.problems.push(`probe "${this.definition.name}" failed and is off for the rest of this file: ${this.broken}`);
      return null;
    } finally {
      realClearTimeout(timer);
    }
  }
}
