/**
 * LEAKWATCH_DEBUG: `1` prints each probe's counters at a file's end; a file path also gets
 * one JSON line per measured test (for calibrating thresholds on a suite).
 */
import * as fs from 'node:fs';
import type { HeapMeasurement, TestInfo } from '../core/types';
import type { Probe } from '../probes/probe';

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.LEAKWATCH_DEBUG;
}

/** The file for per-test lines, or null. */
export function debugLinesFile(env: NodeJS.ProcessEnv = process.env): string | null {
  const value = env.LEAKWATCH_DEBUG;
  return value && value !== '1' ? value : null;
}

export function measurementLine(fileLabel: string, test: TestInfo, measurement: HeapMeasurement): string {
  return `${JSON.stringify({ file: fileLabel, test: test.name, ...measurement })}\n`;
}

export function appendMeasurement(file: string, fileLabel: string, test: TestInfo, measurement: HeapMeasurement): void {
  fs.appendFileSync(file, measurementLine(fileLabel, test, measurement));
}

export function probeStatsLines(probes: readonly Probe[]): string[] {
  return probes.map((probe) => `${probe.check} probe stats: ${JSON.stringify(probe.stats)}`);
}
