/**
 * UserProbe: a number the user's own code can report (a pool's open connections, a tensor
 * library's live tensors), registered from a setup file with `leakwatch.registerProbe()`.
 * A test leaks when the number grew by more than the probe's tolerance. A probe that throws
 * or takes longer than its time box is reported once and switched off for the file; the
 * test's result stands. At file level, the growth while the file's own code ran (module scope,
 * beforeAll, afterAll) that is still there after its last afterAll hook: what a probe counts
 * (connections, workers) lives in the process, so it outlives the file.
 */
import { errorMessage } from '../core/errors';
import { realClearTimeout, realSetTimeout } from '../core/timers';
import type { Probe } from './probe';
import type { FilePhase, Finding, ProbeKind, TestInfo, UserCheck, UserProbeDefinition } from '../core/types';

const TIME_BOX_MS = 5000;

export class UserProbe implements Probe {
  readonly check: UserCheck;
  readonly kind: ProbeKind = 'resource';
  private atStart: number | null = null;
  private broken: string | null = null;
  private readonly problems: string[] = [];
  /** The value when the file window opened; null if not read. */
  private atFileStart: number | null = null;
  /** While the file's own code runs: where, and the value when it began. */
  private fileStretch: { phase: FilePhase; atStart: number } | null = null;
  /** Growth while the file's own code ran, per phase, in the order first seen. */
  private readonly fileGrowth = new Map<FilePhase, number>();

  constructor(private readonly definition: UserProbeDefinition) {
    // parseProbeDefinition checked that the name is free.
    this.check = definition.name as UserCheck;
  }

  startFile(): string | null {
    return null;
  }

  async startFileWindow(): Promise<void> {
    this.atFileStart = await this.measure();
  }

  async fileCodeRunning(phase: FilePhase | null): Promise<void> {
    const stretch = this.fileStretch;
    this.fileStretch = null;
    if (!stretch && phase === null) return;
    // Module scope begins where the window opens: that reading serves.
    const now = stretch || phase !== 'module scope' || this.atFileStart === null ? await this.measure() : this.atFileStart;
    if (now === null) return;
    if (stretch) this.fileGrowth.set(stretch.phase, (this.fileGrowth.get(stretch.phase) ?? 0) + now - stretch.atStart);
    if (phase !== null) this.fileStretch = { phase, atStart: now };
  }

  async finishFileWindow(): Promise<Finding | null> {
    if (this.fileStretch) await this.fileCodeRunning(null);
    const atEnd = await this.measure();
    const phases = [...this.fileGrowth].filter(([, growth]) => growth !== 0);
    this.fileGrowth.clear();
    if (atEnd === null) return null;
    // What the file's code added, unless a test has released some of it since.
    const added = phases.reduce((sum, [, growth]) => sum + growth, 0);
    const growth = this.atFileStart === null ? added : Math.min(added, atEnd - this.atFileStart);
    if (growth <= (this.definition.tolerance ?? 0)) return null;
    const byPhase = phases.map(([phase, n]) => `${n > 0 ? '+' : ''}${n} in ${phase}`).join(', ');
    return {
      check: this.check,
      verdict: 'leak',
      summary: this.summary(growth),
      details: [
        `"${this.definition.name}" measured ${this.atFileStart ?? '?'} at the file's start and ${atEnd} after its last afterAll hook; ` +
          `the file's own code changed it by ${byPhase} (tolerance ${this.definition.tolerance ?? 0}).`,
        'Release it in an afterAll hook.',
      ],
      bytes: growth,
    };
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
    return {
      check: this.check,
      verdict: 'leak',
      summary: this.summary(growth),
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

  /** The definition's message for this growth, or the default one. */
  private summary(growth: number): string {
    if (this.definition.message) {
      try {
        return this.definition.message(growth);
      } catch {
        // The default message stands.
      }
    }
    const unit = this.definition.unit ? ` ${this.definition.unit}` : '';
    return `leaked ${growth}${unit} (probe "${this.definition.name}")`;
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
