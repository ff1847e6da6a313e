#!/usr/bin/env node
/**
 * `npx leakwatch merge <dir|report.json>… [--out <dir>]`: merges the reports of Jest shards
 * (`--shard=i/n` on several machines) into one report.json and report.html.
 * `npx leakwatch baseline [--report <report.json>] [--baseline <file>]`: writes the known-leaks
 * file from a report: every leak in it (new or already known) is listed, leaks no longer
 * found are dropped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_BASELINE } from './core/config';
import { loadBaseline, writeBaseline, type BaselineEntry } from './report/baseline';
import { errorMessage } from './core/errors';
import { lastObjectIdOf } from './heap/last-object-id';
import { describeRetainers } from './heap/retainers';
import { newObjects, parseSnapshot } from './heap/snapshot-parser';
import { writeReport } from './report/write-report';
import { formatBytes } from './core/units';
import { mergeReports, REPORT_SCHEMA, type RunReport } from './report/run-report';

const USAGE = `usage:
  leakwatch diff <before.heapsnapshot> <after.heapsnapshot> [--root <dir>]
                                                      objects the second has and the first had not, and what holds them
  leakwatch merge <dir or report.json>… [--out <dir>]   merge shard reports (default --out .leakwatch/merged)
  leakwatch baseline [--report <report.json>] [--baseline <file>]
                                                      write known leaks (defaults .leakwatch/report.json, ${DEFAULT_BASELINE})`;

export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    if (command === 'diff') return diff(rest);
    if (command === 'merge') return merge(rest);
    if (command === 'baseline') return baseline(rest);
    process.stderr.write(
      `${command === undefined || command === '--help' ? '' : `leakwatch: unknown command ${JSON.stringify(command)}\n`}${USAGE}\n`,
    );
    return command === '--help' ? 0 : 2;
  } catch (error) {
    // A LeakwatchConfigError's message has the prefix already: printed once, not twice.
    process.stderr.write(`leakwatch: ${errorMessage(error).replace(/^leakwatch: /, '')}\n`);
    return 1;
  }
}

/** A snapshot pair written by `snapshots: true`, as the failure message explains it. */
function diff(args: string[]): number {
  const { positional, flags } = parseArgs(args, ['--root']);
  if (positional.length !== 2) throw new Error(`diff needs two snapshot files, before and after\n${USAGE}`);
  const [beforeFile, afterFile] = positional;
  const maxBefore = lastObjectIdOf(fs.readFileSync(beforeFile));
  const after = parseSnapshot(fs.readFileSync(afterFile));
  const rootDir = path.resolve(flags['--root'] ?? '.');
  const groups = newObjects(after, maxBefore);
  process.stdout.write(`New in ${afterFile} (objects by kind, biggest first):\n`);
  for (const group of groups.slice(0, 10))
    process.stdout.write(`  ${formatBytes(group.bytes).padStart(9)}  ${group.count} × ${group.kind}\n`);
  const held = describeRetainers(maxBefore, after, rootDir);
  if (held.length > 0) process.stdout.write(`What holds them:\n${held.map((line) => `  ${line}\n`).join('')}`);
  return 0;
}

function merge(args: string[]): number {
  const { positional, flags } = parseArgs(args, ['--out']);
  if (positional.length === 0) throw new Error(`merge needs at least one report folder or report.json\n${USAGE}`);
  const reports = positional.map((input) => ({ label: input, report: readReport(input) }));
  const out = path.resolve(flags['--out'] ?? path.join('.leakwatch', 'merged'));
  const merged = mergeReports(reports);
  const written = writeReport(out, merged);
  const leaks = Object.values(merged.totals.leaks).reduce((sum, n) => sum + n, 0);
  process.stdout.write(
    `leakwatch: merged ${reports.length} reports (${merged.totals.tests} tests, ${leaks} leaks) into ${written.join(', ')}\n`,
  );
  return 0;
}

function baseline(args: string[]): number {
  const { positional, flags } = parseArgs(args, ['--report', '--baseline']);
  if (positional.length > 0) throw new Error(`baseline takes no positional arguments\n${USAGE}`);
  const report = readReport(flags['--report'] ?? path.join('.leakwatch', 'report.json'));
  const file = path.resolve(flags['--baseline'] ?? DEFAULT_BASELINE);
  // Named by the flag: the option name loadBaseline uses by default is the environment's.
  const before = loadBaseline(file, '--baseline').entries;
  const entries: BaselineEntry[] = report.files.flatMap((f) =>
    f.tests.flatMap((test) =>
      test.findings
        .filter((finding) => finding.verdict === 'leak' || finding.verdict === 'known')
        .map((finding) => ({ file: f.file, test: test.name, check: finding.check })),
    ),
  );
  writeBaseline(file, entries);
  const key = (e: BaselineEntry): string => JSON.stringify([e.file, e.test, e.check]);
  const old = new Set(before.map(key));
  const now = new Set(entries.map(key));
  const added = [...now].filter((k) => !old.has(k)).length;
  const dropped = [...old].filter((k) => !now.has(k)).length;
  process.stdout.write(`leakwatch: ${file}: ${now.size} known leaks (${added} added, ${dropped} dropped as no longer found)\n`);
  return 0;
}

function readReport(input: string): RunReport {
  const file = fs.existsSync(input) && fs.statSync(input).isDirectory() ? path.join(input, 'report.json') : input;
  let report: RunReport;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8')) as RunReport;
  } catch (error) {
    throw new Error(`cannot read the report ${file}: ${errorMessage(error)}`, { cause: error });
  }
  if (report?.schema !== REPORT_SCHEMA || !Array.isArray(report.files)) {
    throw new Error(`${file} is not a leakwatch report (schema ${REPORT_SCHEMA}) written by jest-environment-leakwatch/reporter`);
  }
  return report;
}

// Exported for its unit tests (lib/__tests__/cli.test.ts).
export function parseArgs(args: string[], known: string[]): { positional: string[]; flags: Record<string, string> } {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    // Split at the first '=' only: split('=', 2) dropped the rest of a value holding one.
    const equals = arg.indexOf('=');
    const name = equals < 0 ? arg : arg.slice(0, equals);
    const inline = equals < 0 ? undefined : arg.slice(equals + 1);
    if (!known.includes(name)) throw new Error(`unknown option ${name}; allowed: ${known.join(', ')}`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new Error(`${name} needs a value`);
    flags[name] = value;
  }
  return { positional, flags };
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
